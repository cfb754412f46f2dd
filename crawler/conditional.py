"""Downloader middleware: conditional GETs from the site's incremental state (storage.state).

Requests the spider marks with `meta["nianbao_conditional"]` carry `If-None-Match` / `If-Modified-Since` from the
state entry of their URL, when the state trusts that entry (`SiteState.trusted`): a report page or attachment
whose capture was queued before; a listing page fetched by a crawl of the same year and kinds (the spider's
`scope`) whose reports on it were all queued — a listing is where new reports appear, so its validators are not
trusted while a report it listed may have been lost. The server's 304 reaches the spider, which records the page
as unchanged and queues nothing. `--force` turns this middleware off (NIANBAO_CONDITIONAL_ENABLED). Counts:
`nianbao/conditional/sent`, `nianbao/conditional/not_modified`.
"""

from __future__ import annotations

from typing import Any, Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.context import count, site_of

META_KEY = "nianbao_conditional"


def conditional_headers(entry: dict[str, Any] | None) -> dict[str, str]:
    """The validators to send for a state entry: its ETag and Last-Modified, as the server gave them."""
    if not entry:
        return {}
    headers = {}
    if entry.get("etag"):
        headers["If-None-Match"] = str(entry["etag"])
    if entry.get("last_modified"):
        headers["If-Modified-Since"] = str(entry["last_modified"])
    return headers


class ConditionalRequestMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_CONDITIONAL_ENABLED"):
            raise NotConfigured("NIANBAO_CONDITIONAL_ENABLED is off")
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        run = site_of(self.crawler, request)
        if run is None or not request.meta.get(META_KEY):
            return
        headers = conditional_headers(run.state.trusted(request.url, run.scope))
        for name, value in headers.items():
            request.headers.setdefault(name, value)
        if headers:
            count(self.crawler, request, "conditional/sent")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304 and request.meta.get(META_KEY):
            count(self.crawler, request, "conditional/not_modified")
        return response
