"""Discovery throughput: portals discovered per second and CPU-seconds per portal on a national replica of ≥ 500
portals, beside a plain client fetching the same pages.

    .venv/bin/python bench/discover.py [--cities 8] [--counties 8] [--repeat 1]

The national replica (replica.national) of six provinces (Guangdong, Jiangsu, Shandong, Henan, Sichuan, Hunan),
`--cities` prefecture cities each and up to `--counties` counties per city, with their departments, a town and the
traps, is served by a process of its own. `nianbao sites discover` runs as `python -m crawler.discover` from the
provincial portals with every host's delay 0 and AutoThrottle off (robots.txt is still fetched and obeyed): wall
time and CPU time of that process (interpreter start and imports included: what an operator waits for), and the
discovery's own time (from the reactor starting to the registry written). Baseline, in the same run: one aiohttp
ClientSession fetching every URL the discovery requested (its WARC's request records: robots.txt, home pages,
navigation pages) with the same limits (32 connections, 2 per host), bodies read, nothing parsed.

Last line: `discover: portals=… portals_per_s=… cpu_s_per_portal=… pages_per_s=… plain_pages_per_s=… ratio=…`
(ratio: discovery's pages per second over the plain client's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from crawl import fetch_aiohttp  # noqa: E402  (the plain client bench/crawl.py measures against)

PROVINCES = "440000,320000,370000,410000,510000,430000"
UNTHROTTLED = ["AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "NIANBAO_CRAWLDELAY_ENABLED=False",
               "LOG_LEVEL=ERROR"]  # fmt: skip


def requested(warc: Path) -> list[str]:
    with warc.open("rb") as f:
        return [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f) if r.rec_type == "request"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cities", type=int, default=8)
    parser.add_argument("--counties", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-discover-") as tmp:
        seeds, out = Path(tmp) / "seeds.yaml", Path(tmp) / "discovered.yaml"
        server = subprocess.Popen(
            [sys.executable, "-m", "replica.national", "--port", "0", "--seconds", "1800", "--seeds-out", str(seeds),
             "--provinces", PROVINCES, "--cities", str(args.cities), "--counties", str(args.counties)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert server.stdout is not None
            ready = server.stdout.readline().split()  # "port N portals M"
            served = int(ready[3])
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "crawler.discover", "--seeds", str(seeds), "--out", str(out),
                 "--seconds", "1200", *[a for s in UNTHROTTLED for a in ("--set", s)]],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            summary = json.loads(done.stdout.strip().splitlines()[-1])
            urls = requested(Path(summary["warc"]))
            plain_started = time.monotonic()
            fetched = asyncio.run(fetch_aiohttp(urls, total=32, per_host=2))
            plain = time.monotonic() - plain_started
        finally:
            server.terminate()
            server.wait(timeout=10)
    portals = summary["sites"]
    print(f"replica: {served} portals served (traps included); discovered {portals} "
          f"({summary['status']}), decisions {summary['decisions']}")  # fmt: skip
    print(f"discovery: {wall:.2f} s wall ({summary['seconds']:.2f} s from the reactor start), {cpu:.2f} CPU-s, "
          f"{len(urls)} requests")  # fmt: skip
    print(f"plain aiohttp: {fetched}/{len(urls)} pages in {plain:.2f} s")
    print(
        f"discover: portals={portals} portals_per_s={portals / wall:.1f} cpu_s_per_portal={cpu / portals:.4f} "
        f"pages_per_s={len(urls) / summary['seconds']:.1f} plain_pages_per_s={fetched / plain:.1f} "
        f"ratio={(len(urls) / summary['seconds']) / (fetched / plain):.2f}"
    )


if __name__ == "__main__":
    main()
