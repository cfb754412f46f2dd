"""Downloader middleware: every HTTP exchange of a site's crawl goes into that site's WARC file.

One crawler serves many sites, each with its own WARC (`SiteCrawl.warc_path`), opened on the site's first
exchange and closed by crawler.crawl when the site ends. robots.txt goes into the WARC of its host's site. A
crawler of another spider (crawler.discover) writes every exchange to NIANBAO_WARC_PATH, when set. The
response record's offset and length are kept in `request.meta["warc_offset"]` and `["warc_length"]`, so a
capture can point at its body.
"""

from __future__ import annotations

from typing import IO, Any, Self

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.context import site_of
from storage.warc import write_exchange


def _headers(headers: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values]


class WarcMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.path = crawler.settings.get("NIANBAO_WARC_PATH")
        self.out: IO[bytes] | None = None  # the crawler's own WARC (no sites)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_WARC_ENABLED"):
            raise NotConfigured("NIANBAO_WARC_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        run = site_of(self.crawler, request)
        if run is not None:
            if run.warc is None:
                run.warc = open(run.warc_path, "ab")  # closed when the site ends (crawler.crawl)
            out = run.warc
            run.count("warc_records")
        elif self.path and not hasattr(self.crawler.spider, "site_of"):
            if self.out is None:
                self.out = open(self.path, "ab")  # closed on spider_closed
            out = self.out
        else:
            return response
        request.meta["warc_offset"], request.meta["warc_length"] = write_exchange(
            out,
            url=response.url,
            method=request.method,
            request_headers=_headers(request.headers),
            status=response.status,
            reason="",
            response_headers=_headers(response.headers),
            body=response.body,
        )
        return response

    def spider_closed(self) -> None:
        if self.out is not None:
            self.out.close()
