"""Crawl speed on the replica beside a plain asyncio HTTP client, and what an incremental re-run costs.

    .venv/bin/python bench/crawl.py [--year 2021] [--concurrency 16] [--slow]

1. Full crawl: every replica site, one `python -m crawler.crawl` after the other (as the flow runs them, one
   process per site), with throttling off: `DOWNLOAD_DELAY=0`, AutoThrottle off, robots.txt Crawl-delay off,
   `CONCURRENT_REQUESTS` and `CONCURRENT_REQUESTS_PER_DOMAIN` = --concurrency. Captures go to a file (no Redis).
   Time per site: Scrapy's `elapsed_time_seconds` (spider open to close: robots.txt, parsing, WARC writing
   included; Python start-up and imports not).
2. Plain client: the same URLs — every request record of each site's WARC, retries and robots.txt included — fetched
   by one `httpx.AsyncClient` per site with the same concurrency, bodies read, nothing parsed or written. The
   two take turns per site, so both see the same machine load.
3. Incremental re-run: every site crawled again on the same store (the sites' state): requests and response bytes
   (Scrapy's `downloader/response_bytes`, headers included) as a share of the full crawl.

The replica has one slow page (`/slow/…`, 3 s before answering). By default it is served at once (the replica's
`slow_seconds=0`) for both clients: a single page that sleeps measures the server, not the client. `--slow` keeps
the 3 s, for both, to show what it does to the figures.

Last line: `crawl: scrapy_pages_per_s=… plain_pages_per_s=… ratio=… incremental_bytes_share=…`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from nianbao.replica import Replica, sites_yaml  # noqa: E402
from nianbao.replica.server import SLOW_SECONDS  # noqa: E402
from nianbao.sites import Site, parse_registry  # noqa: E402

KINDS = ("rule_of_law", "info_disclosure")


def unthrottled(concurrency: int) -> list[str]:
    settings = {
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "NIANBAO_CRAWLDELAY_ENABLED": "False",
        "RANDOMIZE_DOWNLOAD_DELAY": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
        "LOG_LEVEL": "WARNING",
    }
    return [f"--set={k}={v}" for k, v in settings.items()]


def crawl(site: Site, year: int, store: Path, out: Path, settings: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", str(year)]
    command += [*(f"--kind={k}" for k in KINDS), "--store", str(store), "--captures-out", str(out), *settings]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{site.code}: crawl failed\n{done.stderr[-3000:]}")
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def requested(warc: Path) -> list[str]:
    """The URL of every request record of a crawl's WARC, in order."""
    if not warc.exists():
        return []
    with warc.open("rb") as f:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f) if r.rec_type == "request"]


async def fetch_all(urls: list[str], concurrency: int) -> tuple[float, int]:
    """Fetch `urls` with one AsyncClient, at most `concurrency` at once, bodies read; (seconds, responses)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    received = 0

    async def one(client: httpx.AsyncClient, url: str) -> None:
        nonlocal received
        async with gate:
            try:
                await client.get(url)  # the body is read in full
                received += 1
            except httpx.HTTPError:
                pass

    async with httpx.AsyncClient(limits=limits, timeout=20, follow_redirects=False) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one(client, u) for u in urls))
        return time.perf_counter() - started, received


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--slow", action="store_true", help=f"keep the replica's {SLOW_SECONDS:.0f} s slow page")
    args = parser.parse_args()
    settings = unthrottled(args.concurrency)
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="nianbao-bench-crawl-") as tmp,
        Replica(port=0, slow_seconds=SLOW_SECONDS if args.slow else 0.0) as replica,
    ):
        store, outs = Path(tmp) / "data", Path(tmp) / "captures"
        outs.mkdir()
        sites = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(replica.port))]
        for site in sites:
            full = crawl(site, args.year, store, outs / f"{site.code}-full.jsonl", settings)
            urls = requested(store / full["warc_key"])
            plain_s, plain_pages = asyncio.run(fetch_all(urls, args.concurrency))
            rows.append(
                {
                    "site": site.code,
                    "urls": len(urls),
                    "scrapy_pages": full["pages"],
                    "scrapy_s": full["crawl_seconds"],
                    "plain_pages": plain_pages,
                    "plain_s": plain_s,
                    "full": full,
                }
            )
        for row, site in zip(rows, sites, strict=True):
            row["again"] = crawl(site, args.year, store, outs / f"{site.code}-again.jsonl", settings)

    print(
        f"{'site':24} {'urls':>5} {'scrapy p':>8} {'scrapy s':>8} {'plain p':>8} {'plain s':>8}"
        f" {'req full':>8} {'req inc':>8} {'KB full':>8} {'KB inc':>8} {'queued inc':>10}"
    )
    for r in rows:
        full, again = r["full"], r["again"]
        print(
            f"{r['site']:24} {r['urls']:>5} {r['scrapy_pages']:>8} {r['scrapy_s']:>8.2f} {r['plain_pages']:>8}"
            f" {r['plain_s']:>8.2f} {full['requests']:>8} {again['requests']:>8} {full['response_bytes'] / 1024:>8.1f}"
            f" {again['response_bytes'] / 1024:>8.1f} {again['captures']:>10}"
        )
    scrapy_pages = sum(r["scrapy_pages"] for r in rows)
    scrapy_s = sum(r["scrapy_s"] for r in rows)
    plain_pages = sum(r["plain_pages"] for r in rows)
    plain_s = sum(r["plain_s"] for r in rows)
    requests_full = sum(r["full"]["requests"] for r in rows)
    requests_inc = sum(r["again"]["requests"] for r in rows)
    bytes_full = sum(r["full"]["response_bytes"] for r in rows)
    bytes_inc = sum(r["again"]["response_bytes"] for r in rows)
    scrapy_rate, plain_rate = scrapy_pages / scrapy_s, plain_pages / plain_s
    slow = f"slow page {SLOW_SECONDS:.0f} s" if args.slow else "slow page served at once"
    print(
        f"\ntotal: scrapy {scrapy_pages} pages in {scrapy_s:.2f} s, plain httpx {plain_pages} in {plain_s:.2f} s"
        f" ({slow}, concurrency {args.concurrency}); incremental re-run: {requests_inc}/{requests_full} requests"
        f" ({requests_inc / requests_full:.1%}), {bytes_inc}/{bytes_full} bytes ({bytes_inc / bytes_full:.1%})"
    )
    print(
        f"crawl: scrapy_pages_per_s={scrapy_rate:.1f} plain_pages_per_s={plain_rate:.1f}"
        f" ratio={scrapy_rate / plain_rate:.2f} incremental_bytes_share={bytes_inc / bytes_full:.3f}"
        f" incremental_requests_share={requests_inc / requests_full:.3f}"
    )


if __name__ == "__main__":
    main()
