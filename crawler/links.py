"""Which links on a listing or detail page lead to reports, attachments, columns and further pages.

Plain functions over page text (or bytes) and the page URL that return plain `Link` records, with no Scrapy
and no I/O, so that the spider and the `nianbao links FILE` command apply exactly the same policy.

Government listings are lists of items — one `<li>`, `<tr>` or repeated block per article — each holding a
title link and a publication date. The item (its "row") is what ties a date to a link, so everything here
starts by finding the row of each anchor. Report titles are judged by `nianbao.reports.classify_title`, the
classifier the workers also use, so the crawler and the metadata never disagree on what a report is.

The words, patterns and tuned numbers these functions apply are data in `crawler.rules`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any, Literal, TypeAlias
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from crawler.rules import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_LABEL,
    ATTACHMENT_LABEL_REACH,
    ATTACHMENT_PREFIX,
    BRACKETS,
    CARD_PIECE_MAX,
    CELL_TAGS,
    COLUMN_NAMES,
    COLUMN_TEXT_MAX,
    COLUMN_YEAR,
    COMMENT_LINK,
    COMMENT_MIN_LINKS,
    DATE_ELEMENT_MAX,
    DAY,
    DIGIT,
    ELLIPSIS,
    EMBEDDED_FILES,
    HREF_BREAKS,
    INDEX_FILE,
    MARKUP,
    MONTH_DAY,
    MONTH_DAY_HINT,
    NOTE_TAGS,
    PAGE_TAGS,
    RELATIVE_DATE,
    ROW_MAX_ANCHORS,
    ROW_MAX_DEPTH,
    ROW_MAX_TEXT,
    ROW_TAGS,
    SCRIPT_HREF,
    SKIP_SCHEMES,
    TITLE_COMPLETIONS,
    YEAR_MONTH,
)
from nianbao.dates import DATE, find_date, iso_date, year_from_url
from nianbao.decode import DecodeError, decode, without_xml_declaration
from nianbao.markup import shallow, too_deep
from nianbao.normalise import compact, squash
from nianbao.reports import classify_title, find_year, load_kinds, title_year
from nianbao.urls import canonical_url, simplified_url

logger = logging.getLogger(__name__)

Rel = Literal["report", "next", "page", "column", "attachment", "item"]
# A page as the functions here take it: its text or bytes, or the tree `parse_html` made of them. The spider reads
# each response for several things (links, items, pagination, attachments): it parses the page once and passes the
# tree. None is a page with nothing to parse.
Page: TypeAlias = str | bytes | HtmlElement | None

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


def is_truncated(title: str) -> bool:
    return bool(ELLIPSIS.search(title.strip()))


# ---------------------------------------------------------------------------------------------- rows


def _is_repeated(el: Any) -> bool:
    """Whether `el` is one of several siblings of the same tag and class — the shape of a list item."""
    parent = el.getparent()
    if parent is None:
        return False
    cls = el.get("class", "")
    same = [c for c in parent if c.tag == el.tag and c.get("class", "") == cls]
    return len(same) >= 2


def _row_of(a: Any) -> Any:
    """The list item an anchor belongs to: the nearest `<li>`/`<tr>` or repeated block above it."""
    el = a.getparent()
    for _ in range(ROW_MAX_DEPTH):
        if el is None or el.tag in PAGE_TAGS:
            break
        # Table cells repeat within their row; the row is the item.
        if el.tag in ROW_TAGS or (el.tag not in CELL_TAGS and _is_repeated(el)):
            return el
        el = el.getparent()
    return a.getparent() if a.getparent() is not None else a


def _anchors(el: Any) -> list[Any]:
    return [x for x in el.iter("a") if x.get("href")]


def _is_flat(row: Any) -> bool:
    """Whether `row` is a flat list — several anchors side by side as its direct children — not one item."""
    return row.tag not in ROW_TAGS and sum(1 for c in row if c.tag == "a" and c.get("href")) >= 2


def _is_container(row: Any) -> bool:
    """Whether a repeated block holds dated list items of its own (a home-page box): then it is not one item."""
    return row.tag not in ROW_TAGS and any(find_date(el.text_content()) for el in row.iterdescendants(*ROW_TAGS))


def _segment_text(a: Any) -> str:
    """Text after an anchor up to the next anchor, for flat lists (`<a>t1</a><span>d1</span><br><a>t2</a>`)."""
    parts = [a.tail or ""]
    for sib in a.itersiblings():
        if sib.tag == "a" or (isinstance(sib.tag, str) and _anchors(sib)):
            break
        parts.append(sib.text_content() if isinstance(sib.tag, str) else "")
        parts.append(sib.tail or "")
    return "".join(parts)


def _date_texts(a: Any, row: Any, shared: bool) -> Iterator[str]:
    """Each text of the row that may hold its full date, best first, read outside the title.

    Lazy: most rows are dated by the first.
    """
    if shared:
        yield _segment_text(a)
    else:
        outside = row.text_content().replace(a.text_content(), " ", 1)
        # More text than an item holds is a whole block: a date in it belongs to something else.
        yield "" if len(squash(outside)) > ROW_MAX_TEXT else outside
    # `<dt><a>…</a></dt><dd>2022-01-25</dd>`, `<div class="t"><a>…</a></div><div class="d">…</div>`
    if (after := _next_date_element(row)) is not None:
        yield after.text_content()
    for child in a.iterdescendants():
        if isinstance(child.tag, str) and len(compact(child.text_content())) <= DATE_ELEMENT_MAX:
            yield child.text_content()


def _next_date_element(row: Any) -> Any:
    """The element after the row when it may be the row's date (`<dt>…</dt><dd>2022-01-25</dd>`), else None."""
    after = row.getnext()
    if after is None or not isinstance(after.tag, str) or _anchors(after):
        return None
    return after if len(compact(after.text_content())) <= DATE_ELEMENT_MAX else None


def _date_pieces(a: Any, row: Any, shared: bool) -> Iterator[str]:
    """Each text node of the row, outside the title where one may hold the row's date on its own ("10-19").

    Text nodes, not the row's text: a month and day count only as a whole piece of text, never inside a
    sentence ("于6月6日发行") or run into a neighbour's text; nor in a `<sup>`, where "[5-6]" cites notes.
    """
    if shared:
        yield a.tail or ""
        for sib in a.itersiblings():
            if sib.tag == "a" or (isinstance(sib.tag, str) and _anchors(sib)):
                break
            if isinstance(sib.tag, str) and sib.tag not in NOTE_TAGS:
                yield from sib.itertext()
            yield sib.tail or ""
    elif len(squash(row.text_content())) <= ROW_MAX_TEXT:
        title = set(a.iter())  # lxml hands out the same element objects while they are referenced
        for el in row.iter():
            inside = el in title
            if isinstance(el.tag, str) and not inside and el.tag not in NOTE_TAGS:
                yield el.text or ""
            if el is not row and (el is a or not inside):
                yield el.tail or ""
    if (after := _next_date_element(row)) is not None:
        yield from after.itertext()
    for el in _loose_leaves(a):  # `<a><span>title</span><i>10-19</i></a>`; "2021年<b>1-6</b>月…" is a title
        yield el.text_content()


def _month_day(piece: str) -> tuple[int, int] | None:
    """(month, day) when a piece of text is a date without its year, else None."""
    m = MONTH_DAY.fullmatch(piece.strip())
    if m is None:
        return None
    month, day = int(m.group(1)), int(m.group(2) or m.group(3))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


# What a row-date reader returns: (ISO date, whether the row shows a date at all), or None when it finds nothing.
RowDating: TypeAlias = tuple[str | None, bool]


def _full_date(a: Any, row: Any, shared: bool) -> RowDating | None:
    """A full date in the row's text outside the title ("2022-01-25", "2022年1月25日")."""
    for text in _date_texts(a, row, shared):
        if date := find_date(text):
            return date, True
    return None


def _month_day_date(a: Any, row: Any, shared: bool) -> RowDating | None:
    """A date without its year ("10-19"): the row is a dated item all the same, and its year is the one the
    article's URL carries (t20171019_…); without one the date stays unknown rather than guessed."""
    # Most rows left (menus, headings) have no number in them to read: they are not walked piece by piece.
    if not MONTH_DAY_HINT.search(row.text_content()):
        return None
    for piece in _date_pieces(a, row, shared):
        if month_day := _month_day(piece):
            month, day = month_day
            year = year_from_url(str(a.get("href", "")), month, day)
            return (iso_date(year, month, day) if year else None), True
    return None


def _card_date(a: Any, row: Any, shared: bool) -> RowDating | None:
    """A card's date, the day printed apart from the year and month (`<b>05</b><i>2021-03</i>`)."""
    row_text = row.text_content()
    # Only in a row that is one item: a flat list, a block of items or a long text has no single date.
    if shared or not YEAR_MONTH.search(row_text) or len(squash(row_text)) > ROW_MAX_TEXT:
        return None
    date = _split_date(row)
    return (date, True) if date else None


# The ways a listing row shows its date, tried in this order; the first that finds one dates the row.
ROW_DATE_READERS = (_full_date, _month_day_date, _card_date)


def _row_dating(a: Any, row: Any) -> RowDating:
    """(ISO date, whether the row shows a date at all) for the listing item that holds `a`, by the first of
    ROW_DATE_READERS that finds one."""
    # A row shared by many items (a flat list, a block of them): only the text beside this anchor is its own.
    shared = (a.getparent() is row and _is_flat(row)) or _is_container(row)
    for reader in ROW_DATE_READERS:
        if (found := reader(a, row, shared)) is not None:
            return found
    return None, False


def _row_date(a: Any, row: Any) -> str | None:
    """The date of the listing item that holds `a`, read outside the title so a date in a title is not it."""
    return _row_dating(a, row)[0]


def _split_date(el: Any) -> str | None:
    """A date printed in two elements, the day apart from the year and month (`<b>05</b><i>2021-03</i>`)."""
    year_month = day = None
    for piece in el.itertext():
        piece = piece.strip().strip(BRACKETS)
        if not piece or len(piece) > CARD_PIECE_MAX:
            continue
        if m := YEAR_MONTH.fullmatch(piece):
            year_month = m
        elif m := DAY.fullmatch(piece):
            day = m
    if year_month is None or day is None:
        return None
    return find_date(f"{year_month.group(1)}-{year_month.group(2)}-{day.group(1)}")


def _anchor_title(a: Any) -> tuple[str, bool]:
    """The best title an anchor offers and whether it is cut short.

    Portals cut long titles in the link text ("常平镇2021年法治政府建设…") and keep the full one in the
    `title` attribute, so the attribute wins when the text is truncated, empty, or a shorter piece of it.
    """
    text = _text_without_date(a)
    attr = squash(a.get("title"))
    if attr and (not text or is_truncated(text) or (len(attr) > len(text) and not is_truncated(attr))):
        return attr, is_truncated(attr)
    return text, is_truncated(text)


def _is_glued(el: Any) -> bool:
    """Whether an element's text is inside a phrase: touching the text around it, or between two texts.

    "2021年<b>1-6</b>月" and "2021年 <b>1-6</b> 月" are one phrase, "某区年度报告 <span>[01-25]</span>" a title and
    its date."""
    prev = el.getprevious()
    before = (prev.tail if prev is not None else el.getparent().text) or ""
    after = el.tail or ""
    touching = (before and not before[-1].isspace()) or (after and not after[0].isspace())
    return bool(touching or (before.strip() and after.strip()))  # inside a phrase, spaced or not


def _loose_leaves(a: Any) -> list[Any]:
    """The anchor's innermost elements whose text stands on its own: where a whole-row link prints its date
    (`<a><span>title</span><i>10-19</i><em>置顶</em></a>`), if it prints one."""
    return [el for el in a.iterdescendants() if isinstance(el.tag, str) and not len(el) and not _is_glued(el)]


def _is_date_piece(text: str, loose: bool) -> bool:
    """Whether an element's whole text is a date (2022-01-25), or, standing on its own, one without its year
    ([01-25]): run into the title, "1-6" is part of "2021年<b>1-6</b>月财政收支情况".
    """
    text = compact(text).strip(BRACKETS)
    if not text or len(text) > DATE_ELEMENT_MAX:
        return False
    return bool(find_date(text) and not DATE.sub("", text)) or (loose and _month_day(text) is not None)


def _text_without_date(a: Any) -> str:
    """The anchor's text without the date a whole-row link prints in elements of its own.

    `<a><span>title</span><span>2022-01-25</span></a>`, `<b>25</b><i>2022/01</i>`: the date dates the item, it
    is no part of the title.

    A year and month ("2021年12月") or a bare number is a piece of the date only beside the other: alone it may
    be a piece of the title.
    """
    text = squash(a.text_content())
    if not len(a) or not DIGIT.search(text):
        return text
    elements = [el for el in a.iterdescendants() if isinstance(el.tag, str) and not len(el)]
    leaves = [squash(el.text_content()) for el in elements]
    dates = [t for el, t in zip(elements, leaves, strict=True) if _is_date_piece(t, not _is_glued(el))]
    year_months = [t for t in leaves if YEAR_MONTH.fullmatch(compact(t).strip(BRACKETS))]
    days = [t for t in leaves if DAY.fullmatch(compact(t).strip(BRACKETS))]
    if year_months and days:
        dates += year_months + days
    for piece in dates:
        before, found, after = text.rpartition(piece)
        if found:
            text = squash(before + " " + after)
    return text


@lru_cache(maxsize=_MEMO_SIZE)
def _classify(title: str, truncated: bool) -> tuple[str | None, int | None, bool]:
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


def report_links(doc: Any, url: str) -> list[Link]:
    base = base_url(doc, url)
    links: list[Link] = []
    for a in _anchors(doc):
        target = absolute_url(a.get("href"), base)
        if target is None:
            continue
        title, truncated = _anchor_title(a)
        kind, year, is_report = _classify(title, truncated)
        if not is_report:
            # The attribute may classify where a complete-looking text does not ("2021年度报告" vs its title).
            attr = squash(a.get("title"))
            if attr and attr != title:
                kind, year, is_report = _classify(attr, is_truncated(attr))
                title, truncated = attr, is_truncated(attr)
        if is_report:
            date = _row_date(a, _row_of(a))
            if year is None and date is None and _names_column(title):
                continue  # "政府信息公开年报" in a menu is the column of such reports, not one report
            links.append(Link("report", target, title, kind, year, date, truncated))
    return links


def _names_column(text: str) -> bool:
    text = compact(text)
    return len(text) <= COLUMN_TEXT_MAX and any(name in text for name in COLUMN_NAMES)


def column_links(doc: Any, url: str) -> list[Link]:
    base = base_url(doc, url)
    links: list[Link] = []
    for a in _anchors(doc):
        text = compact(a.text_content()) or compact(a.get("title"))
        if not text or not _names_column(text):
            continue
        # A column is named without a year and is not a dated list item; "2022年法治政府建设工作要点" is an article.
        if COLUMN_YEAR.search(text) or find_year(text) or _row_date(a, _row_of(a)):
            continue
        target = absolute_url(a.get("href"), base)
        if target is None or _same_page(target, url) or _is_attachment_url(target):
            continue
        links.append(Link("column", target, text))
    return links


def _same_page(target: str, url: str) -> bool:
    """Whether two URLs name one page: the same, or a folder and its index file (`xxgknb/`, `xxgknb/index.html`)."""
    return target == url or INDEX_FILE.sub("/", target) == INDEX_FILE.sub("/", url)


def listing_items(html: Page, url: str) -> list[Link]:
    """Every dated list item on a listing page (rel "item"), whether or not it is a report.

    One link per item: the anchor with the longest title in its row. The stop rule needs the dates of all
    items, not only reports, to know when a column has gone back past the target year.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    base = base_url(doc, url)
    items: list[Link] = []
    seen_rows: set[Any] = set()
    for a in _anchors(doc):
        row = _row_of(a)
        if row in seen_rows:
            continue
        if absolute_url(a.get("href"), base) is None:
            continue
        row_anchors = [x for x in _anchors(row) if absolute_url(x.get("href"), base)]
        row_text = row.text_content()
        if len(row_anchors) > ROW_MAX_ANCHORS or len(squash(row_text)) > ROW_MAX_TEXT or _is_container(row):
            seen_rows.add(row)  # not an item: neither are its other anchors
            continue
        if a.getparent() is row and _is_flat(row):
            # A flat list: every anchor is its own item, dated by the text that follows it.
            candidates = [a]
        else:
            seen_rows.add(row)
            candidates = [max(row_anchors, key=lambda x: len(_anchor_title(x)[0]))]
        main = candidates[0]
        date, dated = _row_dating(main, row)
        if not dated and not RELATIVE_DATE.search(row_text.replace(main.text_content(), " ", 1)):
            continue
        title, truncated = _anchor_title(main)
        if not title:
            continue
        kind, year, _ = _classify(title, truncated)
        target = absolute_url(main.get("href"), base)
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
    labelled = prev is not None and isinstance(prev.tag, str) and not _anchors(prev)
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
    for a in _anchors(doc):
        target = absolute_url(a.get("href"), base)
        if target is None or target == url:
            continue
        if not (_is_attachment_url(target) or _labelled_attachment(a)):
            continue
        title, truncated = _anchor_title(a)
        title = ATTACHMENT_PREFIX.sub("", title)
        kind, year, _ = _classify(title, truncated)
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
                kind, year, _ = _classify(title, is_truncated(title))
                links.append(Link("attachment", target, title, kind, year, None, is_truncated(title)))
    return dedupe(links)
