"""Optional rendering: the listing pages of a `render: true` site are fetched by Chromium (scrapy-playwright).

Some portals write their report lists with JavaScript; the HTML the server sends holds no links. For such a site
(`render: true` in the registry, off by default) the spider's listing pages, and only those, go through a headless
Chromium — Debian's (`apt-get install chromium`, `/usr/bin/chromium`; Playwright never downloads a browser here) —
and the spider reads the DOM after the scripts ran. robots.txt, report pages and attachments are fetched as
always: their bytes are what gets archived and extracted.

- `render_settings(sites)` gives the crawler of the render sites (crawler.crawl gives them one of their own)
  scrapy-playwright's download handler (which sends a request through the browser only when its
  `meta["playwright"]` is set) and a browser that fetches nothing outside the sites' domains, no images, fonts or
  media: the browser's own requests bypass the downloader middlewares (robots.txt, hostile URLs), so this is
  where they are bounded.
- `RenderListingsMiddleware` marks the spider's listing requests (`meta[LISTING]`) for the browser. They are not
  conditional: a browser navigation has no page to show for a 304, so a rendered listing is fetched whole. The
  WARC's response record of a rendered listing holds the DOM the spider read, not the bytes the server sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.conditional import META_KEY as CONDITIONAL
from nianbao.sites import Site

LISTING = "nianbao_listing"  # meta key: a listing (or home) page request of the spider
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Nothing the spider reads: the browser does not fetch them.
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
INSTALL_HINT = "install Debian's Chromium: apt-get update && apt-get install -y chromium"


def same_site(allowed_domains: tuple[str, ...]) -> Callable[[Any], bool]:
    """scrapy-playwright's PLAYWRIGHT_ABORT_REQUEST: abort what the browser asks outside the site, and decoration."""

    def abort(request: Any) -> bool:
        host = urlsplit(request.url).hostname or ""
        inside = any(host == domain or host.endswith("." + domain) for domain in allowed_domains)
        return not inside or request.resource_type in SKIPPED_RESOURCES

    return abort


def render_settings(sites: tuple[Site, ...], chromium: str) -> dict[str, Any]:
    """The settings that send the listing pages of `sites` through Chromium at `chromium`; none if none renders."""
    if not any(site.render for site in sites):
        return {}
    domains = tuple(domain for site in sites if site.render for domain in site.allowed_domains)
    return {
        "NIANBAO_RENDER_ENABLED": True,
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": chromium, "headless": True},
        "PLAYWRIGHT_ABORT_REQUEST": same_site(domains),
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1,  # one listing rendered at a time: a browser page is heavy
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 20_000,  # ms: DOWNLOAD_TIMEOUT does not bound the browser
    }


class RenderListingsMiddleware:
    """Downloader middleware: listing requests of a render site are fetched by the browser."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.navigation = {"wait_until": crawler.settings.get("NIANBAO_RENDER_WAIT_UNTIL")}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("NIANBAO_RENDER_ENABLED"):
            raise NotConfigured  # the usual case: without a message Scrapy does not warn about it for every site
        chromium = crawler.settings.get("NIANBAO_RENDER_CHROMIUM")
        if not os.access(chromium, os.X_OK):
            # A render site crawled without its browser finds nothing, and would look like a site without reports.
            raise RuntimeError(
                f"the site needs rendering, but {chromium} is not an executable Chromium: {INSTALL_HINT}"
            )
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.meta.get(LISTING):
            request.meta["playwright"] = True
            request.meta["playwright_page_goto_kwargs"] = self.navigation
            request.meta[CONDITIONAL] = False
            if self.crawler.stats:
                self.crawler.stats.inc_value("nianbao/rendered")
