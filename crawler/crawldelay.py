"""Downloader middleware: apply a site's robots.txt `Crawl-delay` to its download slot.

Scrapy reads robots.txt (RobotsTxtMiddleware) but does not apply `Crawl-delay`. This middleware listens to the
`robots_parsed` signal, reads the delay for our user agent from the same parser, and keeps the host's download
slot at least that slow: before each request (a new slot takes it from `per_slot_settings`) and after each
response (AutoThrottle lowers the delay towards latency; it never goes below the site's wish here). The slot's
jitter is turned off, as a random ±50% would break the promise half of the time. Never below DOWNLOAD_DELAY,
never above NIANBAO_CRAWLDELAY_MAX (a `Crawl-delay: 3600` would make a crawl of 400 pages last 16 days; the
stat `nianbao/crawldelay/capped` says it happened).
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def slot_delay(crawl_delay: float | None, *, minimum: float, maximum: float) -> float | None:
    """The delay a slot must keep for a robots.txt `Crawl-delay` (None: the site asks for nothing)."""
    if crawl_delay is None or crawl_delay <= 0:
        return None
    return min(max(crawl_delay, minimum), maximum)


class CrawlDelayMiddleware:
    def __init__(self, crawler: Crawler, maximum: float) -> None:
        self.crawler = crawler
        self.minimum = crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.maximum = maximum
        self.useragent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        self.delays: dict[str, float] = {}  # host → delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_CRAWLDELAY_ENABLED"):
            raise NotConfigured("NIANBAO_CRAWLDELAY_ENABLED is off")
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("NIANBAO_CRAWLDELAY_ENABLED needs ROBOTSTXT_OBEY")
        middleware = cls(crawler, crawler.settings.getfloat("NIANBAO_CRAWLDELAY_MAX"))
        crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        asked = robotparser.crawl_delay(self.useragent)
        delay = slot_delay(asked, minimum=self.minimum, maximum=self.maximum)
        if delay is None or asked is None:
            return
        host = urlparse_cached(request).hostname or ""
        self.delays[host] = delay
        stats = self.crawler.stats
        if stats:
            stats.set_value(f"nianbao/crawldelay/{host}", delay)
            if asked > self.maximum:
                stats.inc_value("nianbao/crawldelay/capped")
        logger.info("%s: robots.txt Crawl-delay %s s; keeping %s s between requests", host, asked, delay)
        self._apply(request)

    def _apply(self, request: Request) -> None:
        delay = self.delays.get(urlparse_cached(request).hostname or "")
        if delay is None or self.crawler.engine is None:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:  # the slot is made on the first download; make it slow from the start
            settings = downloader.per_slot_settings.setdefault(key, {})
            settings["delay"] = max(float(settings.get("delay", 0)), delay)
            settings["jitter"] = 0
            return
        slot.jitter = 0
        if slot.delay < delay:
            slot.delay = delay

    def process_request(self, request: Request) -> None:
        self._apply(request)

    def response_downloaded(self, response: Response, request: Request, **kwargs: Any) -> None:
        self._apply(request)
