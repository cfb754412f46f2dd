"""Which links on a listing or detail page lead to reports, attachments, columns and further pages.

Plain functions over page text (or bytes) and the page URL that return plain `Link` records, with no Scrapy
and no I/O, so that the spider and the `nianbao links FILE` command apply exactly the same policy.

Each anchor is read within its listing row (`crawler.rows`: the item it belongs to, the date that row shows, the
title the anchor offers). Report titles are judged by `nianbao.reports.classify_title`, the classifier the workers
also use, so the crawler and the metadata never disagree on what a report is.

The words, patterns and tuned numbers these functions apply are data in `crawler.rules`.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal, TypeAlias
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.rows import RowDating, anchor_title, anchors, is_container, is_flat, is_truncated, row_dating, row_of
from crawler.rules import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_LABEL,
    ATTACHMENT_LABEL_REACH,
    ATTACHMENT_PREFIX,
    COLUMN_NAMES,
    COLUMN_TEXT_MAX,
    COLUMN_YEAR,
    COMMENT_LINK,
    COMMENT_MIN_LINKS,
    ELLIPSIS,
    EMBEDDED_FILES,
    HREF_BREAKS,
    INDEX_FILE,
    MARKUP,
    RELATIVE_DATE,
    ROW_MAX_ANCHORS,
    ROW_MAX_TEXT,
    SCRIPT_HREF,
    SKIP_SCHEMES,
    TITLE_COMPLETIONS,
)
from nianbao.decode import DecodeError, decode, without_xml_declaration
from nianbao.markup import shallow, too_deep
from nianbao.normalise import compact, squash
from nianbao.reports import classify_title, find_year, load_kinds, title_year
from nianbao.urls import canonical_url, simplified_url

logger = logging.getLogger(__name__)

Rel = Literal["report", "next", "page", "column", "attachment", "item"]
# A page as the functions here take it: its text or bytes, the tree `parse_html` made of them, or that tree with
# its anchors read (`PageAnchors`). The spider reads each response for several things (links, items, pagination,
# attachments): it reads the page once and passes it on. None is a page with nothing to parse.
Page: TypeAlias = "str | bytes | HtmlElement | PageAnchors | None"

# Every page of a site repeats its navigation, and the site's pages share their base URL: the same hrefs and titles
# come back page after page, and each is resolved and classified once. Bounded: a crawl process sees many sites.
_MEMO_SIZE = 8192


@dataclass
class Link:
    """One link found on a page, with what the crawler needs to decide whether and how to follow it."""

    rel: Rel
    url: str
    title: str = ""
    kind: str | None = None
    year: int | None = None
    date: str | None = None  # ISO date of the listing item the link sits in
    truncated: bool = False  # the title was cut short ("…"): the detail page carries the full one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------- parsing


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """Page bytes as text, by nianbao's one decoder (the workers and `nianbao links` use the same): declared
    charsets checked against the bytes, superset codecs, mojibake repair. A body that is no text (an image, an
    archive) is an empty page: nothing to follow."""
    try:
        return decode(raw, content_type=content_type).text
    except DecodeError:
        return ""


def parse_html(html: Page) -> HtmlElement | None:
    """An lxml tree for the page, or None for an empty or unparsable page (nothing to follow, not an error).

    A tree is returned as it is: it was parsed already.
    """
    if isinstance(html, PageAnchors):
        return html.doc
    if not isinstance(html, str | bytes):
        return html
    if isinstance(html, bytes):
        # lxml's own charset sniffing loses most of some GBK pages; decode here instead.
        html = decode_html(html)
    # lxml refuses text that still carries an XML encoding declaration; the text is already decoded.
    html = without_xml_declaration(html)
    if not html or not html.strip():
        return None
    try:
        parser = lxml.html.HTMLParser()
        doc = lxml.html.fromstring(html, parser=parser)
        if too_deep(parser.error_log):  # cut at libxml2's depth limit: parsed again, nested no deeper than it
            doc = lxml.html.fromstring(shallow(html))
    except (etree.ParserError, ValueError) as e:
        logger.debug("unparsable page: %s", e)
        return None
    uncomment_listings(doc)
    return doc


def uncomment_listings(doc: HtmlElement) -> None:
    """Put the markup of comments that hold a listing's links back into the tree, in place of the comment."""
    for comment in list(doc.iter(etree.Comment)):
        text = comment.text or ""
        parent = comment.getparent()
        if parent is None or len(COMMENT_LINK.findall(text)) < COMMENT_MIN_LINKS:
            continue
        try:
            parts = lxml.html.fragments_fromstring(text)
        except (etree.ParserError, ValueError):
            continue
        index = parent.index(comment)
        previous = comment.getprevious()
        leading = parts.pop(0) if parts and isinstance(parts[0], str) else ""
        if previous is not None:
            previous.tail = (previous.tail or "") + leading
        else:
            parent.text = (parent.text or "") + leading
        for offset, part in enumerate(parts):
            parent.insert(index + offset, part)
        last = parts[-1] if parts else previous
        if last is not None:
            last.tail = (last.tail or "") + (comment.tail or "")
        parent.remove(comment)


def base_url(doc: Any, url: str) -> str:
    """The URL relative links resolve against: the page's `<base href>` if it has one."""
    for href in doc.xpath("//base/@href"):
        if href.strip():
            return urljoin(url, href.strip())
    return url


def absolute_url(href: str | None, base: str) -> str | None:
    """The absolute http(s) URL of an href, without fragment, or None for links that lead nowhere to crawl.

    A `/gate/big5/` copy is the page it copies: its link becomes a link to the simplified page (nianbao.urls).
    """
    # Remembered by plain strings: an attribute string from lxml's xpath holds its whole page in memory.
    return _absolute_url(str(href), str(base)) if href else None


@lru_cache(maxsize=_MEMO_SIZE)
def _absolute_url(href: str, base: str) -> str | None:
    href = HREF_BREAKS.sub("", href).strip()
    if not href or href.startswith("#") or href.lower().startswith(SKIP_SCHEMES):
        return None
    try:
        absolute = urldefrag(urljoin(base, href))[0]
    except ValueError:  # malformed IPv6 host and the like
        return None
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return simplified_url(absolute)


class PageAnchors:
    """A parsed page and what its link readers ask of its anchors, each asked once: an anchor's URL, row, title,
    row date and text.

    A listing page is read by several readers (report links, dated items, columns, pagers), each walking the same
    anchors: read through one PageAnchors (`read_page`), the page's anchors are resolved, titled and dated once.
    The answers are those of `absolute_url` and `crawler.rows`; the tree is never changed while it is read.
    """

    def __init__(self, doc: HtmlElement, url: str) -> None:
        self.doc, self.url = doc, url
        self.base = base_url(doc, url)
        self.anchors = anchors(doc)
        # Keyed by element: lxml hands out the same element object while it is referenced, and these hold it.
        self._targets: dict[Any, str | None] = {}
        self._rows: dict[Any, Any] = {}
        self._titles: dict[Any, tuple[str, bool]] = {}
        self._datings: dict[tuple[Any, Any], RowDating] = {}
        self._texts: dict[Any, str] = {}

    def target(self, a: Any) -> str | None:
        """The anchor's absolute URL (`absolute_url` against the page's base)."""
        if a not in self._targets:
            self._targets[a] = absolute_url(a.get("href"), self.base)
        return self._targets[a]

    def row(self, a: Any) -> Any:
        if a not in self._rows:
            self._rows[a] = row_of(a)
        return self._rows[a]

    def title(self, a: Any) -> tuple[str, bool]:
        if a not in self._titles:
            self._titles[a] = anchor_title(a)
        return self._titles[a]

    def dating(self, a: Any, row: Any) -> RowDating:
        if (a, row) not in self._datings:
            self._datings[a, row] = row_dating(a, row)
        return self._datings[a, row]

    def text(self, el: Any) -> str:
        """The element's text (lxml's text_content)."""
        if el not in self._texts:
            self._texts[el] = el.text_content()
        return self._texts[el]


def read_page(html: Page, url: str) -> PageAnchors | None:
    """The page at `url` with its anchors to read, or None for a page with nothing to parse; a PageAnchors of that
    URL is returned as it is."""
    if isinstance(html, PageAnchors) and html.url == url:
        return html
    doc = parse_html(html)
    return None if doc is None else PageAnchors(doc, url)


# ---------------------------------------------------------------------------------------------- report titles


@lru_cache(maxsize=_MEMO_SIZE)
def classify(title: str, truncated: bool) -> tuple[str | None, int | None, bool]:
    """(kind, year, is_report) for a link title.

    A truncated title may lose the words that make it classify ("…年度报告"); it is still kept as a report
    candidate when it names a year and some completion of it would classify — the detail page then decides.
    """
    kind, year = classify_title(title)
    if kind:
        return kind, year, True
    if not truncated:
        return None, None, False
    stem = ELLIPSIS.sub("", compact(title))
    year = title_year(stem)
    if year is None:
        return None, None, False
    for completion in (*TITLE_COMPLETIONS, *_name_completions(stem)):
        kind, _ = classify_title(stem + completion)
        if kind:
            return kind, year, True
    return None, None, False


def _name_completions(stem: str) -> list[str]:
    """The rest of a kind's name when the stem ends with its beginning ("…关于2021年度法治政府" + "建设年度报告")."""
    completions = []
    for kind in load_kinds().values():
        for cut in range(len(kind.name) - 1, 1, -1):
            if stem.endswith(kind.name[:cut]):
                completions.append(kind.name[cut:])
                break
    return completions


# ---------------------------------------------------------------------------------------------- listings


def report_links(html: Page, url: str) -> list[Link]:
    page = read_page(html, url)
    if page is None:
        return []
    links: list[Link] = []
    for a in page.anchors:
        target = page.target(a)
        if target is None:
            continue
        title, truncated = page.title(a)
        kind, year, is_report = classify(title, truncated)
        if not is_report:
            # The attribute may classify where a complete-looking text does not ("2021年度报告" vs its title).
            attr = squash(a.get("title"))
            if attr and attr != title:
                kind, year, is_report = classify(attr, is_truncated(attr))
                title, truncated = attr, is_truncated(attr)
        if is_report:
            date = page.dating(a, page.row(a))[0]
            if year is None and date is None and _names_column(title):
                continue  # "政府信息公开年报" in a menu is the column of such reports, not one report
            links.append(Link("report", target, title, kind, year, date, truncated))
    return links


def _names_column(text: str) -> bool:
    text = compact(text)
    return len(text) <= COLUMN_TEXT_MAX and any(name in text for name in COLUMN_NAMES)


def column_links(html: Page, url: str) -> list[Link]:
    page = read_page(html, url)
    if page is None:
        return []
    links: list[Link] = []
    for a in page.anchors:
        text = compact(page.text(a)) or compact(a.get("title"))
        if not text or not _names_column(text):
            continue
        # A column is named without a year and is not a dated list item; "2022年法治政府建设工作要点" is an article.
        if COLUMN_YEAR.search(text) or find_year(text) or page.dating(a, page.row(a))[0]:
            continue
        target = page.target(a)
        if target is None or same_page(target, url) or _is_attachment_url(target):
            continue
        links.append(Link("column", target, text))
    return links


def same_page(target: str, url: str) -> bool:
    """Whether two URLs name one page: the same, or a folder and its index file (`xxgknb/`, `xxgknb/index.html`)."""
    return target == url or INDEX_FILE.sub("/", target) == INDEX_FILE.sub("/", url)


def listing_items(html: Page, url: str) -> list[Link]:
    """Every dated list item on a listing page (rel "item"), whether or not it is a report.

    One link per item: the anchor with the longest title in its row. The stop rule needs the dates of all
    items, not only reports, to know when a column has gone back past the target year.
    """
    page = read_page(html, url)
    if page is None:
        return []
    items: list[Link] = []
    seen_rows: set[Any] = set()
    for a in page.anchors:
        row = page.row(a)
        if row in seen_rows:
            continue
        if page.target(a) is None:
            continue
        row_anchors = [x for x in anchors(row) if page.target(x)]
        row_text = page.text(row)
        if len(row_anchors) > ROW_MAX_ANCHORS or len(squash(row_text)) > ROW_MAX_TEXT or is_container(row):
            seen_rows.add(row)  # not an item: neither are its other anchors
            continue
        if a.getparent() is row and is_flat(row):
            # A flat list: every anchor is its own item, dated by the text that follows it.
            candidates = [a]
        else:
            seen_rows.add(row)
            candidates = [max(row_anchors, key=lambda x: len(page.title(x)[0]))]
        main = candidates[0]
        date, dated = page.dating(main, row)
        if not dated and not RELATIVE_DATE.search(row_text.replace(page.text(main), " ", 1)):
            continue
        title, truncated = page.title(main)
        if not title:
            continue
        kind, year, _ = classify(title, truncated)
        target = page.target(main)
        assert target is not None
        items.append(Link("item", target, title, kind, year, date, truncated))
    return dedupe(items)


def dedupe(links: list[Link]) -> list[Link]:
    """The first link to each page (by canonical URL), in order."""
    seen: set[str] = set()
    out = []
    for link in links:
        key = canonical_url(link.url)
        if key not in seen:
            seen.add(key)
            out.append(link)
    return out


# ---------------------------------------------------------------------------------------------- details


def _is_attachment_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(ATTACHMENT_EXTENSIONS)


def _labelled_attachment(a: Any) -> bool:
    """Whether the anchor's text or the label just before it says 附件 ("附件：<a>…</a>", "附件1：…")."""
    if ATTACHMENT_LABEL in compact(a.text_content()):
        return True
    prev = a.getprevious()
    before = (prev.tail if prev is not None else a.getparent().text if a.getparent() is not None else "") or ""
    if ATTACHMENT_LABEL in before[-ATTACHMENT_LABEL_REACH:]:
        return True
    # A comment before the anchor (`<!-- 相关链接 --><a>`) has a tail but no text of its own to read.
    labelled = prev is not None and isinstance(prev.tag, str) and not anchors(prev)
    if labelled and ATTACHMENT_LABEL in compact(prev.text_content())[-ATTACHMENT_LABEL_REACH:]:
        return True
    parent = a.getparent()
    return parent is not None and compact(parent.text_content()).startswith(ATTACHMENT_LABEL)


def detail_links(html: Page, url: str) -> list[Link]:
    """Attachment links on a report's detail page (rel "attachment").

    Many reports are published only as a PDF/Word/OFD attachment with a one-line page around it, so the
    attachment is the report. An attachment is a link to such a file, or one labelled 附件 by its text or by
    the label before it (download servlets hide the extension).
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = base_url(doc, url)
    links: list[Link] = []
    for a in anchors(doc):
        target = absolute_url(a.get("href"), base)
        if target is None or target == url:
            continue
        if not (_is_attachment_url(target) or _labelled_attachment(a)):
            continue
        title, truncated = anchor_title(a)
        title = ATTACHMENT_PREFIX.sub("", title)
        kind, year, _ = classify(title, truncated)
        links.append(Link("attachment", target, title, kind, year, None, truncated))
    # Embedded viewers (`<iframe src="….pdf">`) and TRS scripts that write the attachment list in the browser
    # (`var file_appendix = '<a href="./P0202….pdf">…'`) hold attachments no anchor shows.
    for src in doc.xpath(EMBEDDED_FILES):
        target = absolute_url(src, base)
        if target and _is_attachment_url(target):
            links.append(Link("attachment", target))
    for script in doc.xpath("//script/text()"):
        for m in SCRIPT_HREF.finditer(script):
            target = absolute_url(m.group(1), base)
            if target and _is_attachment_url(target):
                title = squash(MARKUP.sub("", m.group(2)))
                kind, year, _ = classify(title, is_truncated(title))
                links.append(Link("attachment", target, title, kind, year, None, is_truncated(title)))
    return dedupe(links)
