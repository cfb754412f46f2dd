"""Harvest N scale-replica sites on the embedded default and measure the fixed cost per site (issue 8).

    .venv/bin/python bench/national.py --sites 50 [--year 2021] [--no-control] [--parallel 4] [--workers 2]
        [--delay 1] [--hosts-in-flight 256] [--column-pages 27]

Each harvest runs in a child process that calls `shell.cli.run_harvest` — the code path of
`nianbao harvest --sites FILE` — and records when the flow started and when each site finished (the flow's
progress events). The parent serves the sites (`python -m replica.scale`, not counted in memory) and
samples VmRSS of the child's process tree every 0.2 s, grouped by kind: flow (the CLI/flow process), crawler
(`python -m crawler.crawl`), celery (worker and its pool children), redis, prefect-server, other.

Phases of a harvest:   startup  = child start → the flow's "started" event (Redis, Celery, Prefect API, flow run)
                       sites    = "started" → last "site-done" (crawls, extraction waits, task-run bookkeeping)
                       tail     = last "site-done" → child exit (manifests, run summary, artifacts, stop services)
Fixed cost per site:   per_site_overhead_s = sites phase / N of the *control* run, a harvest of the same N sites
                       with the reports replaced by filler (same pages, no captures, no extraction). The main
                       run's sites phase minus the control's, divided by the reports, is the cost per report.
                       With --no-control, the main run's sites phase / N is printed instead (an upper bound).
Politeness (--delay D: every site asks for D seconds between requests, written into the registry the replica
made): each site's crawl is the interval [its "crawled" event − its crawl seconds, the event]; hosts in flight
at a moment are the intervals open then (one site per host at a time), sampled every 0.1 s over the crawl phase
(first crawl start → last crawl end): the maximum and the mean. The politeness bound is what the delays alone
impose: max(Σ pages × D over the sites ÷ hosts allowed at once, the longest single site's pages × D), hosts
allowed at once = min(N, processes × NIANBAO_HOSTS_IN_FLIGHT). `--column-pages P` makes every site's report
column P pages long (replica.scale: ≈ P + 3 requests a site; the issue's arithmetic assumes ~30 pages a portal);
by default a site is ≈ 5 requests, and then the bound is shorter than the stack's start-up. Memory per host in
flight = the crawl processes' peak RSS above a crawl process's idle size, ÷ the most hosts in flight.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE_S = 0.2
CRAWL_PROCESS_IDLE_MB = 100  # a crawl process with Scrapy, Twisted and the Celery app loaded, before any site
KINDS = ("flow", "crawler", "celery", "redis", "prefect-server", "other")


# --- the child: one harvest, as `nianbao harvest` runs it ------------------------------------------------------
def child(args: argparse.Namespace) -> None:
    from flows.progress import listen
    from shell.cli import run_harvest

    events: list[tuple[float, str, str]] = []
    crawls: list[tuple[float, float, int]] = []  # (end, seconds, pages) of each site's crawl

    def on_event(event: str, data: dict[str, Any]) -> None:
        events.append((time.time(), event, str(data.get("site", ""))))
        if event == "crawled":
            crawls.append((time.time(), float(data.get("seconds", 0.0)), int(data.get("pages", 0))))

    listen(on_event)
    summary = run_harvest(args.year, Path(args.registry), [], [], args.store, args.workers)
    rows = summary.sites
    out = {
        "events": events,
        "reports_found": sum(r.reports_found for r in rows),
        "stored": sum(r.stored for r in rows),
        "failed": sum(r.failed for r in rows),
        "errors": [f"{r.site}: {r.error}" for r in rows if r.error][:10],
        "pages": sum(r.pages for r in rows),
        "manifests": summary.manifests,
        "crawls": crawls,
    }
    Path(args.timings).write_text(json.dumps(out), encoding="utf-8")


# --- memory sampling ---------------------------------------------------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = defaultdict(list)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree[ppid].append(int(entry))
    return tree


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _kind(pid: int, root: int) -> str:
    if pid == root:
        return "flow"
    cmd = _cmdline(pid)
    if "crawler.crawl" in cmd:
        return "crawler"
    if "celery" in cmd:
        return "celery"
    if "redis-server" in cmd:
        return "redis"
    if "prefect" in cmd or "uvicorn" in cmd:
        return "prefect-server"
    return "other"


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Sampler(threading.Thread):
    """VmRSS of `root` and its descendants every 0.2 s: peak of each kind's sum, of one process, of the total."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.done = threading.Event()
        self.peak_kind: dict[str, float] = defaultdict(float)
        self.peak_one: dict[str, float] = defaultdict(float)
        self.max_count: dict[str, int] = defaultdict(int)
        self.seen: dict[str, set[int]] = defaultdict(set)
        self.others: set[str] = set()  # command lines of the processes of kind "other"
        self.cpu: dict[int, tuple[str, float]] = {}  # pid → (kind, CPU seconds at its last sample)
        self.peak_total = 0.0
        self.samples = 0

    def cpu_by_kind(self) -> dict[str, float]:
        """CPU seconds per kind (a process that ended loses at most its last 0.2 s)."""
        out: dict[str, float] = defaultdict(float)
        for kind, seconds in self.cpu.values():
            out[kind] += seconds
        return out

    def run(self) -> None:
        while not self.done.is_set():
            tree, stack, pids = _children_map(), [self.root], []
            while stack:
                pid = stack.pop()
                pids.append(pid)
                stack.extend(tree.get(pid, []))
            sums: dict[str, float] = defaultdict(float)
            counts: Counter[str] = Counter()
            for pid in pids:
                kind, rss = _kind(pid, self.root), _rss_mb(pid)
                if rss == 0:
                    continue
                sums[kind] += rss
                counts[kind] += 1
                self.seen[kind].add(pid)
                self.cpu[pid] = (kind, _cpu_s(pid))
                if kind == "other" and len(self.others) < 5:
                    self.others.add(_cmdline(pid)[:100])
                self.peak_one[kind] = max(self.peak_one[kind], rss)
            for kind, total in sums.items():
                self.peak_kind[kind] = max(self.peak_kind[kind], total)
                self.max_count[kind] = max(self.max_count[kind], counts[kind])
            self.peak_total = max(self.peak_total, sum(sums.values()))
            self.samples += 1
            self.done.wait(SAMPLE_S)


# --- one measured harvest ------------------------------------------------------------------------------------------
def start_replica(
    n: int, year: int, reports: bool, registry: Path, seconds: float, delay: float, column_pages: int = 0
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "replica.scale", "--sites", str(n), "--year", str(year)]
    command += ["--column-pages", str(column_pages)]
    command += ["--seconds", str(seconds), "--registry-out", str(registry)]
    if not reports:
        command.append("--no-reports")
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline() if proc.stdout else ""
    if not line.startswith("port "):
        proc.kill()
        raise RuntimeError(f"the scale replica did not start: {line!r}")
    if delay:  # every site asks for `delay` seconds between requests
        registry.write_text(registry.read_text("utf-8").replace("    delay: 0\n", f"    delay: {delay}\n"), "utf-8")
    return proc


def in_flight(crawls: list[tuple[float, float, int]], step: float = 0.1) -> tuple[int, float, float]:
    """(most, mean, seconds) of the sites crawled at once over the crawl phase, from each site's crawl interval."""
    spans = [(end - seconds, end) for end, seconds, _ in crawls]
    if not spans:
        return 0, 0.0, 0.0
    first, last = min(a for a, _ in spans), max(b for _, b in spans)
    counts = [sum(a <= t < b for a, b in spans) for t in _ticks(first, last, step)]
    return max(counts), sum(counts) / len(counts), last - first


def _ticks(first: float, last: float, step: float) -> list[float]:
    return [first + i * step for i in range(max(1, int((last - first) / step)))]


def politeness_bound(crawls: list[tuple[float, float, int]], delay: float, allowed: int) -> float:
    """Seconds the delays alone impose: Σ pages × delay ÷ hosts allowed at once, or the longest site's."""
    pages = [p for _, _, p in crawls]
    return max(sum(pages) * delay / max(1, allowed), max(pages, default=0) * delay)


def store_objects(store: Path) -> dict[str, tuple[int, int]]:
    """Top-level prefix → (objects, bytes)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in store.rglob("*"):
        if path.is_file():
            top = path.relative_to(store).parts[0]
            out[top][0] += 1
            out[top][1] += path.stat().st_size
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def harvest_once(label: str, args: argparse.Namespace, work: Path, reports: bool) -> dict[str, Any]:
    registry, store, timings = work / f"{label}-sites.yaml", work / f"{label}-store", work / f"{label}-timings.json"
    replica = start_replica(
        args.sites, args.year, reports, registry, seconds=args.limit, delay=args.delay, column_pages=args.column_pages
    )
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect"), "NIANBAO_MAX_PARALLEL_CRAWLS": str(args.parallel)}
    env["NIANBAO_HOSTS_IN_FLIGHT"] = str(args.hosts_in_flight)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--registry", str(registry)]
    command += ["--store", str(store), "--year", str(args.year), "--timings", str(timings)]
    command += ["--workers", str(args.workers)] if args.workers else []
    log = work / f"{label}-harvest.log"
    try:
        started = time.time()
        with open(log, "w") as out:
            proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            sampler = Sampler(proc.pid)
            sampler.start()
            try:
                code = proc.wait(timeout=args.limit)
            except subprocess.TimeoutExpired:
                proc.terminate()
                proc.wait(30)
                raise
            finally:
                sampler.done.set()
                sampler.join()
        ended = time.time()
    finally:
        replica.terminate()
        replica.wait(10)
    if code != 0 or not timings.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{label} harvest exited with {code}:\n{tail}")
    result = json.loads(timings.read_text(encoding="utf-8"))
    events = result["events"]
    flow_started = next(t for t, e, _ in events if e == "started")
    site_done = [t for t, e, _ in events if e == "site-done"]
    crawled = [t for t, e, _ in events if e == "crawled"]
    last = max(site_done) if site_done else flow_started
    return {
        **result,
        "label": label,
        "wall": ended - started,
        "startup": flow_started - started,
        "sites_phase": last - flow_started,
        "crawl_phase": (max(crawled) - flow_started) if crawled else 0.0,
        "tail": ended - last,
        "sampler": sampler,
        "store": store,
        "objects": store_objects(store),
    }


def check_stored(store: Path, n: int, year: int) -> tuple[int, list[str], list[str]]:
    """(expected, missing, unexpected) report URLs, comparing the stored documents with the ground truth."""
    from urllib.parse import urlsplit

    from replica.scale import scale_ground_truth

    expected = {(g["site"], g["path"]) for g in scale_ground_truth(n, year)}
    stored = set()
    for path in (store / "docs").glob(f"*/{year}/*/*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        stored.add((doc["site"], urlsplit(doc["url"]).path))
    missing = sorted(f"{s}{p}" for s, p in expected - stored)
    unexpected = sorted(f"{s}{p}" for s, p in stored - expected)
    return len(expected), missing, unexpected


def time_manifest(store: Path, year: int) -> tuple[float, int]:
    """Seconds to rebuild every kind's manifest of `year` once more (what each run's tail does), and its rows."""
    from nianbao.reports import load_kinds
    from storage.manifest import write_manifest
    from storage.store import Store

    started, rows = time.perf_counter(), 0
    for kind in load_kinds():
        rows += write_manifest(Store(str(store)), kind, year)[1]
    return time.perf_counter() - started, rows


def crawl_process_start() -> float:
    """Seconds for `python -m crawler.crawl --help` (interpreter start and imports), best of three."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "crawler.crawl", "--help"], cwd=ROOT, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def print_run(run: dict[str, Any], n: int) -> None:
    s: Sampler = run["sampler"]
    print(
        f"{run['label']}: wall {run['wall']:.1f}s = startup {run['startup']:.1f}s + sites {run['sites_phase']:.1f}s "
        f"(last crawl done at {run['crawl_phase']:.1f}s) + tail {run['tail']:.1f}s; "
        f"sites phase per site {run['sites_phase'] / n:.3f}s; pages {run['pages']}, reports found "
        f"{run['reports_found']}, stored {run['stored']}, failed {run['failed']}"
    )
    for kind in KINDS:
        if kind in s.peak_kind:
            print(
                f"  rss {kind:15} peak sum {s.peak_kind[kind]:7.1f} MB  largest one {s.peak_one[kind]:6.1f} MB  "
                f"at once {s.max_count[kind]:3d}  processes seen {len(s.seen[kind])}"
            )
    print(f"  rss whole stack peak {s.peak_total:.1f} MB ({s.samples} samples)")
    cpu = s.cpu_by_kind()
    print(
        f"  cpu seconds: total {sum(cpu.values()):.1f} = "
        + ", ".join(f"{k} {cpu[k]:.1f}" for k in KINDS if k in cpu)
        + f"; per site {sum(cpu.values()) / n:.2f}"
    )
    for cmd in sorted(s.others):
        print(f"  other process: {cmd}")
    objects = ", ".join(f"{k} {c} ({b / 1024:.0f} KiB)" for k, (c, b) in run["objects"].items())
    print(f"  storage objects: {objects}")
    for error in run["errors"]:
        print(f"  error {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=0, help="number of scale-replica sites (N)")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--workers", type=int, default=None, help="Celery worker processes (default: one per core)")
    parser.add_argument("--parallel", type=int, default=4, help="NIANBAO_MAX_PARALLEL_CRAWLS")
    parser.add_argument("--no-control", action="store_true", help="skip the zero-report control run")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between requests every site asks for")
    parser.add_argument("--hosts-in-flight", type=int, default=256, help="NIANBAO_HOSTS_IN_FLIGHT")
    parser.add_argument("--column-pages", type=int, default=0, help="report column length in pages (0: 2–3)")
    parser.add_argument("--limit", type=float, default=7200, help="give up a harvest after this many seconds")
    parser.add_argument("--keep", help="keep the stores and logs in this directory")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--registry", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--timings", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    if args.sites < 1:
        parser.error("--sites N (N ≥ 1) is required")

    work = Path(args.keep or tempfile.mkdtemp(prefix="nianbao-national-"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.sites
    try:
        print(
            f"national bench: {n} sites, report year {args.year}, "
            f"parallel crawls {args.parallel}, {os.cpu_count()} cores"
        )
        print(f"crawl process start (python -m crawler.crawl --help, best of 3): {crawl_process_start():.2f}s")
        control = None if args.no_control else harvest_once("control", args, work, reports=False)
        if control:
            print_run(control, n)
        main_run = harvest_once("main", args, work, reports=True)
        print_run(main_run, n)
        expected, missing, unexpected = check_stored(main_run["store"], n, args.year)
        print(f"ground truth: {expected} reports on {args.year}, {len(missing)} missing, {len(unexpected)} unexpected")
        for item in missing[:10]:
            print(f"  missing {item}")
        for item in unexpected[:10]:
            print(f"  unexpected {item}")
        manifest_s, rows = time_manifest(main_run["store"], args.year)
        print(f"manifest rebuild of {args.year} (all kinds, {rows} rows): {manifest_s:.2f}s")
        reports = main_run["stored"]
        if control:
            overhead = control["sites_phase"] / n
            per_report = (main_run["sites_phase"] - control["sites_phase"]) / max(reports, 1)
            print(f"per site (control, zero reports): {overhead:.3f}s; added per report: {per_report:.3f}s")
        else:
            overhead = main_run["sites_phase"] / n
        rate = reports / main_run["wall"] if main_run["wall"] else 0.0
        in_phase = reports / max(main_run["sites_phase"], 1e-9)
        print(f"reports per second: {rate:.2f} over the whole run, {in_phase:.2f} in the sites phase")
        peak = max(main_run["sampler"].peak_total, control["sampler"].peak_total if control else 0.0)
        most, mean, crawl_s = in_flight(main_run["crawls"])
        processes = len(main_run["sampler"].seen["crawler"])
        allowed = min(n, max(1, processes) * args.hosts_in_flight)
        bound = politeness_bound(main_run["crawls"], args.delay, allowed)
        crawler_mb = main_run["sampler"].peak_kind["crawler"]
        print(
            f"hosts in flight: max {most}, mean {mean:.0f} over the crawl phase of {crawl_s:.1f}s; "
            f"{processes} crawl processes × {args.hosts_in_flight} allowed"
        )
        if args.delay:
            print(
                f"politeness bound {bound:.1f}s (delay {args.delay}s, {allowed} hosts allowed at once): "
                f"crawl phase {crawl_s:.1f}s = {crawl_s / max(bound, 1e-9):.2f}× the bound, "
                f"whole run {main_run['wall']:.1f}s = {main_run['wall'] / max(bound, 1e-9):.2f}×"
            )
        idle_mb = CRAWL_PROCESS_IDLE_MB * max(1, processes)
        print(
            f"crawl processes peak {crawler_mb:.0f} MB: ≈ {max(0.0, crawler_mb - idle_mb) / max(1, most):.2f} MB per "
            f"host in flight above {CRAWL_PROCESS_IDLE_MB} MB a process"
        )
        print(
            f"national: sites={n} seconds={main_run['wall']:.1f} per_site_overhead_s={overhead:.3f} "
            f"reports={reports} peak_rss_mb={peak:.0f} hosts_in_flight_max={most} politeness_bound_s={bound:.1f}"
        )
        return 0 if not missing else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
