"""Guangdong's shared disclosure platform, `gkmlpt` (政府信息公开目录平台): its catalogue and its JSON list API.

Some twenty Guangdong cities and their districts and departments publish their disclosure catalogue on one
platform. Its page `/{prefix}/gkmlpt/index` draws everything by script from `window._CONFIG = {SID: '200025',
TREE: [{id, name, children, jump_url, post_count}, …], …}`; each catalogue node's list comes from
`/{prefix}/gkmlpt/api/all/{node id}?page=N&sid=SID` as JSON `{"total": N, "articles": [{"title", "url",
"created_at" or "display_publish_time", "publisher", …}], "classify": {"post_count": N}}`; articles live under
`/gkmlpt/content/…/post_ID.html`. (Public crawler code for it reads the same: `SID`, `TREE`, `api/all/{id}`.)

Plain functions like the rest of the listing readers: which API lists hold reports (nodes whose name is a report
column's, `crawler.rules.COLUMN_NAMES`), and the report links of one API answer. One platform page can carry the
reports of many units (a city's departments and districts): each report is attributed to its own unit later,
from its title and issuer.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from crawler.links import Link, Page, parse_html
from crawler.listing import listing_links
from crawler.rules import COLUMN_NAMES

logger = logging.getLogger(__name__)

_SID = re.compile(r"""\bSID\s*:\s*['"]?(\d+)""")
_TREE = re.compile(r"\bTREE\s*:\s*(\[.*?\])\s*,\s*[A-Z_]+\s*:", re.S)
API_PATH = "gkmlpt/api/all/{node}"
MIN_PAGE_SIZE = 10  # the platform lists 10 to 100 articles a page


def _nodes(tree: list[Any]) -> list[dict[str, Any]]:
    out = []
    for node in tree:
        if isinstance(node, dict):
            out.append(node)
            out += _nodes(node.get("children") or [])
    return out


def gkmlpt_requests(html: Page, url: str) -> list[str]:
    """The API URLs (page 1) of the catalogue nodes named like report columns, or [] for any other page."""
    if isinstance(html, bytes | str) and "_CONFIG" not in (html if isinstance(html, str) else html.decode("latin-1")):
        return []
    doc = parse_html(html)
    if doc is None:
        return []
    script = "\n".join(t for t in doc.xpath("//script/text()") if "_CONFIG" in t and "TREE" in t)
    sid, tree = _SID.search(script), _TREE.search(script)
    if sid is None or tree is None:
        return []
    try:
        nodes = _nodes(json.loads(tree.group(1)))
    except json.JSONDecodeError as e:
        logger.info("%s: gkmlpt TREE is no JSON: %s", url, e)
        return []
    base = url.split("gkmlpt/")[0] if "gkmlpt/" in url else urljoin(url, "./")
    return [
        f"{base}{API_PATH.format(node=node['id'])}?{urlencode({'page': 1, 'sid': sid.group(1)})}"
        for node in nodes
        if not node.get("jump_url") and any(name in str(node.get("name", "")) for name in COLUMN_NAMES)
    ]


def _date(article: dict[str, Any]) -> str:
    for key in ("created_at", "display_publish_time", "date"):
        value = article.get(key)
        if isinstance(value, int | float) and value > 0:  # seconds since the epoch
            return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%d")
        if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value):
            return value[:10]
    return ""


def gkmlpt_records(body: bytes, url: str) -> tuple[list[Link], int]:
    """Report links (and the next page of the list) from one API answer, with the list's total; a body that is
    no such JSON gives none (logged)."""
    try:
        data = json.loads(body)
        articles = [a for a in data.get("articles") or [] if isinstance(a, dict)]
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError) as e:
        logger.info("%s: not a gkmlpt list: %s", url, e)
        return [], 0
    total = int(data.get("total") or (data.get("classify") or {}).get("post_count") or 0)
    # The articles as the platform's own list draws them: the listing readers date and classify each row.
    rows = "".join(
        f'<li><a href="{escape(str(a.get("post_url") or a.get("url") or ""))}">{escape(str(a.get("title", "")))}'
        f"</a><span>{_date(a)}</span></li>"
        for a in articles
    )
    links = [link for link in listing_links(f"<html><body><ul>{rows}</ul></body></html>", url) if link.rel != "column"]
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    page = int(query.get("page", ["1"])[0] or 1)
    # The page size is the first page's; a later page shorter than any real page size is the last one.
    if articles and page * len(articles) < total and (page == 1 or len(articles) >= MIN_PAGE_SIZE):
        query["page"] = [str(page + 1)]
        links.append(Link("next", urlunsplit(parts._replace(query=urlencode(query, doseq=True))), "gkmlpt"))
    return links, total
