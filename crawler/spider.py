"""The report spider: one site, one report year.

listing pages → pagination → report links (title + year classifier) → detail pages → attachments.
The decisions are plain functions in crawler.links and crawler.pagination; this class only walks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.links import Link, clean, decode_html, detail_links, listing_items, listing_links, parse_html
from crawler.pagination import dataproxy_records, dataproxy_requests, should_stop
from nianbao.records import Capture
from nianbao.reports import classify_title
from nianbao.sites import Site

_DETAIL_PRIORITY = 10
# Home page → section → report column; deeper "columns" are the navigation repeated on every page.
COLUMN_DEPTH = 2  # details before more listing pages: captures exist even if a bound cuts the crawl


class ReportSpider(scrapy.Spider):
    name = "reports"
    handle_httpstatus_list = (404,)

    def __init__(self, site: Site, year: int, kinds: list[str], warc_key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.year = year
        self.kinds = set(kinds)
        self.warc_key = warc_key
        self.allowed_domains = list(site.allowed_domains)
        self.captures: list[Capture] = []
        self.seen_details: set[str] = set()

    async def start(self) -> Any:
        for url in self.site.listing_urls or self.site.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing)

    # -- listing pages -------------------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        # Decoded from the bytes, not by the declared charset: portals serve GBK declared as UTF-8.
        text = decode_html(response.body)
        links = listing_links(text, response.url)
        yield from self._follow_reports(links, response.url)
        # The stop rule looks at every dated item of the page, not only the reports on it.
        if not should_stop(links + listing_items(text, response.url), year=self.year):
            for link in links:
                if link.rel in ("next", "page"):
                    yield scrapy.Request(link.url, callback=self.parse_listing)
        # Columns are discovered from the home page only when the registry names no listing pages: a town's
        # column on its county's portal must not wander into the county's own columns.
        column_depth = response.meta.get("column_depth", 0)
        if not self.site.listing_urls and column_depth < COLUMN_DEPTH:
            for link in links:
                if link.rel == "column":
                    yield scrapy.Request(link.url, callback=self.parse_listing, meta={"column_depth": column_depth + 1})
        for url in dataproxy_requests(text, response.url):
            yield scrapy.Request(url, callback=self.parse_dataproxy)

    def parse_dataproxy(self, response: Response) -> Iterator[scrapy.Request]:
        links, _total = dataproxy_records(response.body, response.url)
        yield from self._follow_reports(links, response.url)
        if not should_stop(links, year=self.year):
            for link in links:
                if link.rel in ("next", "page"):
                    yield scrapy.Request(link.url, callback=self.parse_dataproxy)

    def _wanted(self, link: Link) -> bool:
        if link.rel != "report" or (link.kind and link.kind not in self.kinds):
            return False
        if link.year is not None:
            return link.year == self.year
        # No year in the (maybe truncated) title: reports on `year` appear from its December on.
        return link.date is None or f"{self.year}-12-01" <= link.date < f"{self.year + 2}-01-01"

    def _follow_reports(self, links: list[Link], source: str) -> Iterator[scrapy.Request]:
        for link in links:
            if self._wanted(link) and link.url not in self.seen_details:
                self.seen_details.add(link.url)
                meta = {
                    "anchor_text": link.title,
                    "kind": link.kind,
                    "year": link.year,
                    "source": source,
                    "listed_date": link.date,
                }
                yield scrapy.Request(link.url, callback=self.parse_detail, meta=meta, priority=_DETAIL_PRIORITY)

    # -- detail pages and attachments ----------------------------------------------------------------------
    def parse_detail(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status != 200:
            return
        meta = response.meta
        kind, year, title = meta.get("kind"), meta.get("year"), meta.get("anchor_text", "")
        attachments: list[str] = []
        if isinstance(response, TextResponse):
            text = decode_html(response.body)
            page_title = page_title_of(text)
            page_kind, page_year = classify_title(page_title)
            if page_kind:  # the detail page completes a title truncated in the listing
                kind, year, title = page_kind, page_year or year, page_title
            attachments = [a.url for a in detail_links(text, response.url)]
        self.captures.append(self._capture(response, kind=kind, year=year, title=title, attachments=attachments))
        for url in attachments:
            yield scrapy.Request(
                url,
                callback=self.parse_attachment,
                meta={
                    "anchor_text": title,
                    "kind": kind,
                    "year": year,
                    "source": response.url,
                    "listed_date": meta.get("listed_date"),
                },
                priority=_DETAIL_PRIORITY,
            )

    def parse_attachment(self, response: Response) -> None:
        if response.status == 200:
            meta = response.meta
            self.captures.append(
                self._capture(
                    response, kind=meta["kind"], year=meta["year"], title=meta["anchor_text"], attachment=True
                )
            )

    def _capture(
        self,
        response: Response,
        *,
        kind: str | None,
        year: int | None,
        title: str,
        attachment: bool = False,
        attachments: list[str] | None = None,
    ) -> Capture:
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        return Capture(
            site=self.site.code,
            year=self.year,
            url=response.request.url if response.request else response.url,
            final_url=response.url,
            status=response.status,
            headers=headers,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=hashlib.sha256(response.body).hexdigest(),
            content_type=headers.get("Content-Type", ""),
            warc_key=self.warc_key,
            warc_offset=int(response.meta.get("warc_offset", -1)),
            discovered_from=response.meta.get("source", ""),
            anchor_text=title,
            kind=kind,
            guessed_year=year,
            listed_date=response.meta.get("listed_date"),
            attachment=attachment,
            attachments=attachments or [],
        )


def page_title_of(html: str) -> str:
    """The detail page's own title: ArticleTitle meta, else h1, else <title>."""
    doc = parse_html(html)
    if doc is None:
        return ""
    for query in ('//meta[@name="ArticleTitle"]/@content', "//h1", "//title"):
        for found in doc.xpath(query):
            text = clean(found if isinstance(found, str) else found.text_content())
            if text:
                return text
    return ""
