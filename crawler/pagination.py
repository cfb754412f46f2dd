"""How a listing column continues past its first page, and when to stop following it.

Portals page their columns in a few recurring ways, each handled by one function here:

- a plain "下一页" link;
- TRS: a `createPageHTML(pages, current, "index", "html")` script that writes `index_1.html` … links in the
  browser, so the pages are derived from the script's arguments;
- older TRS templates that write their pager from `var countPage` (and `currentPage`) without createPageHTML;
- `?page=N` / `pageNum=N` / `pageIndex=N` / `cur_page=N` parameters in the page links;
- pagers of bare page numbers linking `list_2.html`, `list_3.html` …;
- JCMS (Hanweb) `/col/colN/` columns whose list is fetched by `module/web/jpage/dataproxy.jsp` as XML with one
  CDATA HTML fragment per record.

`should_stop` is the incremental rule: once a page holds nothing new for the target year, the rest of the
column is older still. `unchanged_listing` is its form for a listing page that answered 304 Not Modified.

The pager labels, page parameters and script patterns are data in `crawler.rules`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from crawler.links import Link, Page, Rel, absolute_url, base_url, classify, parse_html, read_page, same_page
from crawler.rows import anchor_title, row_date, row_of
from crawler.rules import (
    COUNT_PAGE,
    CREATE_PAGE,
    CURRENT_PAGE,
    DATAPROXY_ENDPOINT,
    DATAPROXY_GROUP_SETTING,
    DATAPROXY_HREF,
    DATAPROXY_NAME,
    DATAPROXY_PAGES_PER_REQUEST,
    DATAPROXY_PARAMS,
    DATAPROXY_PATH,
    DATAPROXY_PERPAGE,
    DATAPROXY_PERPAGE_SETTING,
    DATAPROXY_SETTINGS,
    DATASTORE,
    JCMS_COLUMN,
    MAX_DERIVED_PAGES,
    NEXT_LABEL,
    NEXT_TEXTS,
    NUMBER_ANCHORS,
    NUMBERED_FILE,
    PAGE_NAME,
    PAGE_PARAMS,
    RECORD,
    RECORD_CDATA,
    SCRIPT_ASSIGNMENT,
    TOTAL_PAGE,
    TOTAL_RECORD,
    VOLATILE_PARAM,
    XML_ENTITIES,
)
from nianbao.decode import without_xml_declaration
from nianbao.normalise import compact
from nianbao.urls import canonical_url
from storage.state import SiteState

logger = logging.getLogger(__name__)

# What a listing page led to, as the spider records it (storage.state `listed`): "page" (a further page of the
# column) and "records" (the next dataproxy batch) continue the same column; "column" (a column found on a home or
# section page) and "dataproxy" (a JCMS column's first record set) lead to lists the page does not show.
CONTINUATIONS = frozenset({"page", "records"})

# ---------------------------------------------------------------------------------------------- listings


def pagination_links(html: Page, url: str) -> list[Link]:
    """Every way on to further pages of this listing: next links, TRS pages, page parameters, dataproxy."""
    page = read_page(html, url)
    if page is None:
        return []
    links = next_links(page, url)
    scripts = "\n".join(page.doc.xpath("//script/text()"))
    links += create_page_links(scripts, url)
    links += count_page_links(scripts, url)
    links += page_param_links(page, url)
    links += numbered_page_links(page, url)
    links += [Link("next", u, "dataproxy") for u in _dataproxy_requests(page.doc, url)]
    return links


def next_links(html: Page, url: str) -> list[Link]:
    """Links whose text is a "next page" label (下一页, 下页, 后页, ›, >), also in brackets or with arrows.

    An image button says it in its `alt` text.
    """
    page = read_page(html, url)
    if page is None:
        return []
    links = []
    for a in page.doc.iter("a"):
        text = compact(page.text(a)) or compact(a.get("title")) or compact(" ".join(a.xpath(".//img/@alt")))
        if text not in NEXT_TEXTS and not NEXT_LABEL.fullmatch(text):
            continue
        target = page.target(a)
        if target and target != url:
            links.append(Link("next", target, text))
    return links


def _script_value(arg: str, script: str) -> int | None:
    """An integer argument, written literally ("5", '5') or as a variable assigned earlier in the script."""
    arg = arg.strip("'\"")
    if arg.isdigit():
        return int(arg)
    m = re.search(SCRIPT_ASSIGNMENT.format(name=re.escape(arg)), script)
    return int(m.group(1)) if m else None


def create_page_links(script: str, url: str) -> list[Link]:
    """The pages of a TRS column from its `createPageHTML(total, current, "index", "html")` call.

    Page 0 is `index.html`, page i is `index_i.html`, all in the listing's folder; every page but the current
    one is returned (rel "page").
    """
    links: list[Link] = []
    for m in CREATE_PAGE.finditer(script):
        total, current = _script_value(m.group(1), script), _script_value(m.group(2), script)
        name, ext = m.group(3).strip("'\""), m.group(4).strip("'\"")
        current = _page_of(url, name, ext, current)
        if total is None or current is None:
            logger.debug("createPageHTML with unresolved arguments in %s", url)
            continue
        if total > MAX_DERIVED_PAGES:
            logger.info("%s: createPageHTML announces %d pages; deriving the first %d", url, total, MAX_DERIVED_PAGES)
        links += [Link("page", urljoin(url, page), str(i + 1)) for i, page in _derived_pages(total, current, name, ext)]
    return links


def _page_of(url: str, name: str, ext: str, current: int | None) -> int | None:
    """Which page the listing's URL names (`name.ext` page 0, `name_i.ext` page i), else the script's `current`.

    The URL is the evidence: the variant with an element id first (`createPageHTML('page_div', 10, 1, …)`) counts
    its current page from 1 on some templates and from 0 on others.
    """
    file = urlsplit(url).path.rsplit("/", 1)[-1]
    if file == f"{name}.{ext}":
        return 0
    m = re.fullmatch(rf"{re.escape(name)}_(\d+)\.{re.escape(ext)}", file)
    return int(m.group(1)) if m else current


def _derived_pages(total: int, current: int, name: str, ext: str) -> list[tuple[int, str]]:
    """(index, file name) of each TRS page but the current: page 0 is `name.ext`, page i `name_i.ext`."""
    return [
        (i, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}")
        for i in range(min(total, MAX_DERIVED_PAGES))
        if i != current
    ]


def count_page_links(script: str, url: str) -> list[Link]:
    """The pages of a TRS column whose pager script counts pages in `countPage` (from `currentPage`, 0-based).

    The pages are named as createPageHTML names them, with the name and extension the script writes
    (`"index" + "_" + i + "." + "html"`); a script that does not write them (a detail page's own pager) or
    whose numbers do not fit together gives nothing.
    """
    total = COUNT_PAGE.search(script) if "countPage" in script else None  # a plain search first: scripts are long
    if total is None or "createPageHTML" in script:
        return []
    current, name = CURRENT_PAGE.search(script), PAGE_NAME.search(script)
    if name is None:
        return []
    count, here = int(total.group(1)), int(current.group(1)) if current else 0
    if here > count:
        return []
    # Every page but this one, whether the script counts from 0 or from 1.
    pages = [(i, urljoin(url, page)) for i, page in _derived_pages(count, -1, name.group(1), name.group(2))]
    return [Link("page", target, str(i + 1)) for i, target in pages if not same_page(target, url)]


def _page_param(url: str) -> tuple[str, int] | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            return key, int(value)
    return None


def _column_params(url: str) -> dict[str, str]:
    """The query parameters that name the column: all but the page number, the volatile and the blank ones."""
    query = parse_qsl(urlsplit(url).query)  # blank values dropped: "type=" selects nothing
    return {k.lower(): v for k, v in query if k.lower() not in PAGE_PARAMS and not VOLATILE_PARAM.fullmatch(k)}


def _same_column(here: dict[str, str], there: dict[str, str]) -> bool:
    """Whether two page URLs' column parameters can name one column: no shared one differs, and they do not each
    name the column by a parameter the other lacks (`node_id=GK` against `channel=ZW`)."""
    if any(here.get(key, value) != value for key, value in there.items()):
        return False
    return not (there.keys() - here.keys() and here.keys() - there.keys())


def page_param_links(html: Page, url: str) -> list[Link]:
    """Links that differ from this page by a page-number parameter: N = current + 1 is "next", others "page".

    A page without the parameter is page 1 (the usual first page of such columns). The other parameters the two
    URLs share must agree: on JSP portals every menu link is `list.jsp?node_id=X&cur_page=1`, another column.
    """
    here = _page_param(url)
    current = here[1] if here else 1
    page = read_page(html, url)
    if page is None:
        return []
    path, column = urlsplit(url).path, _column_params(url)
    links = []
    for a in page.doc.iter("a"):
        target = page.target(a)
        if not target or urlsplit(target).path != path:
            continue
        if not _same_column(column, _column_params(target)):
            continue
        param = _page_param(target)
        if param is None or param[1] == current:
            continue
        rel: Rel = "next" if param[1] == current + 1 else "page"
        links.append(Link(rel, target, compact(page.text(a))))
    return links


def _page_file(url: str) -> tuple[str, str, str] | None:
    """(folder, file name without its page number, extension) of a static page URL; None for one with a query."""
    parts = urlsplit(url)
    if parts.query:
        return None
    folder, _, name = parts.path.rpartition("/")
    m = NUMBERED_FILE.match(name or "index")
    assert m is not None  # the pattern matches every name
    return f"{parts.netloc}{folder}", m.group(1).lower(), (m.group(2) or "").lower()


def numbered_page_links(html: Page, url: str) -> list[Link]:
    """Links whose text is a page number to a file of this page's name with another number (rel "page").

    A pager of numbers alone (`1 <a href="list_2.html">2</a> <a href="list_3.html">3</a>`) has no next label;
    a number linking elsewhere (another folder or name) is not this column's page.
    """
    here, page = _page_file(url), read_page(html, url)
    if here is None or page is None:
        return []
    links = []
    for a in page.doc.xpath(NUMBER_ANCHORS):
        text = page.text(a).strip()
        target = page.target(a)
        if target and not same_page(target, url) and _same_pages(_page_file(target), here):
            links.append(Link("page", target, text))
    return links


def _same_pages(there: tuple[str, str, str] | None, here: tuple[str, str, str]) -> bool:
    # "index.html" and the bare folder are the same first page.
    return there is not None and there[:2] == here[:2] and (there[2] == here[2] or "" in (there[2], here[2]))


# ---------------------------------------------------------------------------------------------- JCMS dataproxy


def _set_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode(params)))


def _inline_datastores(doc: Any) -> list[str]:
    return [m.group(0) for text in doc.xpath("//script/text()") for m in DATASTORE.finditer(text)]


def _dataproxy_requests(doc: Any, url: str) -> list[str]:
    # Only the scripts that talk to dataproxy.jsp: other scripts have their own `path` or `col` variables.
    scripts = "\n".join(t for t in doc.xpath("//script/text()") if DATAPROXY_NAME in t)
    if not scripts:
        return []
    params: dict[str, str] = {}
    # The first group's own request, when the page embeds one (<nextgroup><a href="…dataproxy.jsp?…">).
    for href in DATAPROXY_HREF.findall(scripts):
        for key, value in parse_qsl(href.replace("&amp;", "&")):
            if key.lower() in DATAPROXY_PARAMS:
                params.setdefault(key, value)
    # The script's own parameters: `columnid: 1234`, `"unitid": "5678"`, `webid = 1`.
    for setting in DATAPROXY_SETTINGS.values():
        m = setting.search(scripts)
        if m and m.group(1) not in params:
            params[m.group(1)] = m.group(2)
    if not any(k.lower() == "columnid" for k in params):
        m = JCMS_COLUMN.search(url)
        if not m:
            logger.info("%s: dataproxy.jsp call without a column id", url)
            return []
        params["columnid"] = m.group(1)
    perpage_match = DATAPROXY_PERPAGE_SETTING.search(scripts)
    perpage = int(perpage_match.group(1)) if perpage_match else DATAPROXY_PERPAGE
    group_match = DATAPROXY_GROUP_SETTING.search(scripts)
    group = int(group_match.group(1)) if group_match else DATAPROXY_PAGES_PER_REQUEST
    path_match = DATAPROXY_ENDPOINT.search(scripts)
    endpoint = urljoin(url, path_match.group(1) if path_match else DATAPROXY_PATH)
    start = 1
    for store in _inline_datastores(doc):
        embedded = len(RECORD.findall(store))
        total = TOTAL_RECORD.search(store)
        if total and embedded >= int(total.group(1)):
            return []  # the page already holds every record
        start = max(start, embedded + 1)
    return [_dataproxy_url(endpoint, start, perpage, group, params)]


def _dataproxy_url(endpoint: str, start: int, perpage: int, group: int, params: dict[str, str]) -> str:
    end = start + perpage * max(group, 1) - 1
    query = {"startrecord": str(start), "endrecord": str(end), "perpage": str(perpage), **params}
    return _set_query(endpoint, query)


def dataproxy_requests(html: Page, url: str) -> list[str]:
    """The dataproxy.jsp URL(s) that return a JCMS column's records, or [] for other pages.

    The request carries the column's parameters read from the page script (columnid, unitid, webid …) in the
    query string, with `startrecord`/`endrecord`/`perpage` for the first batch the page does not already embed.
    """
    # Most pages do not call it: given as text, they are not parsed for nothing.
    if isinstance(html, str) and DATAPROXY_NAME not in html:
        return []
    if isinstance(html, bytes) and DATAPROXY_NAME.encode() not in html:
        return []
    doc = parse_html(html)
    return [] if doc is None else _dataproxy_requests(doc, url)


def _record_links(fragments: Iterable[str], url: str) -> list[Link]:
    """Report links (and other dated records as rel "item") from the records' HTML fragments."""
    links: list[Link] = []
    for fragment in fragments:
        doc = parse_html(f"<div>{fragment}</div>")
        if doc is None:
            continue
        base = base_url(doc, url)
        for a in doc.iter("a"):
            target = absolute_url(a.get("href"), base)
            if target is None:
                continue
            title, truncated = anchor_title(a)
            kind, year, is_report = classify(title, truncated)
            date = row_date(a, row_of(a))
            if is_report:
                links.append(Link("report", target, title, kind, year, date, truncated))
            elif date:
                links.append(Link("item", target, title, None, None, date, truncated))
    return links


def _parse_datastore(xml: str | bytes) -> Any:
    """The XML tree of a dataproxy response, refusing entity tricks (billion laughs, external entities)."""
    try:
        return safe_et.fromstring(xml)
    except DefusedXmlException as e:
        raise ValueError(f"dataproxy response refused: it declares XML entities or a DTD ({e!r})") from e


def dataproxy_records(xml: str | bytes, url: str) -> tuple[list[Link], int | None]:
    """(links, total records) from a dataproxy.jsp response fetched from `url`.

    Links are the reports among the records, the other dated records as rel "item" (for the stop rule), and
    a rel "next" link to the next batch while `endrecord` (or `page`) has not reached the total.
    Raises ValueError for a response that declares entities: such a payload can expand to gigabytes.
    """
    if isinstance(xml, str):
        # ElementTree refuses text that still declares an encoding; the text is already decoded.
        xml = without_xml_declaration(xml)
    try:
        root = _parse_datastore(xml)
        fragments = [r.text or "" for r in root.iter("record")]
        total_text = root.findtext("totalrecord")
        pages_text = root.findtext("totalpage")
    except safe_et.ParseError as e:
        # Portals emit unescaped "&" and the like; the records are CDATA, so read them directly.
        logger.info("%s: malformed dataproxy XML (%s); reading records by pattern", url, e)
        text = xml.decode("utf-8", "replace") if isinstance(xml, bytes) else xml
        if XML_ENTITIES.search(text):
            raise ValueError("dataproxy response refused: it declares XML entities or a DTD") from e
        fragments = RECORD_CDATA.findall(text)
        total_match = TOTAL_RECORD.search(text)
        pages_match = TOTAL_PAGE.search(text)
        total_text = total_match.group(1) if total_match else None
        pages_text = pages_match.group(1) if pages_match else None
    total = int(total_text) if total_text and total_text.strip().isdigit() else None
    links = _record_links(fragments, url)
    if next_url := _dataproxy_next(url, total, int(pages_text) if pages_text and pages_text.isdigit() else None):
        links.append(Link("next", next_url, "dataproxy"))
    return links, total


def _dataproxy_next(url: str, total: int | None, total_pages: int | None) -> str | None:
    """The request for the batch after `url`'s, or None when it was the last."""
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    lower = {k.lower(): k for k in query}
    if "startrecord" in lower and "endrecord" in lower:
        start, end = int(query[lower["startrecord"]]), int(query[lower["endrecord"]])
        if total is None or end >= total:
            return None
        size = end - start + 1
        query[lower["startrecord"]], query[lower["endrecord"]] = str(end + 1), str(end + size)
        return _set_query(url, query)
    if "page" in lower and query[lower["page"]].isdigit():
        page = int(query[lower["page"]])
        if total_pages is None or page >= total_pages:
            return None
        query[lower["page"]] = str(page + 1)
        return _set_query(url, query)
    return None


def inline_datastore_links(doc: Any, url: str) -> list[Link]:
    """Report links from the records a JCMS page embeds in `<script type="text/xml"><datastore>…`."""
    links: list[Link] = []
    for store in _inline_datastores(doc):
        fragments = RECORD_CDATA.findall(store)
        links += [link for link in _record_links(fragments, url) if link.rel == "report"]
    return links


# ---------------------------------------------------------------------------------------------- stop rule


def should_stop(links: Iterable[Link], *, year: int, known: Iterable[str] = frozenset()) -> bool:
    """Whether to stop paginating a column after this page, crawling for reports on `year`.

    Stop when every dated item on the page was published before 1 January of `year` — a report on `year`
    is published in `year` at the earliest, and columns list newest first — or when the page has report
    links and every one is already in `known` (an incremental re-crawl has reached what it saw last time).
    A page with no dated link never stops: without dates there is no evidence the column has gone back.
    Pass the page's `listing_items` along with its `listing_links`, so non-report items count as dated.
    """
    links = list(links)
    dated = [link.date for link in links if link.date and link.rel in ("report", "item")]
    if not dated:
        return False
    if all(date < f"{year:04d}-01-01" for date in dated):
        return True
    known_urls = set(known)  # canonical URLs (the state's keys)
    reports = [canonical_url(link.url) for link in links if link.rel == "report"]
    return bool(reports) and all(u in known_urls for u in reports)


def unchanged_listing(state: SiteState, url: str, scope: str) -> tuple[list[str], list[tuple[str, str]]]:
    """What a listing page that answered 304 still asks for: (report keys to revalidate, (kind, URL) requests).

    The page is unchanged, so its column is: the stop rule ends it here. Its reports are asked about directly
    (a changed report on an unchanged listing is still fetched). The pages it continued to in the crawl that
    recorded it are walked in the state: a trusted one (its reports all queued) is not fetched, only walked on; an
    untrusted one (never reached, or fetched by a crawl that died before dispatching) is fetched again, so an
    interrupted crawl hides nothing. Columns and dataproxy record sets are asked for again (conditionally): a home
    page or a JCMS column shell stays the same while the lists it leads to change.
    """
    reports: list[str] = []
    requests: list[tuple[str, str]] = []
    seen = {canonical_url(url)}
    pending = [url]
    while pending:
        work = state.listing_work(pending.pop(), scope) or {"reports": [], "follow": []}
        reports += work["reports"]
        for kind, target in work["follow"]:
            key = canonical_url(target)
            if key in seen:
                continue
            seen.add(key)
            if kind in CONTINUATIONS and state.trusted(target, scope) is not None:
                pending.append(target)
            else:
                requests.append((kind, target))
    return reports, requests
