"""Downloader middleware: Scrapy's robots.txt middleware, with each host's robots.txt kept for a day in the state.

RFC 9309 lets a crawler keep robots.txt up to 24 hours. A re-run the same day need not ask every host for it
again: the text fetched last (kept in the site's state entry of the robots.txt URL, crawler.revalidation's
`fresh_robots`) is parsed as if just downloaded, `robots_parsed` included (crawler.middlewares.politeness reads
its Crawl-delay). A robots.txt fetched is recorded there for the next crawl. `--force` fetches it again. Count:
`skipped/robots_kept` (a request not sent: the site's summary lists it under `skipped`).

A robots.txt that cannot be had is not read as "allow everything" (Scrapy's way): RFC 9309 (2.3.1.4) has a crawler
assume complete disallow when it is unreachable, a 5xx answer or a network error after the retries (a 429 too: the
host refuses us). Each site of that host then ends alone, failed with the reason (its summary's error); the other
sites of the crawler go on, and the next harvest asks again. A 4xx answer means there is none: everything is allowed.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler.context import count, site_of
from crawler.refused import Refused
from crawler.revalidation import fresh_robots
from storage.state import now_iso

ROBOTS_MAX_BYTES = 65_536  # a longer robots.txt is not kept (it is fetched each crawl)


def unreachable(status: int) -> bool:
    """Whether a robots.txt answer with `status` counts as unreachable (complete disallow), not as absent."""
    return status >= 500 or status == 429


def robots_url(request: Request) -> str:
    url = urlparse_cached(request)
    return f"{url.scheme}://{url.netloc}/robots.txt"


class RobotsUnreachable(Refused):
    """A request not sent because its host's robots.txt could not be had: the host, not a rule of ours, is why
    (discovery records such a portal as unreachable, not as refused)."""


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.unreachable: dict[str, str] = {}  # netloc → why its robots.txt could not be had

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        run = site_of(self.crawler, request)
        if netloc not in self._parsers and run is not None and not run.force:
            text = fresh_robots(run.state.entry(robots_url(request)))
            if text is not None:
                parser = build_from_crawler(self._parserimpl, self.crawler, text.encode("utf-8"))
                self._parsers[netloc] = parser
                count(self.crawler, request, "skipped/robots_kept")
                await self.crawler.signals.send_catch_log_async(
                    signal=signals.robots_parsed, robotparser=parser, request=request
                )
        return await super().robot_parser(request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        why = self.unreachable.get(urlparse_cached(request).netloc)
        if why is None:
            super().process_request_2(rp, request)
            return
        run = site_of(self.crawler, request)
        if run is not None and not run.error:
            run.error = f"robots.txt unreachable ({why}): not crawled, as RFC 9309 asks; the next harvest asks again"
            run.close("robots_unreachable")
        count(self.crawler, request, "refused/robots_unreachable")
        raise RobotsUnreachable(f"Refused {request.url}: robots.txt unreachable ({why})")

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if not isinstance(exc, IgnoreRequest):  # refused by us (a closing site), not by the host
            self.unreachable[netloc] = f"{type(exc).__name__}: {exc}"[:200]
        super()._robots_error(exc, netloc)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if unreachable(response.status):
            self.unreachable[netloc] = f"HTTP {response.status}"
            self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
            self._robots_error(IgnoreRequest(f"HTTP {response.status}"), netloc)  # no parser: process_request_2
            return
        run = site_of(self.crawler, request)
        if run is not None and response.status == 200 and len(response.body) <= ROBOTS_MAX_BYTES:
            text = response.body.decode("utf-8", errors="replace")
            run.state.update(robots_url(request), robots=text, checked=now_iso())
        await super()._parse_robots(response, netloc, request)
