"""What a listing (or home) page links to: its reports, its next pages and its report columns, in that order.

The one place that composes the link readers of `crawler.links` (report rows, columns) and `crawler.pagination`
(pagers, inline data stores); the spider and `nianbao links` call it, so the operator's tool and the crawl agree.
"""

from __future__ import annotations

from crawler.links import Link, Page, column_links, dedupe, parse_html, report_links
from crawler.pagination import inline_datastore_links, pagination_links


def listing_links(html: Page, url: str) -> list[Link]:
    """Report links, pagination links and report-column links on a listing (or home) page.

    Reports come first, then pagination, then columns; a URL appears once, under the first of these.
    """
    doc = parse_html(html)
    if doc is None:
        return []
    links = report_links(doc, url)
    links += inline_datastore_links(doc, url)
    links += pagination_links(doc, url)
    links += column_links(doc, url)
    return dedupe(links)
