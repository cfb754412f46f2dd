"""What a listing (or home) page links to: its reports, its next pages and its report columns, in that order.

The one place that composes the link readers of `crawler.links` (report rows, columns) and `crawler.pagination`
(pagers, inline data stores); the spider and `nianbao links` call it, so the operator's tool and the crawl agree.
"""

from __future__ import annotations

from crawler.links import Link, Page, column_links, dedupe, read_page, report_links
from crawler.pagination import inline_datastore_links, pagination_links


def listing_links(html: Page, url: str) -> list[Link]:
    """Report links, pagination links and report-column links on a listing (or home) page.

    Reports come first, then pagination, then columns; a URL appears once, under the first of these. The readers
    share one reading of the page's anchors (`crawler.links.PageAnchors`); pass the spider's, and the page's
    `listing_items` read them too.
    """
    page = read_page(html, url)
    if page is None:
        return []
    links = report_links(page, url)
    links += inline_datastore_links(page.doc, url)
    links += pagination_links(page, url)
    links += column_links(page, url)
    return dedupe(links)
