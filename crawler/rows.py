"""The rows of a listing: the item an anchor belongs to, the date the row shows, and the title the anchor offers.

Government listings are lists of items — one `<li>`, `<tr>` or repeated block per article — each holding a
title link and a publication date. The item (its "row") is what ties a date to a link, so reading a listing
starts by finding the row of each anchor. `crawler.links` (report, column and item links) and
`crawler.pagination` (the records of a JCMS dataproxy page) read rows with these functions.

The words, patterns and tuned numbers they apply are data in `crawler.rules`; what a date is, in `nianbao.dates`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

from crawler.rules import (
    BRACKETS,
    CARD_PIECE_MAX,
    CELL_TAGS,
    DATE_ELEMENT_MAX,
    DAY,
    DIGIT,
    ELLIPSIS,
    MONTH_DAY,
    MONTH_DAY_HINT,
    NOTE_TAGS,
    PAGE_TAGS,
    ROW_MAX_DEPTH,
    ROW_MAX_TEXT,
    ROW_TAGS,
    YEAR_MONTH,
)
from nianbao.dates import DATE, find_date, iso_date, year_from_url
from nianbao.normalise import compact, squash

# ---------------------------------------------------------------------------------------------- rows


def _is_repeated(el: Any) -> bool:
    """Whether `el` is one of several siblings of the same tag and class — the shape of a list item."""
    parent = el.getparent()
    if parent is None:
        return False
    cls = el.get("class", "")
    same = [c for c in parent if c.tag == el.tag and c.get("class", "") == cls]
    return len(same) >= 2


def row_of(a: Any) -> Any:
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


def anchors(el: Any) -> list[Any]:
    """The anchors under `el` that link somewhere (an `<a>` without href is a bookmark or a script hook)."""
    return [x for x in el.iter("a") if x.get("href")]


def is_flat(row: Any) -> bool:
    """Whether `row` is a flat list — several anchors side by side as its direct children — not one item."""
    return row.tag not in ROW_TAGS and sum(1 for c in row if c.tag == "a" and c.get("href")) >= 2


def is_container(row: Any) -> bool:
    """Whether a repeated block holds dated list items of its own (a home-page box): then it is not one item."""
    return row.tag not in ROW_TAGS and any(find_date(el.text_content()) for el in row.iterdescendants(*ROW_TAGS))


# ---------------------------------------------------------------------------------------------- dates


def _segment_text(a: Any) -> str:
    """Text after an anchor up to the next anchor, for flat lists (`<a>t1</a><span>d1</span><br><a>t2</a>`)."""
    parts = [a.tail or ""]
    for sib in a.itersiblings():
        if sib.tag == "a" or (isinstance(sib.tag, str) and anchors(sib)):
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
    if after is None or not isinstance(after.tag, str) or anchors(after):
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
            if sib.tag == "a" or (isinstance(sib.tag, str) and anchors(sib)):
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


def row_dating(a: Any, row: Any) -> RowDating:
    """(ISO date, whether the row shows a date at all) for the listing item that holds `a`, by the first of
    ROW_DATE_READERS that finds one."""
    # A row shared by many items (a flat list, a block of them): only the text beside this anchor is its own.
    shared = (a.getparent() is row and is_flat(row)) or is_container(row)
    for reader in ROW_DATE_READERS:
        if (found := reader(a, row, shared)) is not None:
            return found
    return None, False


def row_date(a: Any, row: Any) -> str | None:
    """The date of the listing item that holds `a`, read outside the title so a date in a title is not it."""
    return row_dating(a, row)[0]


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


# ---------------------------------------------------------------------------------------------- titles


def is_truncated(title: str) -> bool:
    """Whether a title was cut short ("常平镇2021年法治政府建设…"): the detail page carries the full one."""
    return bool(ELLIPSIS.search(title.strip()))


def anchor_title(a: Any) -> tuple[str, bool]:
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
