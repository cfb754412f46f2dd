"""A local cluster of real processes on 127.0.0.1: redis-server, two Celery workers, a Prefect server (SQLite), a
Prefect process worker, moto's S3 server and the portal replica. The flows are deployed, the national harvest runs
through its deployment into s3://, one site is re-run through `harvest-site`, and a Celery worker is killed with
SIGKILL in the middle of a harvest.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import httpx
import pytest
import redis

from flows.summary import markdown_rows
from replica import ground_truth
from shell.runtime import free_port, start_celery_workers, start_redis
from storage import layout
from storage.coverage import read_coverage
from storage.manifest import read_manifest
from storage.store import Store

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUCKET = "nianbao-cluster"

# Runs a deployment and waits; prints the final state as JSON (a subprocess: its own Prefect settings).
RUN_DEPLOYMENT = """
import json, sys
from prefect.deployments import run_deployment
run = run_deployment(sys.argv[1], parameters=json.loads(sys.argv[2]), timeout=900)
print(json.dumps({"id": str(run.id), "state": run.state.type.value if run.state else None}))
"""


@dataclass
class Cluster:
    env: dict[str, str]
    api: str
    redis_url: str
    registry: Path
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run_deployment(self, name: str, parameters: dict) -> subprocess.Popen[str]:
        command = [sys.executable, "-c", RUN_DEPLOYMENT, name, json.dumps(parameters)]
        return subprocess.Popen(command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(check, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} not ready after {timeout}s")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in reversed(processes):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture(scope="module")
def cluster(s3_endpoint: str, replica_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    workdir = tmp_path_factory.mktemp("cluster")
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=BUCKET)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(workdir / "prefect"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
        NIANBAO_S3_ENDPOINT_URL=s3_endpoint,
        NIANBAO_CELERY_VISIBILITY_TIMEOUT="8",  # a killed worker's task comes back within seconds
        NIANBAO_CELERY_RESTORE_INTERVAL="1",
        # A few hosts per crawl process, so the replica's ten sites make several batches to spread over the pool
        # (a national harvest's batches are ⌈sites ÷ hosts in flight⌉; the default, 256, would make one).
        NIANBAO_HOSTS_IN_FLIGHT="4",
    )
    processes: list[subprocess.Popen[bytes]] = []
    saved = dict(os.environ)
    try:
        os.environ.update({k: env[k] for k in ("NIANBAO_S3_ENDPOINT_URL", "NIANBAO_CELERY_VISIBILITY_TIMEOUT")})
        os.environ["NIANBAO_CELERY_RESTORE_INTERVAL"] = "1"
        redis_url = start_redis(workdir, processes)
        env["REDIS_URL"] = redis_url
        server_log = open(workdir / "prefect-server.log", "wb")
        processes.append(
            subprocess.Popen(
                [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        )  # fmt: skip
        wait_for(lambda: httpx.get(f"{env['PREFECT_API_URL']}/health").status_code == 200, "Prefect server", 120)
        deployed = subprocess.run(
            [str(BIN / "nianbao"), "deploy", "--sites", str(replica_registry), "--store", f"s3://{BUCKET}/default"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stderr
        for name in ("pw1", "pw2"):  # two Prefect workers: the national run's batches spread over them
            worker_log = open(workdir / f"prefect-worker-{name}.log", "wb")
            processes.append(
                subprocess.Popen(
                    [str(BIN / "prefect"), "worker", "start", "--pool", "nianbao-process", "--type", "process",
                     "--name", name],
                    env=env, cwd=ROOT, stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            )  # fmt: skip
        yield Cluster(env=env, api=env["PREFECT_API_URL"], redis_url=redis_url, registry=replica_registry,
                      workdir=workdir, processes=processes)  # fmt: skip
    finally:
        stop(processes)
        os.environ.clear()
        os.environ.update(saved)


def worker_logs(cluster: Cluster) -> str:
    return "\n".join(p.read_text()[-3000:] for p in sorted(cluster.workdir.glob("prefect-worker-*.log")))


def celery_worker(cluster: Cluster, name: str) -> subprocess.Popen[bytes]:
    started: list[subprocess.Popen[bytes]] = []
    start_celery_workers(cluster.redis_url, cluster.workdir, 1, started, name=name)
    cluster.processes.extend(started)
    return started[0]


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def documents(store: Store) -> dict[str, dict]:
    return {key: store.get_json(key) for key in store.keys("docs/") if layout.is_current_doc(key)}


def assert_every_report_stored_once(store: Store) -> None:
    docs = documents(store)
    expected = [g for g in ground_truth() if g["year"] == 2021]
    for truth in expected:
        matches = [d for d in docs.values() if urlsplit(d["url"]).path == truth["path"]]
        assert len(matches) == 1, f"{truth['path']} stored {len(matches)} times"
    assert len(docs) == len(expected)
    rows = sum(read_manifest(store, kind, 2021).num_rows for kind in ("rule_of_law", "info_disclosure"))
    assert rows == len(docs)


def test_national_harvest_through_the_deployment_then_a_site_rerun(cluster: Cluster) -> None:
    celery_worker(cluster, "w1")
    celery_worker(cluster, "w2")
    store_url = f"s3://{BUCKET}/national"
    params = {"year": 2021, "registry": str(cluster.registry), "store": store_url}
    run = cluster.run_deployment("harvest/national-harvest", params)
    out, err = run.communicate(timeout=900)
    assert run.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] == "COMPLETED", worker_logs(cluster)

    store = Store(store_url)
    assert_every_report_stored_once(store)

    # The batches ran as `harvest-batch` flow runs (on the pool's workers), children of the national run.
    response = httpx.post(f"{cluster.api}/flow_runs/filter", json={"flows": {"name": {"any_": ["harvest-batch"]}}})
    batch_runs = response.json()
    assert len(batch_runs) >= 2 and all(r["state_type"] == "COMPLETED" for r in batch_runs), batch_runs
    assert all(r["parent_task_run_id"] for r in batch_runs)
    assert len(list(store.keys("batches/"))) == len(batch_runs)

    # The run's artifacts, read back through the Prefect API.
    response = httpx.post(f"{cluster.api}/artifacts/filter", json={"flow_runs": {"id": {"any_": [result["id"]]}}})
    artifacts = {a["key"]: a for a in response.json()}
    assert {"harvest-summary", "harvest-coverage", "harvest-failures"} <= set(artifacts)
    summary_table = artifacts["harvest-summary"]["data"]  # markdown: the operator's column order
    assert "| site | name | level | reports | new | changed | unchanged | failed |" in summary_table
    assert "| gd-panyu |" in summary_table and "| js-jiangning |" in summary_table
    assert "nianbao failures --year 2021 --redrive" in artifacts["harvest-failures"]["data"]
    # Coverage against the denominator: every government of the registry's provinces, by province and level.
    rows = markdown_rows(artifacts["harvest-coverage"]["data"])  # markdown too: province, level, kind, counts
    coverage = {(r["kind"], r["province"], r["level"]): r for r in rows}
    assert coverage[("rule_of_law", "江苏省", "county")]["portal blocked"] == "1"  # 江宁's 412
    assert coverage[("rule_of_law", "广东省", "county")]["on time"] == "1"  # 番禺
    assert coverage[("rule_of_law", "广东省", "county")]["units"] == "122"

    # Re-run one site through `harvest-site` (`nianbao rerun` submits to the deployment): nothing duplicated.
    before = {key: doc["sha256"] for key, doc in documents(store).items()}
    rerun = subprocess.run(
        [str(BIN / "nianbao"), "rerun", "gd-panyu", "--year", "2021", "--sites", str(cluster.registry),
         "--store", store_url, "--force"],
        env=cluster.env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-3000:]
    assert "COMPLETED" in rerun.stderr.upper() or "Completed" in rerun.stderr
    assert {key: doc["sha256"] for key, doc in documents(store).items()} == before
    assert not [k for k in store.keys("docs/") if "/history/" in k]
    runs = list(store.keys("runs/"))
    assert len(runs) == 2
    # The re-run of one site left the others' coverage as the national run found it, not "not crawled".
    status = {(kind, r["site"]): r["status"] for kind in ("rule_of_law", "info_disclosure")
              for r in read_coverage(store, kind, 2021) if r["site"]}  # fmt: skip
    assert status[("rule_of_law", "gd-panyu")] == "on_time"
    assert status[("rule_of_law", "js-jiangning")] == "portal_blocked"
    assert status[("info_disclosure", "hn-xiangtan")] == "missing"
    assert "not_crawled" not in status.values()


def test_a_celery_worker_killed_mid_harvest_loses_no_document(cluster: Cluster) -> None:
    stop([p for p in cluster.processes if "celery" in " ".join(map(str, p.args))])  # from the previous test
    w1 = celery_worker(cluster, "w3")
    (pool_child,) = children(w1.pid)
    os.kill(pool_child, signal.SIGSTOP)  # w3 takes a task and holds it, unacknowledged, until we kill it
    store_url = f"s3://{BUCKET}/killed"
    run = cluster.run_deployment(
        "harvest/national-harvest", {"year": 2021, "registry": str(cluster.registry), "store": store_url}
    )
    broker = redis.Redis.from_url(cluster.redis_url)
    wait_for(lambda: broker.hlen("unacked") > 0, "a task held by the frozen worker", 300)
    os.killpg(w1.pid, signal.SIGKILL)
    w1.wait()
    celery_worker(cluster, "w4")
    out, err = run.communicate(timeout=900)
    assert run.returncode == 0, err[-3000:]
    assert json.loads(out.strip().splitlines()[-1])["state"] == "COMPLETED"
    assert_every_report_stored_once(Store(store_url))
