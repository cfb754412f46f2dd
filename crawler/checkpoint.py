"""Extension: checkpoint each site's incremental state (storage.state) during its crawl.

Each site in flight keeps its state in memory (`SiteCrawl.state`); every NIANBAO_CHECKPOINT_EVERY responses of
that site it is merged into `state/{site}.json` in the store (NIANBAO_CHECKPOINT_STORE), so a crawl killed
half-way resumes from what it had learnt (crawler.crawl saves it once more when the site ends). Entries whose
captures were not queued yet are saved with `queued: false`: the next crawl fetches them in full instead of
trusting them as unchanged. Count: `nianbao/checkpoints`.
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.context import count, site_of
from storage.state import save_state
from storage.store import Store

logger = logging.getLogger(__name__)


class StateCheckpoint:
    def __init__(self, crawler: Crawler, store: Store, every: int) -> None:
        self.crawler = crawler
        self.store = store
        self.every = every

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
        return extension

    def response_received(self, request: Request, **kwargs: Any) -> None:
        run = site_of(self.crawler, request)
        if run is None:
            return
        run.count("responses_since_checkpoint")
        if run.counts["responses_since_checkpoint"] % self.every or not run.state.dirty:
            return
        version = save_state(self.store, run.state)
        count(self.crawler, request, "checkpoints")
        logger.debug("state of %s checkpointed (version %d)", run.code, version)
