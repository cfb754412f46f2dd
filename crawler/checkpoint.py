"""Extension: checkpoint the site's incremental state (storage.state) during the crawl and when it closes.

The spider keeps the state in memory (`spider.state`); every NIANBAO_CHECKPOINT_EVERY responses and at close it
is merged into `state/{site}.json` in the store (NIANBAO_CHECKPOINT_STORE), so a crawl killed half-way resumes
from what it had learnt. Entries whose captures were not queued yet are saved with `queued: false`: the next
crawl fetches them in full instead of trusting them as unchanged. Count: `nianbao/checkpoints`.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from storage.state import SiteState, save_state
from storage.store import Store

logger = logging.getLogger(__name__)


class StateCheckpoint:
    def __init__(self, crawler: Crawler, store: Store, every: int) -> None:
        self.crawler = crawler
        self.store = store
        self.every = every
        self.responses = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_CHECKPOINT_ENABLED"):
            raise NotConfigured("NIANBAO_CHECKPOINT_ENABLED is off")
        url = crawler.settings.get("NIANBAO_CHECKPOINT_STORE")
        if not url:
            raise NotConfigured("NIANBAO_CHECKPOINT_STORE is not set")
        every = crawler.settings.getint("NIANBAO_CHECKPOINT_EVERY")
        if every < 1:
            raise NotConfigured(f"NIANBAO_CHECKPOINT_EVERY must be at least 1, not {every}")
        extension = cls(crawler, Store(url), every)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def _save(self, spider: Spider | None) -> None:
        state = getattr(spider, "state", None)
        if not isinstance(state, SiteState) or not state.dirty:
            return
        version = save_state(self.store, state)
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/checkpoints")
        logger.debug("state of %s checkpointed (version %d)", state.site, version)

    def response_received(self, **kwargs: Any) -> None:
        self.responses += 1
        if self.responses % self.every == 0:
            self._save(self.crawler.spider)

    def spider_closed(self, spider: Spider) -> None:
        self._save(spider)
