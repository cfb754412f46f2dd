"""Downloader middleware: every HTTP exchange of a crawl goes into the crawl's WARC file.

The response record's offset and length are kept in `request.meta["warc_offset"]` and `["warc_length"]`, so a
capture can point at its body.
"""

from __future__ import annotations

from typing import IO, Any, Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from storage.warc import write_exchange


def _headers(headers: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


class WarcMiddleware:
    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.out: IO[bytes] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_WARC_ENABLED"):
            raise NotConfigured("NIANBAO_WARC_ENABLED is off")
        path = crawler.settings.get("NIANBAO_WARC_PATH")
        if not path:
            raise NotConfigured("NIANBAO_WARC_PATH is not set")
        middleware = cls(crawler, path)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        if self.out is None:
            self.out = open(self.path, "ab")  # closed on spider_closed
        request.meta["warc_offset"], request.meta["warc_length"] = write_exchange(
            self.out,
            url=response.url,
            method=request.method,
            request_headers=_headers(request.headers),
            status=response.status,
            reason="",
            response_headers=_headers(response.headers),
            body=response.body,
        )
        if self.crawler.stats:
            self.crawler.stats.inc_value("warc/records")
        return response

    def spider_closed(self, spider: Spider) -> None:
        if self.out is not None:
            self.out.close()
