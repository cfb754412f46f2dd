"""One site's crawl inside the broad crawler: what it walks, what it learnt, what it counts, when it ends.

The report walk of one site × one report year: listing pages → pagination → report links (title + year
classifier) → detail pages → attachments. The decisions are plain functions in crawler.links and
crawler.pagination; this class only walks. One Scrapy crawler serves many sites at once (crawler.spider): each
request carries its site's code in `meta[SITE]` and the name of the step that reads its response in
`meta[STEP]`; the spider routes the response here.

Every request is conditional (crawler.conditional) when the site's state trusts what the last crawl learnt of the
URL. A listing page that answers 304, or with the bytes the state holds, ends its column (`unchanged_listing`); one
fetched whole is recorded with the reports and pages it led to (`SiteState.listed`), and becomes trusted once those
reports are queued. A page the state knows well is not asked at all while crawler.revalidation says it is not due:
a report page or attachment is then left alone, a listing page is walked on from the state as if it had answered
304. Pages a changed listing page leads to are always asked: new items push older ones onto its next pages. What was
not asked is counted by reason (`skipped/…`, the summary's `skipped`).

A site ends when its last request ends (`pending` empty: every request it made was answered, failed, refused or
dropped); it may be told to end sooner (`close`: its page or time bound, a JavaScript challenge), after which
its requests still queued are refused without a byte sent. Its counts (`counts`) are its own: Scrapy's stats are
the crawler's, shared by all the sites in flight.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from crawler.conditional import META_KEY as CONDITIONAL
from crawler.context import REQUEST_ID, SITE, STEP
from crawler.gkmlpt import gkmlpt_records, gkmlpt_requests
from crawler.links import Link, Page, decode_html, detail_links, listing_items, parse_html, read_page
from crawler.listing import listing_links
from crawler.pagination import CONTINUATIONS, dataproxy_records, dataproxy_requests, should_stop, unchanged_listing
from crawler.refused import ROBOTS_FORBIDDEN, Refused
from crawler.render import LISTING
from crawler.revalidation import due, in_season, record
from nianbao.normalise import squash
from nianbao.records import Capture
from nianbao.reports import SEASON_OPENS, classify_title
from nianbao.sites import Site
from nianbao.urls import canonical_url
from storage.state import SiteState, scope

_DETAIL_PRIORITY = 10
# Home page → section → report column; deeper "columns" are the navigation repeated on every page.
COLUMN_DEPTH = 2  # details before more listing pages: captures exist even if a bound cuts the crawl
_ids = itertools.count(1)


@dataclass(eq=False)
class SiteCrawl:
    """One site's crawl: where it starts from, its walk, and what it learnt and counted on the way."""

    site: Site
    year: int
    kinds: set[str]
    crawl_id: str
    warc_key: str
    warc_path: str
    state: SiteState
    force: bool = False
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    clock: float = field(default_factory=time.monotonic)
    counts: Counter[str] = field(default_factory=Counter)
    captures: list[Capture] = field(default_factory=list)
    # Report pages and attachments that could not be fetched (timeouts, resets, 5xx after retries, size caps,
    # redirect loops, 404): each becomes a recorded failure, never a silent gap.
    fetch_failures: list[tuple[Capture, str]] = field(default_factory=list)
    seen_details: set[str] = field(default_factory=set)  # canonical URLs of the detail pages requested
    # Canonical URLs of the listing pages requested: each is recorded as followed by the first page that led to
    # it only (a TRS page links every page of its column: recording them all would grow the state N²).
    followed: set[str] = field(default_factory=set)
    pending: set[int] = field(default_factory=set)  # REQUEST_IDs scheduled and not yet ended
    finish_reason: str | None = None  # set when the site is told to end, or when it ended by itself
    blocked: str | None = None
    error: str | None = None  # why the site could not be crawled (its robots.txt unreachable): the summary's error
    ended: bool = False
    warc: IO[bytes] | None = None  # crawler.warc opens it on the first exchange
    # The spider's router: every request's callback and errback (crawler.spider.ReportSpider.route…)
    callback: Callable[..., Any] | None = None
    errback: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        # With `force` the state is still updated (the next crawl is incremental again) but not trusted.
        self.known: set[str] = set() if self.force else self.state.known(self.year)
        # Listing pages are trusted per year and kinds: a crawl for others wants other reports from the same page.
        self.scope = scope(self.year, self.kinds)
        # In the publication season of the crawl's kinds, new reports appear: every listing page is asked.
        self.season = in_season(self.kinds, self.site.level, self.year, self.started.date())

    @property
    def code(self) -> str:
        return self.site.code

    def count(self, name: str, value: int = 1) -> None:
        self.counts[name] += value

    def close(self, reason: str) -> None:
        """End the site early (`reason`: Scrapy's finish reasons, `closespider_pagecount` …): its requests not yet
        sent are refused from now on."""
        if self.finish_reason is None:
            self.finish_reason = reason

    @property
    def closing(self) -> bool:
        return self.finish_reason is not None

    def seconds(self) -> float:
        return time.monotonic() - self.clock

    # -- requests ------------------------------------------------------------------------------------------
    def request(
        self, url: str, step: str, meta: dict[str, Any], *, priority: int = 0, dont_filter: bool = False
    ) -> scrapy.Request:
        """A request of this site, answered by the spider's router, which calls `step` with the response."""
        meta = {**meta, SITE: self.code, STEP: step, REQUEST_ID: next(_ids)}
        return scrapy.Request(
            url, callback=self.callback, errback=self.errback, meta=meta, priority=priority, dont_filter=dont_filter
        )

    def start_requests(self) -> Iterator[scrapy.Request]:
        # The stop rule ends a column at the reports it knows, so a known report that changed is not reached
        # through its listing: ask for each one directly, conditionally (a 304 costs a few hundred bytes). They
        # are seen before any listing answers, so that an unchanged listing does not ask for them twice.
        known_reports = revalidations(self.state, self.year)
        self.seen_details.update(url for url, _ in known_reports)
        known_reports = [(url, entry) for url, entry in known_reports if self._due(entry, "report")]
        for url in self.site.listing_urls or self.site.start_urls:
            if self._first_follow(url):
                yield from self._listing("page", url, column_depth=0)
        for url, entry in known_reports:
            yield self._revalidation(url, entry)

    # -- listing pages -------------------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if self._unchanged_answer(response):
            yield from self._listing_unchanged(response)
            return
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        # Decoded from the bytes, not by the declared charset: portals serve GBK declared as UTF-8. Parsed and its
        # anchors read once: links, items and pagination all read this page.
        page = read_page(decode_html(response.body, content_type_of(response)), response.url)
        links = listing_links(page, response.url)
        # Record sets and JSON lists first: a JCMS pager links its record set too, and the first kind a URL is
        # followed as is the one recorded. A record set is a list of its own, asked again when its shell answers
        # 304; recorded as the shell's next page, it would be walked from the state, and new reports in it hidden.
        follow = [("dataproxy", url) for url in dataproxy_requests(page, response.url)]
        follow += [("gkmlpt", url) for url in gkmlpt_requests(page, response.url)]
        # The stop rule looks at every dated item of the page, not only the reports on it.
        if not should_stop(links + listing_items(page, response.url), year=self.year, known=self.known):
            follow += [("page", link.url) for link in links if link.rel in ("next", "page")]
        # Columns are discovered from the home page only when the registry names no listing pages: a town's
        # column on its county's portal must not wander into the county's own columns.
        if not self.site.listing_urls and response.meta.get("column_depth", 0) < COLUMN_DEPTH:
            follow += [("column", link.url) for link in links if link.rel == "column"]
        yield from self._listing_fetched(response, links, follow)

    def parse_dataproxy(self, response: Response) -> Iterator[scrapy.Request]:
        if self._unchanged_answer(response):
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
        if self._unchanged_answer(response):
            yield from self._listing_unchanged(response)
            return
        if response.status != 200:
            return
        links, _total = gkmlpt_records(response.body, response.url)
        follow: list[tuple[str, str]] = []
        if not should_stop(links, year=self.year, known=self.known):
            follow = [("gkmlpt", link.url) for link in links if link.rel == "next"]
        yield from self._listing_fetched(response, links, follow)

    def _listing(self, kind: str, url: str, *, column_depth: int) -> Iterator[scrapy.Request]:
        """A listing page no changed page led to (a first page, or one an unchanged page leads to): asked, unless
        the state trusts it for this crawl's scope and it is not due (crawler.revalidation); then it is walked on
        from the state as if it had answered 304."""
        entry = None if self.force else self.state.trusted(url, self.scope)
        if entry is None or due(entry, "listing", self.started, season=self.season):
            yield self._listing_request(kind, url, column_depth=column_depth)
            return
        self.count("skipped/listing_not_due")
        yield from self._resume(url, column_depth=column_depth + 1 if kind == "column" else column_depth)

    def _listing_request(self, kind: str, url: str, *, column_depth: int) -> scrapy.Request:
        """A request `kind` (crawler.pagination.CONTINUATIONS …) made from a listing page at `column_depth`."""
        meta: dict[str, Any] = {CONDITIONAL: True}
        if kind == "column":
            meta["column_depth"] = column_depth + 1
        if kind in CONTINUATIONS:  # a column's next page is not a hop further from the portal: DEPTH_LIMIT counts
            meta["depth_reset"] = True  # hops (Scrapy's DepthMiddleware), the column's own length is the stop rule's
        if kind in ("dataproxy", "records"):  # XML record sets: never rendered
            return self.request(url, "parse_dataproxy", meta)
        if kind == "gkmlpt":  # JSON lists
            return self.request(url, "parse_gkmlpt", meta)
        meta[LISTING] = True  # an HTML listing: rendered on a render site
        return self.request(url, "parse_listing", meta)

    def _listing_fetched(
        self, response: Response, links: list[Link], follow: list[tuple[str, str]]
    ) -> Iterator[scrapy.Request]:
        """Follow a listing page fetched whole, and record what it led to (the next crawl's 304 resumes from it)."""
        follow = [(kind, url) for kind, url in follow if self._first_follow(url)]
        wanted = [link.url for link in links if link.rel == "report" and self._wanted(link)]
        url, sha256 = requested_url(response), hashlib.sha256(response.body).hexdigest()
        before = self.state.entry(url)
        self.state.listed(
            url, self.scope, year=self.year, sha256=sha256, reports=wanted, follow=follow, **validators_of(response)
        )
        same = before is not None and before.get("sha256") == sha256  # the same bytes, not trusted for this scope
        self.state.update(url, **record(before, unchanged=same, now=datetime.now(UTC)))
        yield from self._follow_reports(links, response.url)
        column_depth = response.meta.get("column_depth", 0)
        for kind, url in follow:
            yield self._listing_request(kind, url, column_depth=column_depth)

    def _unchanged_answer(self, response: Response) -> bool:
        """A listing page's answer says it is unchanged: a 304, or the bytes the state trusts for this crawl's scope
        (a server that ignores validators)."""
        if response.status == 304:
            return True
        if self.force or response.status != 200:
            return False
        trusted = self.state.trusted(requested_url(response), self.scope)
        return trusted is not None and trusted["sha256"] == hashlib.sha256(response.body).hexdigest()

    def _listing_unchanged(self, response: Response) -> Iterator[scrapy.Request]:
        """A listing page that answered "unchanged": its column ends here, the work it led to is resumed from the
        state."""
        url = requested_url(response)
        self.count("listing_unchanged")
        validators = {k: v for k, v in validators_of(response).items() if v}
        revalidated = record(self.state.entry(url), unchanged=True, now=datetime.now(UTC))
        self.state.update(url, year=self.year, **validators, **revalidated)
        yield from self._resume(url, column_depth=response.meta.get("column_depth", 0))

    def _resume(self, url: str, *, column_depth: int) -> Iterator[scrapy.Request]:
        """Walk on from an unchanged listing page (at `column_depth`) with what the state recorded of it."""
        reports, follow = unchanged_listing(self.state, url, self.scope)
        for key in reports:
            entry = self.state.entry(key)
            if entry is not None and key not in self.seen_details:
                self.seen_details.add(key)
                if self._due(entry, "report"):
                    yield self._revalidation(key, entry)
        for kind, target in follow:
            if self._first_follow(target):
                yield from self._listing(kind, target, column_depth=column_depth)

    def _due(self, entry: dict[str, Any], kind: str) -> bool:
        """Whether a known report page or attachment is asked about in this crawl (always with `force`)."""
        if self.force or due(entry, kind, self.started):
            return True
        self.count(f"skipped/{kind}_not_due")
        return False

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
        # No year in the (maybe truncated) title: reports on `year` appear from its season's opening on.
        return link.date is None or f"{self.year}-{SEASON_OPENS}" <= link.date < f"{self.year + 2}-01-01"

    def _follow_reports(self, links: list[Link], source: str) -> Iterator[scrapy.Request]:
        for link in links:
            if link.rel == "report":
                self.state.update(link.url, year=self.year)  # known to the stop rule of the next crawl
            key = canonical_url(link.url)
            if self._wanted(link) and key not in self.seen_details:
                self.seen_details.add(key)
                yield self._report_request(
                    link.url,
                    "parse_detail",
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
            "parse_detail",
            title=entry.get("title") or "",
            kind=entry.get("kind"),
            year=entry.get("report_year"),
            source=url,
            listed_date=entry.get("listed_date"),
        )

    def _report_request(
        self,
        url: str,
        step: str,
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
            "attachment": step == "parse_attachment",
            "report": True,  # a failure to fetch it is recorded
            CONDITIONAL: True,
        }
        # The walk de-duplicates report pages itself (seen_details); dont_filter keeps the duplicate filter from
        # silently dropping a redirect loop's hops, which must end at REDIRECT_MAX_TIMES as a recorded failure.
        return self.request(url, step, meta, priority=_DETAIL_PRIORITY, dont_filter=True)

    def fetch_failed(self, failure: Failure) -> None:
        """A request of this site failed for good (Scrapy's retries are spent): report pages become failures."""
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, Refused):
            return  # refused on purpose, and counted where it was refused
        if str(failure.value) == ROBOTS_FORBIDDEN:
            self.count("robots_forbidden")
            return
        response = getattr(failure.value, "response", None)
        if response is not None and response.status in (429, 503):  # still refused after the waits and retries
            self.count("refused_by_host")
        if not request.meta.get("report"):
            return
        reason = (
            f"HTTP {response.status}" if response is not None else f"{type(failure.value).__name__}: {failure.value}"
        )
        self._failed(request.meta.get("redirect_urls", [request.url])[0], request.meta, reason)

    def _failed(self, url: str, meta: dict[str, Any], reason: str) -> None:
        self.count("fetch_failed")
        capture = Capture(
            site=self.code, year=self.year, url=url, final_url=url, status=0, headers={},
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
            known = entry.get("attachments", [])
            yield from self._attachment_requests(
                [a for a in known if self._due(self.state.entry(a) or {}, "attachment")],
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
            page = parse_html(decode_html(response.body, content_type_of(response)))  # once: title, attachments
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
                url, "parse_attachment", title=title, kind=kind, year=year, source=source, listed_date=listed_date
            )

    def parse_attachment(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status == 304:
            self._unchanged(requested_url(response), response)
        elif response.status == 200:
            meta = response.meta
            self._keep(response, kind=meta["kind"], year=meta["year"], title=meta["anchor_text"], attachment=True)
        else:
            self._failed(requested_url(response), response.meta, f"HTTP {response.status}")
        return iter(())

    # -- incremental state ---------------------------------------------------------------------------------
    def _unchanged(self, url: str, response: Response) -> None:
        self.count("unchanged")
        validators = {k: v for k, v in validators_of(response).items() if v}
        self.state.update(url, year=self.year, **validators, **self._checked(url, unchanged=True))

    def _checked(self, url: str, *, unchanged: bool) -> dict[str, Any]:
        """The revalidation record of a report page or attachment just asked about (crawler.revalidation)."""
        return record(self.state.entry(url), unchanged=unchanged, now=datetime.now(UTC))

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
            **self._checked(url, unchanged=unchanged),
        }
        if not attachment:
            values["attachments"] = list(attachments or [])
        self.state.update(url, year=self.year, queued=unchanged, **validators_of(response), **values)
        if unchanged:  # a server without validators, or one that ignores them: same bytes, nothing to extract
            self.count("unchanged")
            self.count("unchanged_same_sha256")
            return
        headers = {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        capture = Capture(
            site=self.code,
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
