"""Chaos scoreboard (issues 7 and 18): every fault and bad input against the fault portal and a real local stack.

    .venv/bin/python bench/chaos.py                 # everything (20–30 minutes on 2 cores, 9–19 the national row)
    .venv/bin/python bench/chaos.py --only portal   # the fault portal only; --only registry|s3|redis|celery|killed|
                                                    # prefect|disk (disk mounts a tmpfs: run as root)
    .venv/bin/python bench/chaos.py --only national [--sites 1000]   # the national row alone

Rows: fault, documents expected, stored, recorded as failures (failures/ in the store or the run summary's
`blocked`), lost (expected − stored − failed), refusals counted by the crawler, how the harvest ended (`run`:
`ok`, `exit N`, `hung` when it was killed at the row's time limit) and a note saying what happened, then any
DAMAGE the fault left besides lost reports (half-written objects, host limits held for good, a failure that does
not name its cause). A row passes when nothing is lost and S + F = E, its harvest ended by itself with exit 0, the
control report is stored, and it did no damage.
Last line: `chaos: faults=N expected=E stored=S failed_recorded=F lost=L`. Nothing here is tuned to pass: it prints
what happens, with production settings (visibility timeout, lease durations).

Portal faults run through `nianbao harvest` on the embedded default (redis-server + Celery started by nianbao);
a page nested 20,000 elements deep (kind "report") counts as stored only with the whole report in its text.
Bad registries (invalid fields, path traversal in site codes, not YAML, not a list) go to `nianbao harvest` too:
each bad entry must be refused, named with its field, before anything starts or is written.
Stack faults harvest the replica (its 2021 ground truth is the expectation) while the fault happens:
S3 answering 503 SlowDown / 500 through tests/faultproxy.py in front of moto's server, redis-server stopped and
started again on its port, a Celery pool process SIGKILLed mid-task, the `nianbao harvest` process SIGKILLed
and the harvest re-run, the Prefect API (`nianbao server` on its own port and SQLite database) stopped and started
again on its port mid-run (the flow run itself must survive it, and no host limit stay taken), and the local
store's filesystem (a tmpfs) filled once a first document is stored (the harvest must stop naming the cause and
what to do, leave nothing half-written, and the run after the space is freed store every report).
The national row (`national-faulty`, issue 18) puts it together at scale: 1,000 sites of the scale replica, each
asking for 0.2–1 s between requests in the registry, one in ten faulty (its report URL answers as one of the fault
portal's report faults: time-out, reset, 5xx, redirect loop, challenge, bombs, malformed bytes; replica.faults
defines them, replica.scale.faulty_sites deals them out). The harvest is SIGKILLed once a tenth of the reports are
stored and run again; during the re-run a crawl process (once a tenth of the sites have ended), a Celery pool
process and Redis are killed, each once. The re-run must end by itself (nothing after it mends what it lost), and every
report end stored or recorded as a failure: a healthy site's report, and a faulty site's as its fault's definition
says (Fault.expected). The note says how many healthy sites' reports were stored (the test asks for all) and what
became of each fault's. A kill that could not happen (its harvest ended first) fails the row (`run`: missed).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nianbao.normalise import compact  # noqa: E402
from nianbao.records import RunSummary  # noqa: E402
from replica import ground_truth, sites_yaml  # noqa: E402
from replica.faults import BODY_LINES, FAULTS, HANG_SECONDS, HOSTS, Fault, FaultPortal, Sizes  # noqa: E402
from shell.runtime import free_port, redis_server_binary  # noqa: E402
from storage import layout  # noqa: E402
from storage.runs import read_runs  # noqa: E402
from storage.store import Store  # noqa: E402
from tests.proctable import descendants, processes  # noqa: E402

NIANBAO = str(Path(sys.executable).parent / "nianbao")
YEAR = 2021
_OUTSIDE = ("REDIS_URL", "PREFECT_API_URL", "PREFECT_PROFILE", "NIANBAO_S3_ENDPOINT_URL")


@dataclass
class Row:
    fault: str
    expected: int
    stored: int = 0
    failed: int = 0
    note: str = ""
    refused: int = 0
    run: str = ""  # how the row's harvest ended: "ok", "exit N", "hung"; "" when the row runs none of its own
    must_store: bool = False  # the control: a report that must be stored, not merely accounted for
    # What the fault left behind besides lost reports: half-written objects, host limits held for good, a failure
    # that does not say its cause. Any of it fails the row.
    damage: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return max(self.expected - self.stored - self.failed, 0)

    @property
    def ok(self) -> bool:
        accounted = self.lost == 0 and self.stored + self.failed == self.expected
        stored = not self.must_store or self.stored == self.expected
        return accounted and self.run in ("", "ok") and stored and not self.damage


@dataclass
class Harvest:
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    pids: dict[int, str] = field(default_factory=dict)
    hung: bool = False  # killed at its time limit (not by the fault)

    @property
    def run(self) -> str:
        """`ok`, `exit N` or `hung`: a harvest that never ends is not surviving a fault, even if nothing is lost."""
        return "hung" if self.hung else "ok" if self.returncode == 0 else f"exit {self.returncode}"


# -- processes ---------------------------------------------------------------------------------------------------


def kill_pids(pids: dict[int, str]) -> None:
    """SIGKILL these processes (ours: descendants of a harvest we started), if still alive."""
    alive = processes()
    for pid, cmd in pids.items():
        if pid in alive and alive[pid][1] == cmd:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _OUTSIDE}
    env.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="chaos-prefect-"))
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env["PYTHONFAULTHANDLER"] = "1"  # a hung harvest, sent SIGABRT, prints where each of its threads waits
    env.update(extra)
    return env


def harvest(
    registry: Path,
    store: str,
    env: dict[str, str],
    *,
    timeout: float = 900,
    during: Callable[[subprocess.Popen[str]], None] | None = None,
    workers: int = 2,
) -> Harvest:
    """Run `nianbao harvest` as an operator would; `during(process)` runs while it does (the fault)."""
    command = [NIANBAO, "harvest", "--year", str(YEAR), "--sites", str(registry), "--store", store]
    command += ["--workers", str(workers)]
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        seen: dict[int, str] = {}
        try:
            if during is not None:
                during(process)
            deadline = started + timeout
            while process.poll() is None and time.monotonic() < deadline:
                seen.update(descendants(process.pid))
                time.sleep(0.5)
            hung = process.poll() is None
            if hung:
                seen.update(descendants(process.pid))
                process.send_signal(signal.SIGABRT)  # its threads' stacks to stderr (PYTHONFAULTHANDLER)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
                process.kill()
        finally:
            process.wait()
            time.sleep(0.5)
            kill_pids(seen)  # what a killed harvest left behind (its services run in their own sessions)
        out.seek(0)
        err.seek(0)
        return Harvest(process.returncode, out.read(), err.read(), time.monotonic() - started, seen, hung)


def show_hang(run: Harvest, redis_url: str) -> None:
    """Where a hung harvest waited (its threads' stacks, printed by faulthandler at SIGABRT), its last log lines and
    what Redis still held: a hang met once in a while in CI must be readable from that run's output alone."""
    import redis

    broker = redis.Redis.from_url(redis_url)
    held = f"extract queue {broker.llen('extract')}, unacked {broker.hlen('unacked')}"
    log, _, stacks = run.stderr.partition("Fatal Python error")
    sys.stderr.write(f"\n--- hung harvest: Redis held {held}; its last log lines:\n")
    sys.stderr.write("\n".join(log.strip().splitlines()[-40:]) + "\n--- its threads:\nFatal Python error" + stacks)


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.3) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(step)
    return False


# -- the kills (one process of a service under a running harvest) -------------------------------------------------
def work_in_redis(broker: Any) -> bool:
    """Tasks queued for extraction or held unacknowledged by a worker."""
    return int(broker.llen("extract")) + int(broker.hlen("unacked")) > 0


def kill_celery_child(process: subprocess.Popen[str]) -> int | None:
    """SIGKILL one pool process of the harvest's Celery worker (a child of a celery worker); its pid, or None."""
    table = processes()
    for pid, cmd in descendants(process.pid).items():
        parent = table.get(pid, (0, ""))[0]
        if "-m celery" in cmd and "-m celery" in table.get(parent, (0, ""))[1]:
            os.kill(pid, signal.SIGKILL)
            return pid
    return None


def kill_crawl_process(process: subprocess.Popen[str]) -> int | None:
    """SIGKILL one `python -m crawler.crawl` process of the harvest; its pid, or None."""
    for pid, cmd in descendants(process.pid).items():
        if "-m crawler.crawl" in cmd:
            os.kill(pid, signal.SIGKILL)
            return pid
    return None


def kill_harvest(process: subprocess.Popen[str]) -> None:
    """SIGKILL `nianbao harvest`, then what it leaves running (its services and crawls outlive it; their own
    sessions): as when the machine it ran on died, and the re-run starts on a clean one."""
    left = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    kill_pids({**left, **descendants(process.pid)})


# -- reading the store -------------------------------------------------------------------------------------------
def documents(store: Store) -> list[dict[str, Any]]:
    return [store.get_json(k) for k in store.keys("docs/") if layout.is_current_doc(k)]


def failures(store: Store) -> list[dict[str, Any]]:
    return [store.get_json(k) for k in store.keys("failures/") if k.endswith(".json")]


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def crawl_direct(site_yaml_entry: dict[str, Any], store: str, env: dict[str, str]) -> dict[str, Any]:
    """`python -m crawler.crawl --captures-out` for one site: its summary carries the refusal counts."""
    from nianbao.sites import Site

    site = Site.model_validate(site_yaml_entry)
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as captures:
        command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", str(YEAR)]
        command += ["--store", store, "--kind", "rule_of_law", "--captures-out", captures.name]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- the fault portal --------------------------------------------------------------------------------------------
def tally_portal(store: Store, portal: FaultPortal, refused: dict[str, dict[str, int]]) -> list[Row]:
    docs, fails, run_list = documents(store), failures(store), read_runs(store)
    blocked = {row.site: row.blocked for run in run_list for row in run.sites if row.blocked}
    rows = []
    for fault in FAULTS:
        must_store = fault.name == "control" or fault.kind == "report"
        row = Row(fault.name, fault.expected, note=fault.what, must_store=must_store)
        url = portal.url_of(fault.name)
        host = urlsplit(url).hostname or ""
        path = _path(url)

        def matches(u: str, fault: Fault = fault, host: str = host, path: str = path) -> bool:
            return (urlsplit(u).hostname or "") == host and _path(u) == path

        hits_docs = [d for d in docs if matches(d["url"])]
        if fault.kind == "report":  # stored counts only with the whole report in its text
            hits_docs = [d for d in hits_docs if holds_report(d.get("text") or "")]
        hits_fail = [f for f in fails if matches(f["capture"]["url"])]
        row.stored = len(hits_docs)
        row.failed = len(hits_fail)
        if hits_fail:
            row.note += f" → failure: {hits_fail[0]['reason'][:70]}"
        elif hits_docs:
            text = len(hits_docs[0].get("text") or "")
            row.note += (
                f" → stored ({text} chars{', ' + ','.join(hits_docs[0]['flags']) if hits_docs[0].get('flags') else ''})"
            )
        if fault.site in ("fault-412", "fault-521") and fault.site in blocked:
            row.failed += 1
            row.note += f" → blocked: {blocked[fault.site][:50]}"
        if fault.kind == "hostile":
            stats = refused.get(fault.site, {})
            row.refused = sum(v for k, v in stats.items() if k != "crawl_error")
            if "crawl_error" in stats:
                row.damage.append("the direct crawl that counts the refusals failed")
            canary = portal.hits("127.0.0.1")
            if fault.name == "nonlocal-loopback":
                reached = portal.hits(HOSTS["nonlocal"])
                row.note += f" → refused {stats}; requests that reached it: {reached}"
                row.stored += reached  # a request that got through counts against the row
            elif fault.name == "billion-laughs":
                row.note += f" → dataproxy fetched {portal.hits(HOSTS['main'], fault.path)}×, no record followed"
            else:
                if fault.name == "redirect-loopback":  # the site is `local`: refused for leaving its allowed domains
                    row.note += " (off the site's allowed domains)"
                row.note += f" → refused {stats}; canary hits {canary}"
                row.stored += canary if fault.name == "redirect-loopback" else 0
        if fault.kind == "report" and not hits_docs:
            row.note += " → LOST: no document holding the report's text"
        elif fault.kind != "hostile" and row.lost:
            row.note += " → LOST: no document, no failure recorded"
        if row.must_store and not row.stored:
            row.note += " → CONTROL NOT STORED: the harness or the pipeline is broken"
        rows.append(row)
    return rows


def holds_report(text: str) -> bool:
    """Whether a Document's text holds every paragraph of the fault portal's report."""
    return all(compact(line) in compact(text) for line in BODY_LINES)


def fault_sizes(hang_seconds: float = HANG_SECONDS, small: bool = False) -> Sizes:
    """The faults' sizes: as defined (replica.faults), or CI's (a 60 MB page, a 64 MB gzip bomb, 24 MB zip bombs)."""
    if small:
        return Sizes(hang_seconds, huge_bytes=60 * 1024 * 1024, gzip_bytes=64 * 1024 * 1024, zip_bytes=24 * 1024 * 1024)
    return Sizes(hang_seconds)


def run_portal(workdir: Path, *, hang_seconds: float = HANG_SECONDS, small: bool = False) -> tuple[list[Row], Harvest]:
    with FaultPortal(port=0, sizes=fault_sizes(hang_seconds, small)) as portal:
        registry = workdir / "faults.yaml"
        registry.write_text(portal.sites_yaml(), encoding="utf-8")
        store_dir = workdir / "portal-store"
        env = clean_env()
        result = harvest(registry, str(store_dir), env, timeout=600)
        import yaml

        entries = {e["code"]: e for e in yaml.safe_load(registry.read_text("utf-8"))["sites"]}
        refused = {}
        for code in ("fault-hostile", "fault-nonlocal"):
            summary = crawl_direct(entries[code], str(workdir / f"direct-{code}"), env)
            refused[code] = {"crawl_error": 1} if summary.get("error") else summary.get("refused", {})
        rows = tally_portal(Store(str(store_dir)), portal, refused)
    if result.returncode != 0:
        rows.append(Row("portal-harvest-exit", 0, run=result.run, note=f"nianbao harvest: {result.stderr[-200:]}"))
    return rows, result


# -- the stack ---------------------------------------------------------------------------------------------------
def expected_replica(sites: list[str] | None = None) -> list[dict[str, Any]]:
    return [g for g in ground_truth() if g["year"] == YEAR and (not sites or g["site"] in sites)]


def tally_replica(name: str, store: Store, sites: list[str] | None, note: str, run: str) -> Row:
    expected = expected_replica(sites)
    docs, fails = documents(store), failures(store)
    row = Row(name, len(expected), note=note, run=run)
    for truth in expected:
        stored = [d for d in docs if _path(d["url"]) == truth["path"]]
        failed = [f for f in fails if _path(f["capture"]["url"]) == truth["path"]]
        row.stored += min(len(stored), 1)
        row.failed += 1 if failed and not stored else 0
        if len(stored) > 1:
            row.note += f"; {truth['path']} stored {len(stored)}×"
    return row


@contextlib.contextmanager
def replica_registry(workdir: Path, sites: list[str] | None = None) -> Iterator[Path]:
    import yaml

    from replica import Replica

    with Replica(port=0) as replica:
        data = yaml.safe_load(sites_yaml(replica.port))
        if sites:
            data["sites"] = [s for s in data["sites"] if s["code"] in sites]
        path = workdir / f"replica-{len(list(workdir.iterdir()))}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        yield path


def restartable(
    server: dict[str, Any], start: Callable[[], None], stop: Callable[[], None]
) -> Iterator[dict[str, Any]]:
    """Run a server for the caller's `with`: started now, stopped at the end, and `server["restart"](down_seconds)`
    stops it, waits, starts it on the same port again and counts it (`restarts`, `down_s`)."""

    def restart(down_seconds: float = 3.0) -> None:
        stopped = time.monotonic()
        stop()
        time.sleep(down_seconds)
        start()
        server["down_s"] = time.monotonic() - stopped
        server["restarts"] += 1

    start()
    server["restart"] = restart
    try:
        yield server
    finally:
        stop()


@contextlib.contextmanager
def redis_server(workdir: Path, port: int | None = None, password: str = "") -> Iterator[dict[str, Any]]:
    """A redis-server with an append-only file (as production runs it), restartable on its port."""
    port = port or free_port()
    data = workdir / f"redis-{port}"
    data.mkdir(exist_ok=True)
    args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
    args += ["--appendfsync", "always", "--dir", str(data), "--logfile", str(data / "redis.log")]
    if password:
        args += ["--requirepass", password]
    auth = f":{password}@" if password else ""
    server: dict[str, Any] = {"url": f"redis://{auth}127.0.0.1:{port}/0", "args": args, "restarts": 0}

    def start() -> None:
        import redis

        server["proc"] = subprocess.Popen(args, start_new_session=True)
        wait_until(lambda: redis.Redis.from_url(server["url"]).ping(), 30)

    def stop() -> None:
        server["proc"].terminate()
        server["proc"].wait(30)

    yield from restartable(server, start, stop)


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until(lambda: urllib.request.urlopen(url, timeout=1) is not None, 30):
            raise RuntimeError("moto server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def docs_count(store: Store) -> int:
    return len([k for k in store.keys("docs/") if layout.is_current_doc(k)])


def run_s3(workdir: Path, mode: str, sites: list[str] | None = None) -> Row:
    """S3 through the fault proxy: `first` = 503 SlowDown for the first 30 requests, `window` = 500 for 20 s."""
    import boto3

    from tests.faultproxy import FaultProxy

    aws = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    with moto_server() as upstream, FaultProxy(upstream) as proxy, replica_registry(workdir, sites) as registry:
        boto3.client("s3", endpoint_url=upstream, **_boto(aws)).create_bucket(Bucket="chaos")
        store_url = f"s3://chaos/{mode}"
        env = clean_env(NIANBAO_S3_ENDPOINT_URL=proxy.url, **aws)
        saved = {k: os.environ.get(k) for k in [*aws, "NIANBAO_S3_ENDPOINT_URL"]}
        os.environ.update(aws, NIANBAO_S3_ENDPOINT_URL=upstream)  # the tally reads moto directly

        def during(process: subprocess.Popen[str]) -> None:
            if mode == "first":
                proxy.arm(fail_first=30, status=503)
            else:  # once the crawls have stored their WARCs, the store fails for 20 s in the middle of extraction
                wait_until(lambda: any(True for _ in Store(store_url).keys("raw/")), 300, 0.2)
                proxy.arm(fail_for=20.0, status=500)

        try:
            result = harvest(registry, store_url, env, during=during, timeout=600)
            name = "s3-503-slowdown-first-30" if mode == "first" else "s3-500-for-20s"
            note = f"proxy failed {proxy.failed} requests, forwarded {proxy.forwarded}; exit {result.returncode}"
            return tally_replica(name, Store(store_url), sites, note, result.run)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _boto(aws: dict[str, str]) -> dict[str, str]:
    return {"aws_access_key_id": aws["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": aws["AWS_SECRET_ACCESS_KEY"]}


def run_redis_restart(workdir: Path, sites: list[str] | None = None, timeout: float = 400) -> Row:
    import redis

    store_dir = workdir / "redis-store"
    with redis_server(workdir) as server, replica_registry(workdir, sites) as registry:
        env = clean_env(REDIS_URL=server["url"])
        broker = redis.Redis.from_url(server["url"])

        def during(process: subprocess.Popen[str]) -> None:
            # Restart while work is in Redis: tasks queued or held unacknowledged by a worker.
            busy = wait_until(lambda: work_in_redis(broker), 300, 0.1)
            server["restart"](3.0)
            server["busy"] = busy

        result = harvest(registry, str(store_dir), env, during=during, timeout=timeout)
        note = f"redis restarted {server['restarts']}× (work in flight: {server.get('busy')}); exit {result.returncode}"
        if result.hung:
            note += f"; harvest killed after {timeout:.0f}s (hung)"
        return tally_replica("redis-restarted-mid-run", Store(str(store_dir)), sites, note, result.run)


def run_celery_kill(workdir: Path, sites: list[str] | None = None) -> Row:
    import redis

    store_dir = workdir / "celery-store"
    with redis_server(workdir) as server, replica_registry(workdir, sites) as registry:
        env = clean_env(REDIS_URL=server["url"])
        broker = redis.Redis.from_url(server["url"])
        killed: list[int] = []

        def during(process: subprocess.Popen[str]) -> None:
            if wait_until(lambda: broker.hlen("unacked") > 0, 300, 0.05) and (pid := kill_celery_child(process)):
                killed.append(pid)

        result = harvest(registry, str(store_dir), env, during=during, timeout=600)
        note = f"SIGKILLed pool process {killed} holding a task; exit {result.returncode}"
        return tally_replica("celery-child-sigkill-mid-task", Store(str(store_dir)), sites, note, result.run)


def held_host_limits(env: dict[str, str]) -> list[str]:
    """Host concurrency limits (flows.batches.host_limit) with a slot still taken, read from the Prefect database of
    the embedded default: after the re-run has ended, a slot held now was leaked by a killed run."""
    import sqlite3

    database = Path(env["PREFECT_HOME"]) / "prefect.db"
    if not database.exists():
        return []
    with contextlib.closing(sqlite3.connect(database)) as db:
        rows = db.execute(
            "SELECT name FROM concurrency_limit_v2 WHERE name LIKE 'crawl-host-%' AND active_slots > 0"
        ).fetchall()
    return sorted(name for (name,) in rows)


def run_harvest_killed(workdir: Path, sites: list[str] | None = None, timeout: float = 600) -> Row:
    store_dir = workdir / "killed-store"
    store = Store(str(store_dir))
    with redis_server(workdir) as server, replica_registry(workdir, sites) as registry:
        env = clean_env(REDIS_URL=server["url"])
        state: dict[str, Any] = {}

        def during(process: subprocess.Popen[str]) -> None:
            wait_until(lambda: docs_count(store) >= 1, 300, 0.1)  # mid-harvest: a first document is stored
            state["docs_at_kill"] = docs_count(store)
            state["states_at_kill"] = len(list(store.keys("state/")))
            kill_harvest(process)

        first = harvest(registry, str(store_dir), env, during=during, timeout=timeout)
        second = harvest(registry, str(store_dir), env, timeout=timeout)
        (run,) = read_runs(store) or [RunSummary("none", 0)]  # the re-run's: the killed harvest wrote none
        totals = {k: sum(getattr(r, k) for r in run.sites) for k in ("pages", "new", "unchanged", "changed", "failed")}
        note = (
            f"killed (exit {first.returncode}) with {state.get('docs_at_kill')} docs and "
            f"{state.get('states_at_kill')} site states stored; re-run {second.run}: {totals}"
        )
        if second.hung:
            held = held_host_limits(env)
            note += f"; re-run killed after {timeout:.0f}s"
            if held:
                note += f", waiting on {len(held)} host limits the killed run still holds ({held[0]} …)"
        return tally_replica("harvest-sigkilled-then-rerun", store, sites, note, second.run)


# -- the Prefect API restarted ----------------------------------------------------------------------------------
@contextlib.contextmanager
def prefect_server(workdir: Path) -> Iterator[dict[str, Any]]:
    """`nianbao server` (a real `prefect server start` with nianbao's server settings) on a free port, its own
    PREFECT_HOME and SQLite database in `workdir`; restartable on its port, as an operator's server restarts."""
    port = free_port()
    home = workdir / f"prefect-server-{port}"
    home.mkdir()
    api = f"http://127.0.0.1:{port}/api"
    env = clean_env(PREFECT_HOME=str(home))
    server: dict[str, Any] = {"api": api, "home": home, "restarts": 0, "down_s": 0.0}
    log_path = home / "server.log"

    def start() -> None:
        with open(log_path, "ab") as log:
            command = [NIANBAO, "server", "--host", "127.0.0.1", "--port", str(port)]
            server["proc"] = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        if not wait_until(lambda: urllib.request.urlopen(f"{api}/health", timeout=2).status == 200, 180, 0.5):
            raise RuntimeError(f"the Prefect server did not start: {log_path.read_text(errors='replace')[-500:]}")

    def stop() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server["proc"].pid, signal.SIGTERM)
        try:
            server["proc"].wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server["proc"].pid, signal.SIGKILL)
            server["proc"].wait()

    yield from restartable(server, start, stop)


def run_prefect_restart(workdir: Path, sites: list[str] | None = None, timeout: float = 600) -> Row:
    """The harvest against a Prefect server that is stopped and started again on its port mid-run.

    The flow run must survive it (exit 0, every report stored), and no host limit may stay taken afterwards: a
    slot the restarted server no longer knows the lease of would make every later crawl of that host wait for ever.
    """
    store_dir = workdir / "prefect-store"
    store = Store(str(store_dir))
    with prefect_server(workdir) as server, replica_registry(workdir, sites) as registry:
        env = clean_env(PREFECT_API_URL=server["api"], PREFECT_HOME=str(server["home"]))

        def during(process: subprocess.Popen[str]) -> None:
            # Mid-run: a first site's WARC is stored (its reports queued for extraction, other sites crawling).
            server["busy"] = wait_until(lambda: any(True for _ in store.keys("raw/")), 300, 0.2)
            server["restart"](3.0)

        result = harvest(registry, str(store_dir), env, during=during, timeout=timeout)
        held = held_host_limits(env)
        refused = "host limits of" in result.stderr and "not released" in result.stderr
        note = (
            f"API stopped at the first stored WARC ({server.get('busy')}), answering again {server['down_s']:.0f}s "
            f"later; a crawl ended while it was away: {refused}; exit {result.returncode}; "
            f"host limits held after the run: {len(held)}"
        )
        row = tally_replica("prefect-api-restarted-mid-run", store, sites, note, result.run)
        if held:
            row.damage.append(f"{len(held)} host limits held for good ({held[0]} …): later crawls of them wait")
        return row


# -- the store's disk full ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def small_disk(path: Path, size_mb: int = 64) -> Iterator[Path]:
    """A tmpfs of `size_mb` mounted at `path` (root only), unmounted afterwards."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        raise PermissionError(f"cannot mount a tmpfs at {path} (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], check=False)


def fill(ballast: Path) -> int:
    """Write `ballast` until its filesystem has no space left; return the bytes written."""
    written = 0
    with open(ballast, "wb", buffering=0) as out:
        for size in (1 << 20, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    written += out.write(b"\0" * size)
    return written


def half_written(store_dir: Path, store: Store) -> list[str]:
    """What a write that failed may have left: temporary files, locks, objects that do not parse, WARCs cut short,
    Documents whose WARC is missing."""
    found = [str(p.relative_to(store_dir)) for p in store_dir.rglob("*") if ".tmp-" in p.name]
    found += [key for key in store.keys() if key.endswith(".lock")]
    for key in store.keys():
        try:
            if key.endswith(".json"):
                json.loads(store.get_bytes(key))
            elif key.endswith(".gz"):
                gzip.decompress(store.get_bytes(key))
        except (ValueError, EOFError, OSError) as e:
            found.append(f"{key} ({type(e).__name__})")
    found += [f"{d['url']} without its WARC" for d in documents(store) if not store.exists(d["warc_key"])]
    return found


def run_disk_full(workdir: Path, sites: list[str] | None = None, timeout: float = 600) -> Row:
    """The store's filesystem fills once a first document is stored; the space is freed after the harvest ends.

    Expected: the harvest stops with an error naming the cause and what to do, nothing half-written stays, and the
    run after the space is freed stores every report.
    """
    with small_disk(workdir / "small-disk") as disk, replica_registry(workdir, sites) as registry:
        store_dir = disk / "store"
        store = Store(str(store_dir))
        ballast = disk / "ballast"
        env = clean_env()
        state: dict[str, Any] = {}

        def during(process: subprocess.Popen[str]) -> None:
            wait_until(lambda: docs_count(store) >= 1, 300, 0.1)  # mid-run: a first document is stored
            state["docs"] = docs_count(store)
            state["ballast"] = fill(ballast)

        first = harvest(registry, str(store_dir), env, during=during, timeout=timeout)
        output = " ".join((first.stdout + first.stderr).split())  # the console wraps long lines
        error = output[output.rfind("error:") :] if "error:" in output else output[-300:]
        left = half_written(store_dir, store)
        ballast.unlink()  # the operator frees space
        second = harvest(registry, str(store_dir), env, timeout=timeout)
        left_after = half_written(store_dir, store)
        note = (
            f"filled ({state.get('ballast', 0) >> 20} MB) with {state.get('docs')} docs stored; "
            f"{first.run}: {error[:260]}; after freeing it, re-run {second.run}"
        )
        row = tally_replica("store-disk-full-then-rerun", store, sites, note, second.run)
        named = "No space left on device" in error and "free space" in error
        if first.returncode in (0, None) or not named:
            row.damage.append(f"the run on a full disk ended {first.run} without naming the cause and what to do")
        if left or left_after:
            row.damage.append(f"half-written: {(left or left_after)[:3]}")
        return row


# -- the national row: scale sites at delay > 0, one in ten faulty, one kill of each service ---------------------
DELAYS = (0.2, 0.4, 0.6, 0.8, 1.0)  # seconds between requests a scale site asks for in the registry, by its index


def scale_registry(workdir: Path, n: int, port: int) -> Path:
    """The registry of `n` scale sites on `port`, site i asking for DELAYS[i % 5] seconds between requests."""
    import yaml

    from replica.scale import scale_sites_yaml

    data = yaml.safe_load(scale_sites_yaml(n, port))
    for i, entry in enumerate(data["sites"]):
        entry["delay"] = DELAYS[i % len(DELAYS)]
    path = workdir / f"scale-{n}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def while_running(process: subprocess.Popen[str], check: Callable[[], bool], timeout: float, step: float) -> bool:
    """Wait for `check` while `process` runs; False when it ended first (or at the time limit)."""
    wait_until(lambda: process.poll() is not None or check(), timeout, step)
    return process.poll() is None


def kill_harvest_early(
    process: subprocess.Popen[str], store: Store, reports: int, kills: dict[str, str], timeout: float
) -> None:
    """SIGKILL the harvest once a tenth of the `reports` are stored: most of the work is left to the re-run."""
    started = time.monotonic()
    if while_running(process, lambda: docs_count(store) >= max(1, reports // 10), timeout, 0.5):
        stored = docs_count(store)
        kill_harvest(process)
        kills["harvest"] = f"harvest at {time.monotonic() - started:.0f}s with {stored} reports stored"


def kill_services(
    process: subprocess.Popen[str], server: dict[str, Any], store: Store, sites: int, kills: dict[str, str],
    timeout: float,
) -> None:  # fmt: skip
    """One kill of each service while the harvest runs, each while it has work: a crawl process once a tenth of
    the `sites` have ended in this run (their WARCs stored: the crawl part done), then a Celery pool process while
    a task is held, then Redis (stopped 3 s) while tasks are in it. `kills`: service → what was killed, and when."""
    import redis

    broker = redis.Redis.from_url(server["url"])
    started = time.monotonic()
    pids: dict[str, int] = {}

    def kill(service: str, killer: Callable[[subprocess.Popen[str]], int | None]) -> bool:
        if pid := killer(process):
            pids[service] = pid
        return bool(pid)

    def left() -> float:
        return timeout - (time.monotonic() - started)

    def crawled() -> int:
        return len(list(store.keys(f"raw/{YEAR}/")))

    def crawling() -> bool:
        return any("-m crawler.crawl" in cmd for cmd in descendants(process.pid).values())

    if not while_running(process, crawling, left(), 0.2):
        return
    before = crawled()
    if while_running(process, lambda: crawled() >= before + max(1, sites // 10), left(), 0.3) and while_running(
        process, lambda: kill("crawl", kill_crawl_process), left(), 0.2
    ):
        kills["crawl"] = f"crawl process {pids['crawl']} at {time.monotonic() - started:.0f}s"
    # Not before the crawls: a pool process killed while the Celery worker starts fails the worker (a fault of its
    # own), and the tasks then held are the killed run's, left in Redis.
    if while_running(process, lambda: broker.hlen("unacked") > 0, left(), 0.05) and while_running(
        process, lambda: kill("celery", kill_celery_child), left(), 0.05
    ):
        kills["celery"] = f"Celery pool process {pids['celery']} at {time.monotonic() - started:.0f}s"
    if while_running(process, lambda: work_in_redis(broker), left(), 0.1):
        server["restart"](3.0)
        kills["redis"] = f"Redis stopped 3 s at {time.monotonic() - started:.0f}s"


def tally_national(
    name: str, store: Store, truth: list[dict[str, Any]], faults: dict[str, Fault], note: str, run: str
) -> tuple[Row, dict[str, list[int]]]:
    """The row, and per fault (and `healthy`) [stored, recorded failures, expected]. A healthy site's report is
    expected; a faulty site (`faults`: site code → its fault) expects what its fault's definition says
    (Fault.expected: its report stored, or a recorded failure). Recorded: in failures/, or the site blocked or
    failed with its reason in a run summary."""
    docs = Counter((d["site"], _path(d["url"])) for d in documents(store))
    failed = {(f["capture"]["site"], _path(f["capture"]["url"])) for f in failures(store)}
    recorded = {row.site for run in read_runs(store) for row in run.sites if row.blocked or row.error}
    outcomes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    row = Row(name, 0, note=note, run=run)
    for report in truth:
        fault = faults.get(report["site"])
        expected = fault.expected if fault else 1
        key = (report["site"], report["path"])
        stored = min(docs[key], expected)
        failed_here = 0 if stored else min(int(key in failed or report["site"] in recorded), expected)
        for i, n in enumerate((stored, failed_here, expected)):
            outcomes[fault.name if fault else "healthy"][i] += n
        row.expected, row.stored, row.failed = row.expected + expected, row.stored + stored, row.failed + failed_here
    doubled = sum(1 for n in docs.values() if n > 1)
    healthy = outcomes["healthy"]
    faulty = [sum(v[i] for k, v in outcomes.items() if k != "healthy") for i in range(3)]
    row.note = (
        f"healthy {healthy[0]}/{healthy[2]} stored; faulty {faulty[2]}: {faulty[0]} stored, {faulty[1]} recorded "
        f"failures ({', '.join(f'{k} {v[0]}s+{v[1]}f/{v[2]}' for k, v in sorted(outcomes.items()) if k != 'healthy')})"
        f"{f'; {doubled} reports stored twice' if doubled else ''}; {note}"
    )
    return row, dict(outcomes)


def run_national_faulty(
    workdir: Path, n: int = 1000, share: float = 0.1, *, small: bool = False, timeout: float = 3600
) -> tuple[Row, dict[str, list[int]]]:
    """`n` scale sites, each asking for 0.2–1 s between requests, `share` of them faulty (replica.scale's
    faulty_sites: replica.faults' REPORT_FAULTS in turn): the harvest is killed early (kill_harvest_early), then
    run again while a Celery pool process, a crawl process and Redis are killed (kill_services). The re-run must
    end by itself, and every report end stored or recorded as a failure: the re-run has no re-run to mend it."""
    from replica.scale import ScaleReplica, code, faulty_sites, scale_ground_truth

    faults = faulty_sites(n, share)
    store_dir = workdir / "national-store"
    store = Store(str(store_dir))
    truth = scale_ground_truth(n, YEAR)
    kills: dict[str, str] = {}
    with ScaleReplica(n, faults=faults, sizes=fault_sizes(small=small)) as replica, redis_server(workdir) as server:
        registry = scale_registry(workdir, n, replica.port)
        env = clean_env(REDIS_URL=server["url"])

        def first_run(process: subprocess.Popen[str]) -> None:
            kill_harvest_early(process, store, len(truth), kills, timeout)

        def second_run(process: subprocess.Popen[str]) -> None:
            kill_services(process, server, store, n, kills, timeout)

        first = harvest(registry, str(store_dir), env, during=first_run, timeout=timeout)
        second = harvest(registry, str(store_dir), env, during=second_run, timeout=timeout)
        if second.hung:
            show_hang(second, server["url"])
    restarted = "starting again for the unfinished sites" in second.stderr
    missed = [service for service in ("harvest", "crawl", "celery", "redis") if service not in kills]
    note = (
        f"{n} sites at delay {DELAYS[0]}–{DELAYS[-1]} s; killed: {'; '.join(kills.values())}"
        f"{' (the flow restarted the crawl for its unfinished sites)' if restarted else ''}; "
        f"first harvest {first.seconds:.0f}s ({first.run}), re-run {second.seconds:.0f}s ({second.run})"
    )
    if missed:
        note += f"; NOT KILLED: {', '.join(missed)} (its harvest ended first)"
    if second.run not in ("ok", "hung"):
        note += f"; the re-run said: {' '.join(second.stderr.split())[-300:]}"
    run = second.run if not missed else "missed"
    return tally_national("national-faulty", store, truth, {code(i): f for i, f in faults.items()}, note, run)


# -- bad registries ----------------------------------------------------------------------------------------------
_GOOD = {"name": "某区人民政府", "division": "110101", "level": "county", "start_urls": ["http://a.gov.cn/"]}
BAD_FIELDS: list[tuple[str, str, dict[str, Any]]] = [  # (site code, field named in the refusal, entry)
    ("bad-division", "division", {"division": "11"}),
    ("bad-level", "level", {"level": "planet"}),
    ("bad-file-url", "start_urls", {"start_urls": ["file:///etc/passwd"]}),
    ("bad-js-url", "start_urls", {"start_urls": ["javascript:alert(1)"]}),
    ("bad-no-url", "start_urls", {"start_urls": []}),
    ("bad-delay", "delay", {"delay": -1}),
    ("bad-unknown-field", "evil", {"evil": 1}),
]
TRAVERSAL_CODES = ["../etc", "..", "a/../../state/x", "/etc/passwd", "a\\..\\b", "%2e%2e%2fstate"]


def refuse_registry(workdir: Path, name: str, text: str, named: list[str]) -> tuple[int, str]:
    """`nianbao harvest` on a bad registry: how many of `named` its refusal names, and a note.

    A refusal counts only if the harvest exits 2 with the problem named (no traceback) before starting or writing
    anything: no store directory appears.
    """
    registry = workdir / f"{name}.yaml"
    registry.write_text(text, encoding="utf-8")
    store = workdir / f"{name}-store"
    command = [NIANBAO, "harvest", "--year", str(YEAR), "--sites", str(registry), "--store", str(store)]
    started = time.monotonic()
    done = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=300, check=False)
    output = " ".join((done.stdout + done.stderr).split())  # the console wraps long lines
    clean = done.returncode == 2 and "Traceback" not in output and not store.exists()
    found = [n for n in named if n in output] if clean else []
    note = f"exit {done.returncode} in {time.monotonic() - started:.1f}s, {len(found)}/{len(named)} named"
    if not clean:
        note += f"; NOT REFUSED CLEANLY: {output[-160:]}"
    return len(found), note


def run_registry(workdir: Path) -> list[Row]:
    import yaml

    rows = []
    entries = [{"code": code, **_GOOD, **change} for code, _, change in BAD_FIELDS]
    named = [f"site {code}: field {field}" for code, field, _ in BAD_FIELDS]
    found, note = refuse_registry(workdir, "bad-fields", yaml.safe_dump({"sites": entries}), named)
    rows.append(Row("registry-invalid-fields", len(named), failed=found, note=note))
    entries = [{"code": code, **_GOOD} for code in TRAVERSAL_CODES]
    named = [f"site {code}: field code" for code in TRAVERSAL_CODES]
    found, note = refuse_registry(workdir, "traversal", yaml.safe_dump({"sites": entries}), named)
    rows.append(Row("registry-traversal-code", len(named), failed=found, note=f"'../' and '/' in codes: {note}"))
    for name, text, words in (
        ("registry-not-yaml", "sites: [\n  - {code: x", "not valid YAML"),
        ("registry-not-a-list", "sites: 3\n", "expected a list of sites"),
    ):
        found, note = refuse_registry(workdir, name, text, [words])
        rows.append(Row(name, 1, failed=found, note=note))
    return rows


# -- the table ---------------------------------------------------------------------------------------------------
def print_table(rows: list[Row], out: Any = sys.stdout) -> None:
    width = max(len(r.fault) for r in rows)
    out.write(f"{'fault':<{width}}  expected  stored  failed_recorded  lost  refused  run      note\n")
    for r in rows:
        out.write(
            f"{r.fault:<{width}}  {r.expected:>8}  {r.stored:>6}  {r.failed:>15}  {r.lost:>4}  {r.refused:>7}  "
            f"{r.run or '-':<7}  {r.note}{''.join(f'; DAMAGE: {d}' for d in r.damage)}\n"
        )
    e, s = sum(r.expected for r in rows), sum(r.stored for r in rows)
    f, lost = sum(r.failed for r in rows), sum(r.lost for r in rows)
    out.write(f"chaos: faults={len(rows)} expected={e} stored={s} failed_recorded={f} lost={lost}\n")
    out.flush()


STEPS = ("portal", "registry", "s3", "redis", "celery", "killed", "prefect", "disk", "national")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Chaos scoreboard (issue 7).")
    parser.add_argument("--only", action="append", choices=[*STEPS])
    parser.add_argument("--small", action="store_true", help="CI sizes (60 MB page, 64 MB gzip bomb)")
    parser.add_argument("--sites", type=int, default=1000, help="scale sites of the national row")
    args = parser.parse_args(argv)
    only = set(args.only or STEPS)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="nianbao-chaos-") as tmp:
        workdir = Path(tmp)
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("portal", lambda: run_portal(workdir, small=args.small)[0]),
            ("registry", lambda: run_registry(workdir)),
            ("s3", lambda: [run_s3(workdir, "first"), run_s3(workdir, "window")]),
            ("redis", lambda: [run_redis_restart(workdir)]),
            ("celery", lambda: [run_celery_kill(workdir)]),
            ("killed", lambda: [run_harvest_killed(workdir)]),
            ("prefect", lambda: [run_prefect_restart(workdir)]),
            ("disk", lambda: [run_disk_full(workdir)]),
            ("national", lambda: [run_national_faulty(workdir, args.sites, small=args.small)[0]]),
        ]
        for name, step in steps:
            if name in only:
                started = time.monotonic()
                try:
                    rows += step()
                except Exception as e:  # a bench step that crashes is a row too
                    rows.append(Row(f"{name}-bench-error", 0, run="error", note=f"{type(e).__name__}: {e}"[:200]))
                sys.stderr.write(f"[chaos] {name} done in {time.monotonic() - started:.0f}s\n")
    print_table(rows)
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
