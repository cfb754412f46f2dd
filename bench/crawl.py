"""Crawl throughput on many sites beside plain asyncio clients (what a re-run costs: bench/reruns.py).

    .venv/bin/python bench/crawl.py [--sites 60] [--parallel 8] [--per-host 2] [--repeat 3] [--profile FILE]

1. Throughput, on the scale replica (replica.scale: N small generated portals, one loopback address each,
   served by a process of their own). nianbao crawls them in one crawl process as a harvest batch does
   (`crawler.crawl.crawl_sites`: one Scrapy crawler for all the sites, `--parallel` hosts in flight), throttling
   off (DOWNLOAD_DELAY=0, AutoThrottle and crawler.middlewares.politeness off), at most `--per-host` requests at
   once per host and parallel × per-host in all. Time: from the call to the last site's summary — reactor start,
   state loads, robots.txt, parsing, WARC writing and upload to the (local) store, state saves included; the
   interpreter start and imports are not. The crawl process's CPU time is printed beside it: on a shared machine
   it is the steadier figure.
2. The same URLs in the same run — every request record of every site's WARC, robots.txt and retries included —
   with the same budget (at most parallel × per-host requests in flight, at most per-host on one host), by:
   - bare Scrapy: a spider that only fetches them, one crawler per site, nothing of nianbao's: Scrapy's own share;
     and the same spider with one crawler for all the sites: the most Scrapy itself reaches on these URLs;
   - one aiohttp ClientSession and one httpx AsyncClient, bodies read, nothing parsed or written.
   They know every URL up front; the crawl discovers them page by page (robots.txt → listing → next pages →
   reports), which is part of what is measured. The ratio is against the faster plain client. Each round is a
   fresh full crawl followed by the others on the same URLs, so all see the same machine load; `--repeat` rounds,
   the median of each figure.

`--profile FILE` runs the first full crawl under cProfile and writes its stats to FILE (`python -m pstats FILE`).
`--batch SPEC` is the crawl process the bench starts (a JSON spec); it prints one JSON line.

Last line: `crawl: scrapy_pages_per_s=… plain_pages_per_s=… ratio=… bare_scrapy_ratio=…
bare_scrapy_one_crawler_ratio=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import httpx  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from nianbao.sites import Site, parse_registry  # noqa: E402

KINDS = ["rule_of_law", "info_disclosure"]


def unthrottled(per_host: int) -> dict[str, str]:
    """Scrapy settings with every delay off and `per_host` requests at once (one crawler crawls one host)."""
    return {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "NIANBAO_POLITENESS_ENABLED": "False",
        "RANDOMIZE_DOWNLOAD_DELAY": "False",
        "CONCURRENT_REQUESTS": str(per_host),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(per_host),
        "LOG_LEVEL": "WARNING",
    }


# -- the crawl processes -------------------------------------------------------------------------------------------


def run_crawlers(sites: list[Any], parallel: int, start: Callable[[Any], Any], process: Any) -> tuple[float, float]:
    """Run `start(site)` (a crawl's Deferred) for every site, `parallel` at once, in `process`: (wall, CPU) seconds."""
    from twisted.internet import reactor
    from twisted.internet.defer import DeferredList, DeferredSemaphore

    clock: dict[str, float] = {}

    def begin() -> None:
        semaphore = DeferredSemaphore(parallel)
        clock["start"], clock["cpu_start"] = time.perf_counter(), time.process_time()
        DeferredList([semaphore.run(start, site) for site in sites]).addBoth(end)

    def end(_: object) -> None:
        clock["end"], clock["cpu_end"] = time.perf_counter(), time.process_time()
        reactor.stop()  # type: ignore[misc]  # twisted.internet.reactor is typed as a module

    reactor.callWhenRunning(begin)
    process.start(stop_after_crawl=False)
    return clock["end"] - clock["start"], clock["cpu_end"] - clock["cpu_start"]


def process_for(settings: Any) -> Any:
    """A CrawlerProcess whose own settings (reactor, logging) sit below each crawler's, with its reactor installed.

    The components the settings name are imported here, before any clock starts: a crawl process imports them
    once for all its sites, and the plain clients' imports are not timed either.
    """
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object
    from scrapy.utils.reactor import install_reactor

    install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS"):
        for path, order in settings.getwithbase(name).items():
            if order is not None:
                load_object(path)
    for path in settings.getwithbase("DOWNLOAD_HANDLERS").values():
        if path is not None:
            load_object(path)
    queues = ("SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE", "LOG_FORMATTER")
    for name in ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "ROBOTSTXT_PARSER", "DNS_RESOLVER", *queues):
        load_object(settings[name])
    return CrawlerProcess(Settings(dict(settings.items()), priority="default"))


def batch_nianbao(spec: dict[str, Any]) -> dict[str, Any]:
    """Crawl the sites as a harvest's crawl process does (`crawler.crawl.crawl_sites`: one crawler, `parallel` hosts
    at once), the captures handed to nobody; time it from the call to the last site's summary."""
    from crawler.crawl import crawl_sites
    from storage.store import Store

    sites = [Site.model_validate(s) for s in spec["sites"]]
    overrides = {**spec["overrides"], "CONCURRENT_REQUESTS": str(int(spec["parallel"]) * int(spec["per_host"]))}
    started, cpu_started = time.perf_counter(), time.process_time()
    # Captures go nowhere; the state marks them extracted (as the flow does once it collected their extraction:
    # without it the re-run would fetch every report again, as after a lost extraction).
    summaries = crawl_sites(
        sites, int(spec["year"]), KINDS, Store(spec["store"]), send=lambda captures, site: [],
        overrides=overrides, hosts_in_flight=int(spec["parallel"]),
    )  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rows = [
        {
            "site": s.site,
            "warc": s.warc_key,
            "pages": s.pages,
            "requests": s.requests,
            "response_bytes": s.response_bytes,
            "captures": s.captures,
            "skipped": s.skipped,
            "errors": int(bool(s.error)),
        }
        for s in summaries
    ]
    return {"seconds": seconds, "cpu_seconds": cpu, "sites": rows}


def batch_scrapy(spec: dict[str, Any]) -> dict[str, Any]:
    """Fetch each site's URLs with a bare Scrapy spider, one crawler each: Scrapy's own share of the crawl's time.

    Scrapy's defaults and the bench's budget, plus the three settings nianbao turns off for every crawler (telnet
    console, remote control, the generator check); nothing of nianbao's (robots.txt is among the URLs, not obeyed).
    With `one_crawler`, all the URLs go through a single crawler instead (the budget in flight, per host at most
    `per_host`, Scrapy's downloader-aware queue for many hosts): what Scrapy itself reaches at best.
    """
    import scrapy
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    class Fetch(scrapy.Spider):
        name = "fetch"

        def __init__(self, urls: list[str], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.urls = urls

        async def start(self) -> Any:
            for url in self.urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response: Any) -> None:
            return None

    settings = Settings(
        {
            **spec["overrides"],
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    groups: dict[str, list[str]] = spec["urls"]
    if spec["one_crawler"]:
        settings.set("CONCURRENT_REQUESTS", int(spec["parallel"]) * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        settings.set("SCHEDULER_PRIORITY_QUEUE", "scrapy.pqueues.DownloaderAwarePriorityQueue")
        groups = {"all": [url for urls in groups.values() for url in urls]}
    process = process_for(settings)
    crawlers: list[Crawler] = []

    def start(group: str) -> Any:
        crawlers.append(Crawler(Fetch, settings.copy()))
        return process.crawl(crawlers[-1], urls=groups[group])

    seconds, cpu = run_crawlers(list(groups), int(spec["parallel"]), start, process)
    pages = sum(int(c.stats.get_value("response_received_count", 0)) for c in crawlers if c.stats is not None)
    return {"seconds": seconds, "cpu_seconds": cpu, "pages": pages}


def crawl(
    sites: list[Site],
    store: Path,
    name: str,
    *,
    year: int,
    parallel: int,
    per_host: int,
    profile: str | None = None,
    urls: dict[str, list[str]] | None = None,
    one_crawler: bool = False,
) -> dict[str, Any]:
    """One round in a crawl process of its own (a Twisted reactor starts once per process); bare Scrapy with `urls`."""
    spec = {
        "sites": [s.model_dump(mode="json") for s in sites],
        "store": str(store),
        "year": year,
        "round": name,
        "parallel": parallel,
        "per_host": per_host,
        "overrides": unthrottled(per_host),
        "urls": urls,
        "one_crawler": one_crawler,
    }
    spec_file = store.parent / f"{name}.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    command = [
        sys.executable,
        *(["-m", "cProfile", "-o", profile] if profile else []),
        __file__,
        "--batch",
        str(spec_file),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"crawl round {name} failed\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def requested(warc: Path) -> list[str]:
    """The URL of every request record of a crawl's WARC, in order."""
    if not warc.exists():
        return []
    with warc.open("rb") as f:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f) if r.rec_type == "request"]


# -- the plain clients ---------------------------------------------------------------------------------------------


async def fetch_aiohttp(urls: list[str], total: int, per_host: int) -> int:
    """Fetch `urls`, bodies read, with aiohttp's connection limits; return the responses received."""
    connector = aiohttp.TCPConnector(limit=total, limit_per_host=per_host)
    timeout = aiohttp.ClientTimeout(total=20)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(url: str) -> bool:
            async with session.get(url, allow_redirects=False) as response:
                await response.read()
                return True

        results = await asyncio.gather(*(one(u) for u in urls), return_exceptions=True)
    return sum(r is True for r in results)


async def fetch_httpx(urls: list[str], total: int, per_host: int) -> int:
    """Fetch `urls`, bodies read, with one AsyncClient (`total` connections) and a semaphore per host."""
    limits = httpx.Limits(max_connections=total, max_keepalive_connections=total)
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(per_host))
    async with httpx.AsyncClient(limits=limits, timeout=20, follow_redirects=False) as client:

        async def one(url: str) -> bool:
            async with hosts[urlsplit(url).netloc]:
                await client.get(url)  # the body is read in full
                return True

        results = await asyncio.gather(*(one(u) for u in urls), return_exceptions=True)
    return sum(r is True for r in results)


def timed(
    fetch: Callable[[list[str], int, int], Coroutine[Any, Any, int]], urls: list[str], total: int, per_host: int
) -> tuple[float, int]:
    """(seconds, responses) of one plain client run."""
    started = time.perf_counter()
    received = asyncio.run(fetch(urls, total, per_host))
    return time.perf_counter() - started, received


# -- the bench -----------------------------------------------------------------------------------------------------


class ScaleServer:
    """The scale replica in a process of its own: its threads must not share this process's interpreter lock."""

    def __init__(self, n: int, year: int, registry: Path, column_pages: int = 0) -> None:
        command = [sys.executable, "-m", "replica.scale", "--sites", str(n), "--port", "0"]
        command += ["--year", str(year), "--seconds", "3600", "--registry-out", str(registry)]
        command += ["--column-pages", str(column_pages)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("port "):
            self.process.kill()
            raise RuntimeError(f"the scale replica did not start: {line!r}")
        self.sites = parse_registry(registry.read_text("utf-8"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=60, help="scale replica sites")
    parser.add_argument("--parallel", type=int, default=8, help="sites crawled at once (a harvest batch's default)")
    parser.add_argument("--per-host", type=int, default=2, help="requests at once on one site")
    parser.add_argument("--repeat", type=int, default=3, help="throughput rounds; the median of each figure is kept")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--profile", help="write cProfile stats of the first full scale crawl to this file")
    parser.add_argument("--batch", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batch:
        spec = json.loads(Path(args.batch).read_text("utf-8"))
        print(json.dumps(batch_scrapy(spec) if spec["urls"] else batch_nianbao(spec)))
        return
    budget = {"year": args.year, "parallel": args.parallel, "per_host": args.per_host}
    total = args.parallel * args.per_host
    rates: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-crawl-") as tmp:
        root = Path(tmp)
        scale = ScaleServer(args.sites, args.year, root / "sites.yaml")
        try:
            # Each round: nianbao on a fresh store (a full crawl), then the others on the same URLs, in turn, so
            # that all see the same machine load.
            for n in range(args.repeat):
                store = root / f"scale-{n}" / "data"
                store.mkdir(parents=True)
                full = crawl(scale.sites, store, "full", **budget, profile=args.profile if n == 0 else None)
                pages = sum(r["pages"] for r in full["sites"])
                rates["nianbao"].append(pages / full["seconds"])
                cpu["nianbao"].append(full["cpu_seconds"])
                if n == 0:
                    first = full
                    by_site = {r["site"]: requested(store / r["warc"]) for r in full["sites"]}
                    urls = [u for site_urls in by_site.values() for u in site_urls]
                for name, one_crawler in (("scrapy", False), ("scrapy_one", True)):
                    bare = crawl(scale.sites, store, "bare", **budget, urls=by_site, one_crawler=one_crawler)
                    rates[name].append(bare["pages"] / bare["seconds"])
                    cpu[name].append(bare["cpu_seconds"])
                for name, fetch in (("aiohttp", fetch_aiohttp), ("httpx", fetch_httpx)):
                    seconds, received = timed(fetch, urls, total, args.per_host)
                    rates[name].append(received / seconds)
        finally:
            scale.stop()

    print(
        f"scale replica: {len(scale.sites)} sites, {len(urls)} URLs (robots.txt included); {args.parallel} sites at"
        f" once, {args.per_host} requests at once per host, at most {total} in flight; throttling off;"
        f" median of {args.repeat} rounds"
    )
    labels = {
        "nianbao": "nianbao crawl (one crawler for all sites)",
        "scrapy": "bare Scrapy, same URLs, one crawler per site",
        "scrapy_one": "bare Scrapy, same URLs, one crawler for all",
        "aiohttp": "plain aiohttp, same URLs",
        "httpx": "plain httpx, same URLs",
    }
    for name, label in labels.items():
        used = f"  crawl process CPU {statistics.median(cpu[name]):.2f} s" if name in cpu else ""
        print(f"  {label:46} {statistics.median(rates[name]):7.1f} pages/s{used}")
    print(f"errors logged by the first crawl: {sum(r['errors'] for r in first['sites'])}")
    nianbao, best = (
        statistics.median(rates["nianbao"]),
        max(statistics.median(rates["aiohttp"]), statistics.median(rates["httpx"])),
    )
    print(
        f"crawl: scrapy_pages_per_s={nianbao:.1f} plain_pages_per_s={best:.1f} ratio={nianbao / best:.2f}"
        f" bare_scrapy_ratio={statistics.median(rates['scrapy']) / best:.2f}"
        f" bare_scrapy_one_crawler_ratio={statistics.median(rates['scrapy_one']) / best:.2f}"
    )


if __name__ == "__main__":
    main()
