"""The report spider: one Scrapy crawler, many sites at once (Scrapy's broad crawl).

A politeness delay binds a crawl to the host, not to the CPU: the only way to finish a national harvest sooner is
to crawl more hosts at once. So one spider serves a whole batch of sites: each site's walk is a `SiteCrawl`
(crawler.site), its requests carry the site's code in their meta, and the spider routes every response and
failure to the walk it belongs to. Scrapy gives each host its download slot (its delay, concurrency and
AutoThrottle state); the sites of one host share it, and are crawled one after the other (`lanes`).

`start()` feeds the sites: up to NIANBAO_HOSTS_IN_FLIGHT hosts at once; when a site's last request ends, the
next site of its host (or of a host not started yet) begins. Its state is loaded off the reactor thread; a site
whose state cannot be read ends alone with the error. A site ends when every request it made has ended —
answered, failed, refused or dropped: a request enters its `pending` on its way to the scheduler (after the
spider middlewares that may filter it: SitePendingMiddleware), and leaves when the router's callback has given
all its output, when its errback ran, or on `request_dropped`; redirects and retries keep the request's id.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.python.failure import Failure

from crawler.context import REQUEST_ID, SITE, STEP
from crawler.site import SiteCrawl
from nianbao.sites import Site, lanes

logger = logging.getLogger(__name__)

HOSTS_IN_FLIGHT = 256  # default of NIANBAO_HOSTS_IN_FLIGHT
site_opened = object()  # signal: a site of the spider starts (`run`: its SiteCrawl), before its first request


def resident_mb() -> float:
    """This process's resident memory now (Linux: /proc/self/statm), in MB; 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class ReportSpider(scrapy.Spider):
    name = "reports"
    handle_httpstatus_list = (404, 304)
    # Scrapy hands each callback's output to CONCURRENT_ITEMS (default 100) asyncio workers, started afresh for every
    # response. This spider yields requests only, which Scrapy schedules at once: one worker does the same work.
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012  # Scrapy's own attribute

    def __init__(
        self,
        sites: list[Site],
        open_site: Callable[[Site], SiteCrawl],
        on_end: Callable[[SiteCrawl], None],
        on_failed: Callable[[Site, str], None],
        hosts_in_flight: int = HOSTS_IN_FLIGHT,
        memory_mb: float = 0,
        **kwargs: Any,
    ) -> None:
        """`open_site` loads a site's state and names its WARC (blocking I/O, run in a thread); `on_end` is called
        once per site that crawled, when its last request ended; `on_failed` for a site that could not start."""
        super().__init__(**kwargs)
        self.open_site, self.on_end, self.on_failed = open_site, on_end, on_failed
        self.hosts_in_flight = max(1, hosts_in_flight)
        self.memory_mb = memory_mb  # no new host while the process holds more (0: no bound)
        self.waiting: deque[deque[Site]] = deque(deque(lane) for lane in lanes(sites))  # hosts not started
        self.ready: deque[tuple[Site, deque[Site]]] = deque()  # (site, the rest of its host's lane)
        self.runs: dict[str, SiteCrawl] = {}  # sites in flight, by code
        self.rest_of: dict[str, deque[Site]] = {}  # sites in flight → the sites after it on its host
        self.unstarted = len(sites)
        self.by_host: dict[str, SiteCrawl] = {}  # the site in flight on each host (robots.txt is the host's)
        self.lanes_in_flight = 0
        self.most_in_flight = 0
        self.held_for_memory = 0  # admissions put off because the process was over its memory bound
        self.wake = asyncio.Event()
        self.stopping = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.spider_closed, signal=signals.spider_closed)
        return spider

    # -- which site a request belongs to ---------------------------------------------------------------------
    def site_of(self, request: Request) -> SiteCrawl | None:
        """The site in flight a request belongs to: its meta, else its host's (robots.txt, Scrapy's own requests)."""
        code = request.meta.get(SITE)
        if code is not None:
            return self.runs.get(code)
        return self.by_host.get(urlparse_cached(request).netloc)

    # -- feeding sites ---------------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        self._admit()
        while self.unstarted and not self.stopping:
            while self.ready:
                # The sites ready now are opened together (their states loaded in threads at once): one by one,
                # each thread hop waits for the reactor's turn, and a busy crawler would admit a few sites a second.
                ready = [self.ready.popleft() for _ in range(len(self.ready))]
                self.unstarted -= len(ready)
                for run in await asyncio.gather(*(self._open(site, rest) for site, rest in ready)):
                    if run is None:
                        continue
                    for request in run.start_requests():
                        self.requested(request)
                        yield request
                    self._settle(run, 0)  # every first request is in (or dropped): the walk goes on from them
            if self.unstarted:
                self.wake.clear()
                await self.wake.wait()

    def _admit(self) -> None:
        """Start new hosts while fewer than `hosts_in_flight` are crawled, and the process is under its memory bound
        (then the next host starts when a site ends: at least one host is always crawled)."""
        while self.waiting and self.lanes_in_flight < self.hosts_in_flight and not self.stopping:
            if self.memory_mb and self.lanes_in_flight and resident_mb() > self.memory_mb:
                self.held_for_memory += 1
                break
            lane = self.waiting.popleft()
            self.lanes_in_flight += 1
            self.ready.append((lane.popleft(), lane))
        self.most_in_flight = max(self.most_in_flight, self.lanes_in_flight)

    async def _open(self, site: Site, rest: deque[Site]) -> SiteCrawl | None:
        """Open one site (its state loaded in a thread); a site that cannot start ends alone, with the error."""
        try:
            run = await asyncio.to_thread(self.open_site, site)
        except Exception as exc:
            self.on_failed(site, f"state not loaded: {type(exc).__name__}: {exc}")
            self._next_on_host(rest)
            return None
        run.callback, run.errback = self.route, self.route_failure
        run.pending.add(0)  # held open until its first requests are scheduled
        self.runs[site.code] = run
        self.rest_of[site.code] = rest
        self.by_host[urlsplit(site.start_urls[0]).netloc] = run
        self.opened(run)
        return run

    def opened(self, run: SiteCrawl) -> None:
        """A site starts: the crawler's per-host policies learn of it (crawler.politeness)."""
        self.crawler.signals.send_catch_log(signal=site_opened, run=run)

    def _next_on_host(self, rest: deque[Site]) -> None:
        """A site of a host ended: the host's next site, or a new host."""
        if rest and not self.stopping:
            self.ready.append((rest.popleft(), rest))
        else:
            self.lanes_in_flight -= 1
            self._admit()
        self.wake.set()

    # -- routing ---------------------------------------------------------------------------------------------
    def route(self, response: Response) -> Iterator[Request]:
        """Every response of every site: the step of its walk named in the request, then its end if it was last."""
        run = self.runs[response.meta[SITE]]
        try:
            for request in getattr(run, response.meta[STEP])(response):
                if not run.closing:  # a site told to end asks for nothing more
                    yield request
        finally:
            self._settle(run, response.meta[REQUEST_ID])

    def route_failure(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        run = self.runs.get(request.meta[SITE])
        if run is None:
            return
        try:
            run.fetch_failed(failure)
        finally:
            self._settle(run, request.meta[REQUEST_ID])

    def requested(self, request: Request) -> None:
        """A request of a site is on its way to the scheduler (crawler.middlewares.sites.SitePendingMiddleware)."""
        run = self.runs.get(request.meta.get(SITE, ""))
        if run is not None and not run.ended:
            run.pending.add(request.meta[REQUEST_ID])

    def request_dropped(self, request: Request, spider: scrapy.Spider) -> None:
        run = self.runs.get(request.meta.get(SITE, ""))
        if run is not None:
            self._settle(run, request.meta[REQUEST_ID])

    def _settle(self, run: SiteCrawl, request_id: int) -> None:
        run.pending.discard(request_id)
        if not run.pending and not run.ended:
            self._end(run, run.finish_reason or "finished")

    def _end(self, run: SiteCrawl, reason: str) -> None:
        run.ended = True
        run.finish_reason = run.finish_reason or reason
        del self.runs[run.code]
        host = urlsplit(run.site.start_urls[0]).netloc
        if self.by_host.get(host) is run:
            del self.by_host[host]
        self.on_end(run)
        self._next_on_host(self.rest_of.pop(run.code))

    def spider_closed(self, spider: scrapy.Spider, reason: str) -> None:
        """Stopped (SIGTERM, Ctrl-C) or done: the sites still in flight end with the crawler's reason."""
        if self.crawler.stats:
            self.crawler.stats.set_value("nianbao/most_hosts_in_flight", self.most_in_flight)
            self.crawler.stats.set_value("nianbao/admission_held_for_memory", self.held_for_memory)
        self.stopping = True
        for run in list(self.runs.values()):
            self._end(run, reason)
