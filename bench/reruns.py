"""What an incremental re-run costs: requests and response bytes of re-runs of unchanged replicas, as shares of
the full run (issue 18: ≤ 25 % of the requests and ≤ 5 % of the bytes).

    .venv/bin/python bench/reruns.py [--runs 4] [--every DAYS] [--sites 60] [--column-pages P] [--year 2021]

A full crawl on a fresh store, then `--runs` − 1 re-runs on the same store (its state), each in a crawl process
of its own as a harvest batch runs it (bench/crawl.py's `crawl`: `crawler.crawl.crawl_sites`, throttling off, the
captures handed to nobody and so marked extracted). Requests are those the sites' crawls sent (CrawlSummary:
robots.txt and retries included), bytes their response bytes (headers included).

`--every DAYS` is the time between runs: before each re-run the state's clock (the `checked` and `since` times of
every entry, the only times the revalidation policy reads: crawler.revalidation) is moved back by DAYS, as if the
re-run came DAYS later. 0 (the default): back to back, every re-run within every wait. 30: a monthly schedule. The
publication season is read from today's date against `--year`: for a past year it is over.

Replicas: the portal replica (pagination styles, JCMS, PDF reports, attachments; the headline figure) and the
scale replica (`--sites` small generated portals, 0 to leave it out; `--column-pages 27` gives each a report column
of 27 pages, ≈ 30 requests a site as a real portal's column asks, where the portal replica's columns are one or
two pages: there robots.txt, the first listing pages and the reports, which every re-run must ask, are most of the
full run).

One line per re-run: `incremental: replica=portal run=2 every_days=0 full_requests=… rerun_requests=… ratio=…
bytes_ratio=… skipped=… captures=… errors=…`; `run` counts the full crawl as 1; `skipped` are the requests
not sent (crawler's CrawlSummary.skipped), `captures` the reports queued again (none on an unchanged replica).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from crawl import ScaleServer, crawl  # noqa: E402  (bench/crawl.py's crawl process)

from nianbao.sites import Site, parse_registry  # noqa: E402
from replica import Replica, sites_yaml  # noqa: E402
from tests.stateclock import age_state  # noqa: E402


def totals(result: dict[str, Any]) -> tuple[int, int, int]:
    """(requests, response bytes, revalidations skipped) of one crawl round, over its sites."""
    rows = result["sites"]
    return (
        sum(r["requests"] for r in rows),
        sum(r["response_bytes"] for r in rows),
        sum(sum(r["skipped"].values()) for r in rows),
    )


def rounds(name: str, sites: list[Site], store: Path, runs: int, every: float, budget: dict[str, Any]) -> list[str]:
    """The full crawl and its re-runs on `store`; one line per re-run."""
    store.mkdir(parents=True)
    full_requests, full_bytes, _ = totals(crawl(sites, store, "full", **budget))
    lines = []
    for run in range(2, runs + 1):
        age_state(store, every)
        result = crawl(sites, store, f"rerun{run}", **budget)
        requests, got, skipped = totals(result)
        errors = sum(r["errors"] for r in result["sites"])
        captures = sum(r["captures"] for r in result["sites"])
        lines.append(
            f"incremental: replica={name} run={run} every_days={every:g} full_requests={full_requests}"
            f" rerun_requests={requests} ratio={requests / full_requests:.3f} full_bytes={full_bytes}"
            f" rerun_bytes={got} bytes_ratio={got / full_bytes:.3f} skipped={skipped} captures={captures}"
            f" errors={errors}"
        )
        print(lines[-1], flush=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=4, help="crawls on one store: the full one and its re-runs")
    parser.add_argument("--every", type=float, default=0.0, help="days between runs (the state's clock moves back)")
    parser.add_argument("--sites", type=int, default=60, help="scale replica sites (0: the portal replica only)")
    parser.add_argument(
        "--column-pages", type=int, default=0,
        help="every scale site's report column this many pages long (27: ~30 requests a site, a real portal's shape)",
    )  # fmt: skip
    parser.add_argument("--year", type=int, default=2021)
    args = parser.parse_args()
    budget = {"year": args.year, "parallel": 8, "per_host": 2}
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-reruns-") as tmp:
        root = Path(tmp)
        with Replica(port=0, slow_seconds=0.0) as replica:
            portals = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(replica.port))]
            rounds("portal", portals, root / "portal" / "data", args.runs, args.every, budget)
        if args.sites:
            scale = ScaleServer(args.sites, args.year, root / "sites.yaml", args.column_pages)
            try:
                rounds("scale", scale.sites, root / "scale" / "data", args.runs, args.every, budget)
            finally:
                scale.stop()


if __name__ == "__main__":
    main()
