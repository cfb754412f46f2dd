"""Which site a request belongs to, for the middlewares and extensions of a crawler that serves many sites.

The spider (crawler.spider) knows the sites in flight; a component asks it through `site_of`, and counts what it
sees for the site and for the crawler with `count`. A component used with another spider (a test's, the
discover helper's) finds no site and still counts in Scrapy's stats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request

if TYPE_CHECKING:
    from crawler.site import SiteCrawl

SITE = "nianbao_site"  # meta: the code of the site a request belongs to
STEP = "nianbao_step"  # meta: the SiteCrawl method that reads its response
REQUEST_ID = "nianbao_request"  # meta: one id per request a walk made; redirects and retries keep it


def site_of(crawler: Any, request: Request) -> SiteCrawl | None:
    """The site in flight `request` belongs to (None: a request of another spider, or of no site in flight)."""
    find = getattr(crawler.spider, "site_of", None)
    return find(request) if find is not None else None


def count(crawler: Any, request: Request, name: str, value: int = 1) -> None:
    """Count `name` for the request's site and in the crawler's stats (as `nianbao/{name}`)."""
    run = site_of(crawler, request)
    if run is not None:
        run.count(name, value)
    if crawler.stats:
        crawler.stats.inc_value(f"nianbao/{name}", value)
