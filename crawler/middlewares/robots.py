"""Downloader middleware: Scrapy's robots.txt middleware, with each host's robots.txt kept for a day in the state.

RFC 9309 lets a crawler keep robots.txt up to 24 hours. A re-run the same day need not ask every host for it
again: the text fetched last (kept in the site's state entry of the robots.txt URL, crawler.revalidation's
`fresh_robots`) is parsed as if just downloaded, `robots_parsed` included (crawler.middlewares.politeness reads
its Crawl-delay). A robots.txt fetched is recorded there for the next crawl. `--force` fetches it again. Count:
`skipped/robots_kept` (a request not sent: the site's summary lists it under `skipped`).
"""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawler.context import count, site_of
from crawler.revalidation import fresh_robots
from storage.state import now_iso

ROBOTS_MAX_BYTES = 65_536  # a longer robots.txt is not kept (it is fetched each crawl)


def robots_url(request: Request) -> str:
    url = urlparse_cached(request)
    return f"{url.scheme}://{url.netloc}/robots.txt"


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
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

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        run = site_of(self.crawler, request)
        if run is not None and response.status == 200 and len(response.body) <= ROBOTS_MAX_BYTES:
            text = response.body.decode("utf-8", errors="replace")
            run.state.update(robots_url(request), robots=text, checked=now_iso())
        await super()._parse_robots(response, netloc, request)
