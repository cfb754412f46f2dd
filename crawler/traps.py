"""Downloader middleware: end URL spaces that never end (calendars, search forms, session ids in the query).

A calendar links each day to the next for ever, every page a new URL that differs only in its query string.
This middleware allows at most NIANBAO_TRAPS_QUERY_VARIANTS distinct query strings per host and path; past that,
requests are refused (`nianbao/refused/query_variants`) long before they eat the site's page budget. Listings that
page by parameter (`?page=N`, dataproxy.jsp's `startrecord`) stay well under the bound: their stop rule ends them
first, and a column of a thousand records is about thirty dataproxy requests.
"""

from __future__ import annotations

import logging
from typing import Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.refused import refuse
from nianbao.urls import canonical_url

logger = logging.getLogger(__name__)


def variant_key(url: str) -> tuple[str, str, str]:
    """(host, path, query) of the canonical URL: URLs with one key differ only in the order of their parameters."""
    parts = urlsplit(canonical_url(url))
    return parts.netloc, parts.path, parts.query


class QueryVariants:
    """The distinct queries seen per path; `allow(url)` is False once a path has `limit` others."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.seen: dict[tuple[str, str], set[str]] = {}

    def allow(self, url: str) -> bool:
        host, path, query = variant_key(url)
        if not query:
            return True
        queries = self.seen.setdefault((host, path), set())
        if query in queries:
            return True
        if len(queries) >= self.limit:
            return False
        queries.add(query)
        return True


class QueryVariantMiddleware:
    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.variants = QueryVariants(limit)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_TRAPS_ENABLED"):
            raise NotConfigured("NIANBAO_TRAPS_ENABLED is off")
        limit = crawler.settings.getint("NIANBAO_TRAPS_QUERY_VARIANTS")
        if limit < 1:
            raise NotConfigured(f"NIANBAO_TRAPS_QUERY_VARIANTS must be at least 1, not {limit}")
        return cls(crawler, limit)

    def process_request(self, request: Request) -> None:
        if self.variants.allow(request.url):
            return
        limit = self.variants.limit
        raise refuse(
            self.crawler, request, "query_variants", f"more than {limit} query variants of one path (a crawler trap)"
        )
