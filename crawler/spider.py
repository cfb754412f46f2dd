"""The report spider: one site, one report year.

listing pages → pagination → report links (title + year classifier) → detail pages → attachments.
The decisions are plain functions in crawler.links and crawler.pagination; this class only walks.

Every request is conditional (crawler.conditional) when the site's state trusts what the last crawl learnt of the
URL. A listing page that answers 304 ends its column (`unchanged_listing`); one fetched whole is recorded with the
reports and pages it led to (`SiteState.listed`), and becomes trusted once those reports are queued.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.conditional import META_KEY as CONDITIONAL
from crawler.gkmlpt import gkmlpt_records, gkmlpt_requests
from crawler.links import Link, Page, decode_html, detail_links, listing_items, parse_html
from crawler.listing import listing_links
from crawler.pagination import dataproxy_records, dataproxy_requests, should_stop, unchanged_listing
from crawler.refused import ROBOTS_FORBIDDEN, Refused
from crawler.render import LISTING, render_settings
from nianbao.normalise import squash
from nianbao.records import Capture
from nianbao.reports import classify_title
from nianbao.sites import Site
from nianbao.urls import canonical_url
from storage.state import SiteState, scope

_DETAIL_PRIORITY = 10
# Home page → section → report column; deeper "columns" are the navigation repeated on every page.
COLUMN_DEPTH = 2  # details before more listing pages: captures exist even if a bound cuts the crawl


class ReportSpider(scrapy.Spider):
    name = "reports"
    handle_httpstatus_list = (404, 304)
    # Scrapy hands each callback's output to CONCURRENT_ITEMS (default 100) asyncio workers, started afresh for every
    # response. This spider yields requests only, which Scrapy schedules at once: one worker does the same work.
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012  # Scrapy's own attribute

    def __init__(
        self,
        site: Site,
        year: int,
        kinds: list[str],
        warc_key: str,
        state: SiteState | None = None,
        force: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site = site
        self.year = year
        self.kinds = set(kinds)
        self.warc_key = warc_key
        self.allowed_domains = list(site.allowed_domains)
        self.captures: list[Capture] = []
        # Report pages and attachments that could not be fetched (timeouts, resets, 5xx after retries, size caps,
        # redirect loops, 404): each becomes a recorded failure, never a silent gap.
        self.fetch_failures: list[tuple[Capture, str]] = []
        self.seen_details: set[str] = set()  # canonical URLs of the detail pages requested
        # Canonical URLs of the listing pages requested: each is recorded as followed by the first page that led to
        # it only (a TRS page links every page of its column: recording them all would grow the state N²).
        self.followed: set[str] = set()
        # The site's incremental state: updated as pages arrive, checkpointed by crawler.checkpoint. With `force`
        # it is still updated (the next crawl is incremental again) but not trusted: everything is re-fetched.
        self.state = state if state is not None else SiteState(site.code)
        self.force = force
        self.known: set[str] = set() if force else self.state.known(year)
        # Listing pages are trusted per year and kinds: a crawl for others wants other reports from the same page.
        self.scope = scope(year, kinds)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider, and the settings of its site that only it knows of: rendering (crawler.render).

        Scrapy reads a crawler's settings once its spider exists, so a spider may still set them here.
        """
        spider = super().from_crawler(crawler, *args, **kwargs)
        chromium = crawler.settings.get("NIANBAO_RENDER_CHROMIUM")
        crawler.settings.setdict(render_settings(spider.site, chromium), priority="spider")
        return spider

    async def start(self) -> Any:
        # The stop rule ends a column at the reports it knows, so a known report that changed is not reached
        # through its listing: ask for each one directly, conditionally (a 304 costs a few hundred bytes). They
        # are seen before any listing answers, so that an unchanged listing does not ask for them twice.
        known_reports = revalidations(self.state, self.year)
        self.seen_details.update(url for url, _ in known_reports)
        for url in self.site.listing_urls or self.site.start_urls:
            if self._first_follow(url):
                yield self._listing_request("page", url, column_depth=0)
        for url, entry in known_reports:
            yield self._revalidation(url, entry)

    # -- listing pages -------------------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 304:
            yield from self._listing_unchanged(response)
            return
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        # Decoded from the bytes, not by the declared charset: portals serve GBK declared as UTF-8. Parsed once:
        # links, items and pagination all read this tree.
        page = parse_html(decode_html(response.body, content_type_of(response)))
        links = listing_links(page, response.url)
        follow: list[tuple[str, str]] = []
        # The stop rule looks at every dated item of the page, not only the reports on it.
        if not should_stop(links + listing_items(page, response.url), year=self.year, known=self.known):
            follow += [("page", link.url) for link in links if link.rel in ("next", "page")]
        # Columns are discovered from the home page only when the registry names no listing pages: a town's
        # column on its county's portal must not wander into the county's own columns.
        if not self.site.listing_urls and response.meta.get("column_depth", 0) < COLUMN_DEPTH:
            follow += [("column", link.url) for link in links if link.rel == "column"]
        follow += [("dataproxy", url) for url in dataproxy_requests(page, response.url)]
        follow += [("gkmlpt", url) for url in gkmlpt_requests(page, response.url)]
        yield from self._listing_fetched(response, links, follow)

    def parse_dataproxy(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 304:
            yield from self._listing_unchanged(response)
            return
        if response.status != 200:
            return
        links, _total = dataproxy_records(response.body, response.url)
        follow: list[tuple[str, str]] = []
        if not should_stop(links, year=self.year, known=self.known):
            follow = [("records", link.url) for link in links if link.rel in ("next", "page")]
        yield from self._listing_fetched(response, links, follow)

    def parse_gkmlpt(self, response: Response) -> Iterator[scrapy.Request]:
        """One page of a gkmlpt catalogue node's JSON list (crawler.gkmlpt)."""
        if response.status == 304:
            yield from self._listing_unchanged(response)
            return
        if response.status != 200:
            return
        links, _total = gkmlpt_records(response.body, response.url)
        follow: list[tuple[str, str]] = []
        if not should_stop(links, year=self.year, known=self.known):
            follow = [("gkmlpt", link.url) for link in links if link.rel == "next"]
        yield from self._listing_fetched(response, links, follow)

    def _listing_request(self, kind: str, url: str, *, column_depth: int) -> scrapy.Request:
        """A request `kind` (crawler.pagination.CONTINUATIONS …) made from a listing page at `column_depth`."""
        meta: dict[str, Any] = {CONDITIONAL: True}
        if kind == "column":
            meta["column_depth"] = column_depth + 1
        if kind in ("dataproxy", "records"):  # XML record sets: never rendered
            return scrapy.Request(url, callback=self.parse_dataproxy, meta=meta)
        if kind == "gkmlpt":  # JSON lists
            return scrapy.Request(url, callback=self.parse_gkmlpt, meta=meta)
        meta[LISTING] = True  # an HTML listing: rendered on a render site
        return scrapy.Request(url, callback=self.parse_listing, meta=meta)

    def _listing_fetched(
        self, response: Response, links: list[Link], follow: list[tuple[str, str]]
    ) -> Iterator[scrapy.Request]:
        """Follow a listing page fetched whole, and record what it led to (the next crawl's 304 resumes from it)."""
        follow = [(kind, url) for kind, url in follow if self._first_follow(url)]
        wanted = [link.url for link in links if link.rel == "report" and self._wanted(link)]
        self.state.listed(
            requested_url(response),
            self.scope,
            year=self.year,
            sha256=hashlib.sha256(response.body).hexdigest(),
            reports=wanted,
            follow=follow,
            **validators_of(response),
        )
        yield from self._follow_reports(links, response.url)
        column_depth = response.meta.get("column_depth", 0)
        for kind, url in follow:
            yield self._listing_request(kind, url, column_depth=column_depth)

    def _listing_unchanged(self, response: Response) -> Iterator[scrapy.Request]:
        """A listing page that answered 304: its column ends here, the work it led to is resumed from the state."""
        url = requested_url(response)
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/listing_unchanged")
        self.state.update(url, year=self.year, **{k: v for k, v in validators_of(response).items() if v})
        reports, follow = unchanged_listing(self.state, url, self.scope)
        for key in reports:
            entry = self.state.entry(key)
            if entry is not None and key not in self.seen_details:
                self.seen_details.add(key)
                yield self._revalidation(key, entry)
        column_depth = response.meta.get("column_depth", 0)
        for kind, target in follow:
            if self._first_follow(target):
                yield self._listing_request(kind, target, column_depth=column_depth)

    def _first_follow(self, url: str) -> bool:
        """Whether this crawl requests the listing page `url` for the first time (and now it has)."""
        key = canonical_url(url)
        if key in self.followed:
            return False
        self.followed.add(key)
        return True

    def _wanted(self, link: Link) -> bool:
        if link.rel != "report" or (link.kind and link.kind not in self.kinds):
            return False
        if link.year is not None:
            return link.year == self.year
        # No year in the (maybe truncated) title: reports on `year` appear from its December on.
        return link.date is None or f"{self.year}-12-01" <= link.date < f"{self.year + 2}-01-01"

    def _follow_reports(self, links: list[Link], source: str) -> Iterator[scrapy.Request]:
        for link in links:
            if link.rel == "report":
                self.state.update(link.url, year=self.year)  # known to the stop rule of the next crawl
            key = canonical_url(link.url)
            if self._wanted(link) and key not in self.seen_details:
                self.seen_details.add(key)
                yield self._report_request(
                    link.url,
                    self.parse_detail,
                    title=link.title,
                    kind=link.kind,
                    year=link.year,
                    source=source,
                    listed_date=link.date,
                )

    def _revalidation(self, url: str, entry: dict[str, Any]) -> scrapy.Request:
        """A report page known from the state, asked for directly (conditionally) with what the state knows of it."""
        return self._report_request(
            url,
            self.parse_detail,
            title=entry.get("title") or "",
            kind=entry.get("kind"),
            year=entry.get("report_year"),
            source=url,
            listed_date=entry.get("listed_date"),
        )

    def _report_request(
        self,
        url: str,
        callback: Any,
        *,
        title: str,
        kind: str | None,
        year: int | None,
        source: str,
        listed_date: str | None,
    ) -> scrapy.Request:
        """A detail page or attachment: fetched before more listing pages, conditionally when the state knows it."""
        meta = {
            "anchor_text": title,
            "kind": kind,
            "year": year,
            "source": source,
            "listed_date": listed_date,
            "attachment": callback == self.parse_attachment,
            CONDITIONAL: True,
        }
        # The spider de-duplicates report pages itself (seen_details); dont_filter keeps the duplicate filter from
        # silently dropping a redirect loop's hops, which must end at REDIRECT_MAX_TIMES as a recorded failure.
        return scrapy.Request(
            url, callback=callback, errback=self.fetch_failed, meta=meta, priority=_DETAIL_PRIORITY, dont_filter=True
        )

    def fetch_failed(self, failure: Failure) -> None:
        """Errback of report requests: the download failed for good (Scrapy's retries are spent)."""
        if isinstance(failure.value, Refused) or str(failure.value) == ROBOTS_FORBIDDEN:
            return  # refused on purpose, and counted where it was refused
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        reason = (
            f"HTTP {response.status}" if response is not None else f"{type(failure.value).__name__}: {failure.value}"
        )
        self._failed(request.meta.get("redirect_urls", [request.url])[0], request.meta, reason)

    def _failed(self, url: str, meta: dict[str, Any], reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("nianbao/fetch_failed")
        capture = Capture(
            site=self.site.code, year=self.year, url=url, final_url=url, status=0, headers={},
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"), sha256="", content_type="", warc_key="",
            warc_offset=-1, discovered_from=meta.get("source", ""), anchor_text=meta.get("anchor_text", ""),
            kind=meta.get("kind"), guessed_year=meta.get("year"), listed_date=meta.get("listed_date"),
            attachment=bool(meta.get("attachment")),
        )  # fmt: skip
        self.fetch_failures.append((capture, reason))

    # -- detail pages and attachments ----------------------------------------------------------------------
    def parse_detail(self, response: Response) -> Iterator[scrapy.Request]:
        meta = response.meta
        url = requested_url(response)
        if response.status == 304:  # unchanged since the last crawl: its attachments may still have changed
            entry = self.state.entry(url) or {}
            self._unchanged(url, response)
            yield from self._attachment_requests(
                entry.get("attachments", []),
                url,
                kind=entry.get("kind") or meta.get("kind"),
                year=entry.get("report_year") or meta.get("year"),
                title=entry.get("title") or meta.get("anchor_text", ""),
                listed_date=meta.get("listed_date"),
            )
            return
        if response.status != 200:
            self._failed(url, meta, f"HTTP {response.status}")
            return
        kind, year, title = meta.get("kind"), meta.get("year"), meta.get("anchor_text", "")
        attachments: list[str] = []
        if isinstance(response, TextResponse):
            page = parse_html(
                decode_html(response.body, content_type_of(response))
            )  # parsed once for its title and its attachments
            page_title = page_title_of(page)
            page_kind, page_year = classify_title(page_title)
            if page_kind:  # the detail page completes a title truncated in the listing
                kind, year, title = page_kind, page_year or year, page_title
            attachments = [a.url for a in detail_links(page, response.url)]
        self._keep(response, kind=kind, year=year, title=title, attachments=attachments)
        yield from self._attachment_requests(
            attachments, response.url, kind=kind, year=year, title=title, listed_date=meta.get("listed_date")
        )

    def _attachment_requests(
        self, urls: list[str], source: str, *, kind: str | None, year: int | None, title: str, listed_date: str | None
    ) -> Iterator[scrapy.Request]:
        for url in urls:
            yield self._report_request(
                url, self.parse_attachment, title=title, kind=kind, year=year, source=source, listed_date=listed_date
            )

    def parse_attachment(self, response: Response) -> None:
        if response.status == 304:
            self._unchanged(requested_url(response), response)
        elif response.status == 200:
            meta = response.meta
            self._keep(response, kind=meta["kind"], year=meta["year"], title=meta["anchor_text"], attachment=True)
        else:
            self._failed(requested_url(response), response.meta, f"HTTP {response.status}")

    # -- incremental state ---------------------------------------------------------------------------------
    def _unchanged(self, url: str, response: Response) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value("nianbao/unchanged")
        validators = validators_of(response)
        self.state.update(url, year=self.year, **{k: v for k, v in validators.items() if v})

    def _keep(
        self,
        response: Response,
        *,
        kind: str | None,
        year: int | None,
        title: str,
        attachment: bool = False,
        attachments: list[str] | None = None,
    ) -> None:
        """Queue a capture of a 200 response, unless its body is the one the state already holds."""
        url = requested_url(response)
        sha256 = hashlib.sha256(response.body).hexdigest()
        trusted = None if self.force else self.state.trusted(url)
        unchanged = trusted is not None and trusted.get("sha256") == sha256
        values: dict[str, Any] = {
            "sha256": sha256,
            "kind": kind,
            "report_year": year,
            "title": title,
            "listed_date": response.meta.get("listed_date"),
        }
        if not attachment:
            values["attachments"] = list(attachments or [])
        self.state.update(url, year=self.year, queued=unchanged, **validators_of(response), **values)
        if unchanged:  # a server without validators, or one that ignores them: same bytes, nothing to extract
            if self.crawler.stats:
                self.crawler.stats.inc_value("nianbao/unchanged")
                self.crawler.stats.inc_value("nianbao/unchanged_same_sha256")
            return
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        capture = Capture(
            site=self.site.code,
            year=self.year,
            url=url,  # as requested: the state's key is its canonical form; `final_url` is where redirects ended
            final_url=response.url,
            status=response.status,
            headers=headers,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=sha256,
            content_type=headers.get("Content-Type", ""),
            warc_key=self.warc_key,
            warc_offset=int(response.meta.get("warc_offset", -1)),
            warc_length=int(response.meta.get("warc_length", 0)),
            discovered_from=response.meta.get("source", ""),
            anchor_text=title,
            kind=kind,
            guessed_year=year,
            listed_date=response.meta.get("listed_date"),
            attachment=attachment,
            attachments=attachments or [],
        )
        self.captures.append(capture)


def revalidations(state: SiteState, year: int) -> list[tuple[str, dict[str, Any]]]:
    """The report detail pages of `year` that an earlier crawl fetched and queued (the state's trusted entries).

    Attachments are not among them: a detail page that answers 304 asks for its attachments itself.
    """
    return [
        (url, entry)
        for url, entry in state.urls.items()
        if "attachments" in entry
        and state.trusted(url) is not None
        and year in entry.get("years", ())
        and entry.get("report_year") in (year, None)
    ]


def page_title_of(html: Page) -> str:
    """The detail page's own title: ArticleTitle meta, else h1, else <title>."""
    doc = parse_html(html)
    if doc is None:
        return ""
    for query in ('//meta[@name="ArticleTitle"]/@content', "//h1", "//title"):
        for found in doc.xpath(query):
            text = squash(found if isinstance(found, str) else found.text_content())
            if text:
                return text
    return ""


def requested_url(response: Response) -> str:
    """The URL the spider asked for (before any redirect): the Capture's URL, whose canonical form keys the state."""
    redirects = response.meta.get("redirect_urls")
    if redirects:
        return str(redirects[0])
    return response.request.url if response.request else response.url


def validators_of(response: Response) -> dict[str, str | None]:
    """The response's ETag and Last-Modified, for the next crawl's conditional request."""
    etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
    return {
        "etag": etag.decode("latin-1") if etag else None,
        "last_modified": modified.decode("latin-1") if modified else None,
    }


def content_type_of(response: Response) -> str | None:
    """The response's Content-Type header as text: its charset is the first declaration the decoder weighs."""
    value = response.headers.get("Content-Type")
    return value.decode("latin-1") if value else None
