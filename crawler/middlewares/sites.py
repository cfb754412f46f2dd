"""Downloader middlewares of a crawler that serves many sites: each site's bounds, and each site's counts.

`SiteBoundsMiddleware` (first of all): a request of a site told to end (its page bound, its time bound, a
JavaScript challenge) is refused without a byte sent; a site past NIANBAO_SITE_TIMEOUT seconds is told to end; a
local replica's requests time out at LOCAL_DOWNLOAD_TIMEOUT_S (a hang there is a fault, not a slow portal).
`SitePendingMiddleware` (a spider middleware, the last before the engine): each request a callback gives that
survived the other spider middlewares (depth, URL length) joins its site's pending requests before it reaches the
scheduler — so a site does not end while a request it made is still on its way (crawler.spider).
`SiteStatsMiddleware` (next to Scrapy's DownloaderStats, so it sees what went on the wire): per site, the
requests sent, the responses by status class (`status/2xx` …), the bytes received, timeouts and other download
errors; a site whose responses reach its `max_pages` is told to end.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.error import TimeoutError as TwistedTimeout

from crawler.context import site_of
from crawler.refused import refuse

LOCAL_DOWNLOAD_TIMEOUT_S = 8  # above the replica's slow page (3 s)


class SiteBoundsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("NIANBAO_SITE_TIMEOUT")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        run = site_of(self.crawler, request)
        if run is None:
            return
        if self.timeout and not run.closing and run.seconds() > self.timeout:
            run.close("closespider_timeout")
        if run.closing:
            raise refuse(self.crawler, request, "site_closed", f"the site's crawl is ending ({run.finish_reason})")
        if run.site.local:
            request.meta.setdefault("download_timeout", LOCAL_DOWNLOAD_TIMEOUT_S)


class SitePendingMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # Both forms: with an async one only, Scrapy turns every callback's output into an async chain (slower).
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        requested = getattr(self.crawler.spider, "requested", None)
        for output in result:
            if requested is not None and isinstance(output, Request):
                requested(output)
            yield output

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        requested = getattr(self.crawler.spider, "requested", None)
        async for output in result:
            if requested is not None and isinstance(output, Request):
                requested(output)
            yield output


class SiteStatsMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        run = site_of(self.crawler, request)
        if run is not None:
            run.count("requests")

    def process_response(self, request: Request, response: Response) -> Response:
        run = site_of(self.crawler, request)
        if run is None:
            return response
        run.count("pages")
        run.count(f"status/{response.status // 100}xx")
        headers = sum(len(k) + sum(len(v) + 4 for v in values) for k, values in response.headers.items())
        run.count("response_bytes", len(response.body) + headers + 16)  # + the status line
        if run.counts["pages"] >= run.site.max_pages:
            run.close("closespider_pagecount")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        run = site_of(self.crawler, request)
        if run is not None and not isinstance(exception, IgnoreRequest):  # refusals are counted where they happen
            timeout = isinstance(exception, TwistedTimeout) or "TimeoutError" in type(exception).__name__
            run.count("timeouts" if timeout else "download_errors")
