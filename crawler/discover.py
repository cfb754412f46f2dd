"""`nianbao sites discover`: a crawl of government portals' home pages that builds the sites registry.

It starts from registry portals (by default the provincial ones), reads each portal's home page and its 网站导航 /
网站地图 pages, takes the links of their link blocks (`crawler.portals`), and follows them breadth-first down the
hierarchy — province → departments and prefecture cities → theirs and the counties → towns with sites of their
own — within bounds of depth, portals and time. Each portal is placed in the tree by `crawler.tree`; its report
columns are found by the harvest's own column discovery (`crawler.links.column_links`).

The crawl has a harvest's manners because it is built from the same settings (`crawler.crawl.crawl_settings`):
robots.txt and its Crawl-delay, per-host delays, the hostile-URL refusals (every host is refused until a block
link makes it a candidate), download bounds and a WARC of every exchange. Only what discovery does not use is
switched off (incremental state, conditional requests, rendering).

    python -m crawler.discover --seeds nianbao/registry/national.yaml --out discovered.yaml
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor
from twisted.python.failure import Failure

from crawler.crawl import crawl_settings
from crawler.links import column_links, decode_html, parse_html
from crawler.middlewares.robots import RobotsUnreachable
from crawler.middlewares.sites import LOCAL_DOWNLOAD_TIMEOUT_S
from crawler.portals import navigation_pages, portal_links, portal_name, site_code
from crawler.refused import Refused
from crawler.tree import Candidate, Discovery
from nianbao.sites import Site

# Defaults of the bounds; the command line sets them.
DISCOVER_MAX_DEPTH = 4  # province → city → county → town, and one more for departments' own links
DISCOVER_MAX_PORTALS = 20_000  # above the ~14,000 government websites China has
DISCOVER_SECONDS = 6 * 3600
DISCOVER_LINKS_PER_PAGE = 600  # a province's 网站导航 lists a few hundred portals; thousands are a link farm
DISCOVER_NAV_PAGES = 3  # navigation pages read per portal
DISCOVER_PROGRESS_EVERY = 50  # portals between two progress lines on stderr
# Discovery touches each host a few times only: many hosts at once, each politely (the per-host delay holds).
DISCOVER_CONCURRENT_REQUESTS = 32

_SETTINGS = {
    "NIANBAO_CONDITIONAL_ENABLED": False,  # no incremental state: every home page is read
    "NIANBAO_CHECKPOINT_ENABLED": False,
    "NIANBAO_RENDER_ENABLED": False,
    "CLOSESPIDER_PAGECOUNT": 0,  # bounded by portals and time instead
    "DEPTH_LIMIT": 0,  # the tree's depth is counted in portals, not pages (crawler.tree)
    "CONCURRENT_REQUESTS": DISCOVER_CONCURRENT_REQUESTS,
    # Breadth-first: requests carry priority -depth, and the queue is FIFO within a priority.
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
    "RETRY_TIMES": 1,  # a portal that does not answer twice is recorded unreachable; the next run asks again
}


def allowed_domain(url: str) -> str:
    """What a candidate portal lets the crawl reach: its host, or for a .gov.cn host its registered domain (a
    portal's `x.gov.cn` redirects to `www.x.gov.cn`, a department's `sfj.x.gov.cn` may move to `x.gov.cn/sfj/`)."""
    host = (urlsplit(url).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.split(".")
    return ".".join(labels[-3:]) if host.endswith(".gov.cn") and len(labels) > 3 else host


class DiscoverSpider(scrapy.Spider):
    name = "discover"
    handle_httpstatus_list = (404, 403, 410, 412, 521)
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012  # Scrapy's own attribute

    def __init__(
        self, seeds: list[Site], discovery: Discovery, nav_pages: int = DISCOVER_NAV_PAGES, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.seeds = seeds
        self.discovery = discovery
        self.nav_pages = nav_pages
        self.allowed_domains: list[str] = []  # grows: a host is reachable once a link block makes it a candidate
        self.pages = 0

    async def start(self) -> Any:
        for site in self.seeds:
            candidate = self.discovery.seed(site.start_urls[0], site.name, site.division)
            if candidate is not None:
                yield self._home(candidate)

    def _home(self, candidate: Candidate) -> scrapy.Request:
        domain = allowed_domain(candidate.url)
        if domain not in self.allowed_domains:
            self.allowed_domains.append(domain)
        return scrapy.Request(
            candidate.url, callback=self.parse_home, errback=self.home_failed, priority=-candidate.depth,
            meta={"candidate": candidate}, dont_filter=True,
        )  # fmt: skip

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        candidate: Candidate = response.meta["candidate"]
        self.pages += 1
        if response.status != 200 or not isinstance(response, TextResponse):
            self.discovery.failed(candidate, f"HTTP {response.status}" if response.status != 200 else "not a page")
            return
        text = decode_html(response.body)
        page = parse_html(text)
        columns = list(dict.fromkeys(link.url for link in column_links(page, response.url))) if page is not None else []
        portal = self.discovery.fetched(candidate, site_code(text), portal_name(page), columns)  # the code: raw text
        if len(self.discovery.done) % DISCOVER_PROGRESS_EVERY == 0:  # long work shows progress
            print(f"discover: {len(self.discovery.done)} portals fetched, {len(self.discovery.queued)} found",
                  file=sys.stderr, flush=True)  # fmt: skip
        if portal is None:
            return  # outside the tree: its links are not read
        links = portal_links(page, response.url)
        yield from self._follow(candidate, links)
        directories = navigation_pages(page, response.url) + [link.url for link in links if link.verdict == "directory"]
        for url in list(dict.fromkeys(directories))[: self.nav_pages]:
            yield scrapy.Request(url, callback=self.parse_navigation, errback=self.navigation_failed,
                                 priority=-candidate.depth, meta={"candidate": candidate})  # fmt: skip

    def parse_navigation(self, response: Response) -> Iterator[scrapy.Request]:
        self.pages += 1
        if response.status != 200 or not isinstance(response, TextResponse):
            return  # a portal's missing 网站地图 is common; its home page's blocks were read
        links = portal_links(parse_html(decode_html(response.body)), response.url, directory=True)
        yield from self._follow(response.meta["candidate"], links)

    def _follow(self, candidate: Candidate, links: list[Any]) -> Iterator[scrapy.Request]:
        for found in self.discovery.links(candidate, links):
            yield self._home(found)

    def home_failed(self, failure: Failure) -> None:
        candidate: Candidate = failure.request.meta["candidate"]  # type: ignore[attr-defined]
        if isinstance(failure.value, RobotsUnreachable):
            self.discovery.failed(candidate, str(failure.value).split(": ", 1)[-1])
            return
        if isinstance(failure.value, Refused) or "robots.txt" in str(failure.value):
            self.discovery.refused(candidate, str(failure.value))
            return
        response = getattr(failure.value, "response", None)
        reason = (
            f"HTTP {response.status}" if response is not None else f"{type(failure.value).__name__}: {failure.value}"
        )
        self.discovery.failed(candidate, reason)

    def navigation_failed(self, failure: Failure) -> None:
        self.logger.info("navigation page not read: %s", failure.value)


def discover_settings(
    seeds: list[Site], warc_path: str, *, seconds: float, overrides: dict[str, Any] | None = None
) -> Settings:
    """A harvest's settings (crawler.crawl.crawl_settings) for a crawl of the seeds' kind of hosts: local
    replicas allow loopback addresses; the seeds' smallest delay is every host's."""
    delays = [s.delay for s in seeds if s.delay is not None]
    template = seeds[0].model_copy(
        update={"local": all(s.local for s in seeds), "delay": min(delays) if delays else None}
    )
    settings = crawl_settings()
    settings.set("NIANBAO_WARC_PATH", warc_path)
    settings.set("DOWNLOAD_DELAY", template.delay if template.delay is not None else settings["NIANBAO_DEFAULT_DELAY"])
    settings.set("NIANBAO_HOSTILE_ALLOW_PRIVATE", template.local)
    if template.local:  # a replica on this machine answers in milliseconds: a hang is a fault
        settings.set("DOWNLOAD_TIMEOUT", LOCAL_DOWNLOAD_TIMEOUT_S)
    settings.setdict(_SETTINGS, priority="cmdline")
    settings.set("CLOSESPIDER_TIMEOUT", seconds, priority="cmdline")
    settings.setdict(overrides or {}, priority="cmdline")
    return settings


def run_discovery(
    seeds: list[Site],
    warc_path: str,
    *,
    max_depth: int = DISCOVER_MAX_DEPTH,
    max_portals: int = DISCOVER_MAX_PORTALS,
    seconds: float = DISCOVER_SECONDS,
    links_per_page: int = DISCOVER_LINKS_PER_PAGE,
    overrides: dict[str, Any] | None = None,
) -> tuple[Discovery, dict[str, Any]]:
    """Crawl from the seeds in this process (once: Twisted's reactor does not restart) and return the discovery
    with the crawl's stats."""
    if not seeds:
        raise ValueError("no seed portals to discover from")
    discovery = Discovery(max_depth=max_depth, max_portals=max_portals, links_per_page=links_per_page)
    settings = discover_settings(seeds, warc_path, seconds=seconds, overrides=overrides)
    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    process = CrawlerProcess(settings)
    crawler = Crawler(DiscoverSpider, settings)
    process.crawl(crawler, seeds=seeds, discovery=discovery)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    discovery.close(str(stats.get("finish_reason", "")))
    return discovery, stats


def seed_sites(registry: Path, provinces: list[str]) -> list[Site]:
    """The registry's portals to start from: its provincial portals, or those of the given divisions (any
    level: "44" or "440000" for Guangdong's, "440100" for Guangzhou's)."""
    from nianbao.sites import load_registry

    sites = load_registry(registry)
    if not provinces:
        return [s for s in sites if s.level == "province"]
    prefixes = [p[:2] if p.endswith("0000") else p[:4] if len(p) == 6 and p.endswith("00") else p for p in provinces]
    return [s for s in sites if any(s.division.startswith(p) for p in prefixes)]


def discover_registry(
    seeds: list[Site],
    out: Path,
    *,
    warc: str | None = None,
    max_depth: int = DISCOVER_MAX_DEPTH,
    max_portals: int = DISCOVER_MAX_PORTALS,
    seconds: float = DISCOVER_SECONDS,
    links_per_page: int = DISCOVER_LINKS_PER_PAGE,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Discover from the seeds and write (or update) the registry at `out`; return the run's summary."""
    from crawler.discovered import write_discovered

    warc = warc or str(out.with_suffix(".warc.gz"))
    started = time.monotonic()
    discovery, stats = run_discovery(seeds, warc, max_depth=max_depth, max_portals=max_portals, seconds=seconds,
                                     links_per_page=links_per_page, overrides=overrides)  # fmt: skip
    summary = write_discovered(out, discovery, seeds)
    summary.update(seconds=round(time.monotonic() - started, 2), pages=stats.get("response_received_count", 0),
                   finish_reason=stats.get("finish_reason"), warc=warc, out=str(out))  # fmt: skip
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", required=True, help="registry YAML of the portals to start from")
    parser.add_argument("--province", action="append", default=[], help="start from these divisions' portals only")
    parser.add_argument("--out", required=True, help="registry YAML to write (updated when it exists)")
    parser.add_argument("--warc", help="WARC of the crawl (default: next to --out)")
    parser.add_argument("--depth", type=int, default=DISCOVER_MAX_DEPTH)
    parser.add_argument("--max-portals", type=int, default=DISCOVER_MAX_PORTALS)
    parser.add_argument("--seconds", type=float, default=DISCOVER_SECONDS)
    parser.add_argument("--links-per-page", type=int, default=DISCOVER_LINKS_PER_PAGE)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting")
    args = parser.parse_args(argv)
    seeds = seed_sites(Path(args.seeds), args.province)
    summary = discover_registry(
        seeds, Path(args.out), warc=args.warc, max_depth=args.depth, max_portals=args.max_portals,
        seconds=args.seconds, links_per_page=args.links_per_page,
        overrides=dict(item.split("=", 1) for item in args.set),
    )  # fmt: skip
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
