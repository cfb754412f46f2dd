"""Downloader middleware: each host's download slot keeps the delay its sites, its robots.txt and its answers ask.

One crawler serves many sites; Scrapy gives each host a download slot with its own delay, concurrency and
AutoThrottle state. This middleware keeps a slot's delay at or above its floor, before each request (a new slot
takes it from the downloader's `per_slot_settings`) and after each response (AutoThrottle lowers the delay towards
the latency; never below the floor here). The floor of a host is the largest of:

- the registry's `delay` of the sites of the host (NIANBAO_DEFAULT_DELAY for a site that names none), learnt
  when a site starts (crawler.spider's `site_opened`);
- robots.txt `Crawl-delay` for our user agent (Scrapy reads robots.txt but does not apply it), capped at
  NIANBAO_CRAWLDELAY_MAX: a `Crawl-delay: 3600` would make a crawl of 400 pages last 16 days (stat
  `nianbao/crawldelay/capped`);
- what the host said: a 429 or 503 with `Retry-After` raises the floor to that wait (at most
  NIANBAO_RETRY_AFTER_MAX), one without it doubles the floor (at least NIANBAO_BACKOFF_MIN); Scrapy's
  RetryMiddleware then asks again, after the slot's delay. Each answer that is not a refusal halves what the
  refusals added. Counts per site: `throttled` (such answers), `throttled/waited_s`.

The slot's jitter is turned off: a random ±50% would break the promise half of the time.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached

from crawler.context import count

logger = logging.getLogger(__name__)

REFUSING = (429, 503)


def slot_delay(crawl_delay: float | None, *, minimum: float, maximum: float) -> float | None:
    """The delay a slot must keep for a robots.txt `Crawl-delay` (None: the site asks for nothing)."""
    if crawl_delay is None or crawl_delay <= 0:
        return None
    return min(max(crawl_delay, minimum), maximum)


def retry_after_s(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date); None if absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(current: float, retry_after: float | None, *, minimum: float, maximum: float) -> float:
    """A refusing host's new backoff: Retry-After when given, else double the current one; within the bounds."""
    wanted = retry_after if retry_after is not None else max(current * 2, minimum)
    return min(max(wanted, current, minimum), maximum)


class PolitenessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.default_delay = settings.getfloat("NIANBAO_DEFAULT_DELAY")
        self.minimum = settings.getfloat("DOWNLOAD_DELAY")  # 0 in a crawl process; another spider's may set it
        self.crawl_delay_max = settings.getfloat("NIANBAO_CRAWLDELAY_MAX")
        self.backoff_min = settings.getfloat("NIANBAO_BACKOFF_MIN")
        self.retry_after_max = settings.getfloat("NIANBAO_RETRY_AFTER_MAX")
        self.useragent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.sites: dict[str, float] = {}  # host → the largest delay its sites asked
        self.robots: dict[str, float] = {}  # host → its robots.txt Crawl-delay
        self.backoffs: dict[str, float] = {}  # host → what its refusals added

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_POLITENESS_ENABLED"):
            raise NotConfigured("NIANBAO_POLITENESS_ENABLED is off")
        from crawler.spider import site_opened

        middleware = cls(crawler)
        crawler.signals.connect(middleware.site_opened, signal=site_opened)
        if crawler.settings.getbool("ROBOTSTXT_OBEY"):
            crawler.signals.connect(middleware.robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def floor(self, host: str) -> float:
        return max(self.minimum, self.sites.get(host, 0.0), self.robots.get(host, 0.0), self.backoffs.get(host, 0.0))

    def site_opened(self, run: Any) -> None:
        delay = run.site.delay if run.site.delay is not None else self.default_delay
        for url in run.site.start_urls:
            host = urlparse_cached(Request(url)).hostname or ""
            self.sites[host] = max(self.sites.get(host, 0.0), delay)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        asked = robotparser.crawl_delay(self.useragent)
        delay = slot_delay(asked, minimum=0.0, maximum=self.crawl_delay_max)
        if delay is None or asked is None:
            return
        host = urlparse_cached(request).hostname or ""
        self.robots[host] = delay
        if asked > self.crawl_delay_max:
            count(self.crawler, request, "crawldelay/capped")
        if self.crawler.stats:
            self.crawler.stats.set_value(f"nianbao/crawldelay/{host}", delay)
        logger.info("%s: robots.txt Crawl-delay %s s; keeping %s s between requests", host, asked, delay)
        self._apply(request)

    def _apply(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        delay = self.floor(host)
        if self.crawler.engine is None:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:  # the slot is made on the first download; make it slow from the start
            settings = downloader.per_slot_settings.setdefault(key, {})
            settings["delay"] = delay
            settings["jitter"] = 0
            return
        slot.jitter = 0
        if slot.delay < delay:
            slot.delay = delay

    def _lower(self, request: Request) -> None:
        """Bring the slot's delay down to the floor a recovering host has now (AutoThrottle raises it as needed)."""
        engine = self.crawler.engine
        slot = engine.downloader.slots.get(engine.downloader.get_slot_key(request)) if engine else None
        if slot is not None:
            slot.delay = self.floor(urlparse_cached(request).hostname or "")

    def process_request(self, request: Request) -> None:
        self._apply(request)

    def process_response(self, request: Request, response: Response) -> Response:
        """Before RetryMiddleware asks again: a refusal slows the host down, an answer lets it recover."""
        host = urlparse_cached(request).hostname or ""
        if response.status in REFUSING:
            asked = retry_after_s(response.headers.get("Retry-After"))
            current = self.backoffs.get(host, 0.0)
            self.backoffs[host] = backoff(current, asked, minimum=self.backoff_min, maximum=self.retry_after_max)
            count(self.crawler, request, f"throttled/{response.status}")
            count(self.crawler, request, "throttled/waited_s", round(self.backoffs[host]))
            logger.info("%s answered %d (Retry-After %s): %.1f s between requests", host, response.status, asked,
                        self.floor(host))  # fmt: skip
        elif host in self.backoffs:
            self.backoffs[host] /= 2
            if self.backoffs[host] < self.backoff_min / 2:
                del self.backoffs[host]
            self._lower(request)
        self._apply(request)
        return response

    def response_downloaded(self, response: Response, request: Request, **kwargs: Any) -> None:
        self._apply(request)  # after AutoThrottle's adjustment (its handler was connected first)
