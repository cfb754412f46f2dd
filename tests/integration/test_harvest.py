"""One harvest end to end: the replica over HTTP, redis-server, Celery workers, Prefect, the local store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.parquet as pq
import pytest

from nianbao.normalise import strip_pinyin
from replica import blocked_sites, ground_truth
from tests.proctable import descendants, processes

pytestmark = pytest.mark.integration
NIANBAO = str(Path(sys.executable).parent / "nianbao")


def harvest(registry: Path, store: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run `nianbao harvest` as an operator would; return its pid and what it printed."""
    command = [NIANBAO, "harvest", "--year", "2021", "--sites", str(registry), "--store", str(store), "--workers", "2"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = process.communicate(timeout=900)
    assert process.returncode == 0, stdout[-3000:] + stderr[-5000:]
    return process.pid, stdout


def stored_documents(store: Path) -> list[dict]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(store.glob("docs/*/2021/*/*.json"))]


def leftover_processes(marker: str) -> list[str]:
    return [cmd for pid, (_, cmd) in processes().items() if marker in cmd and pid != os.getpid()]


@pytest.fixture(scope="module")
def first_run(replica_registry: Path, local_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    store = tmp_path_factory.mktemp("harvest") / "data"
    pid, stdout = harvest(replica_registry, store, local_env)
    return store, pid, stdout


def test_every_2021_report_is_stored_once_with_its_text_and_metadata(first_run) -> None:
    store, _, _ = first_run
    documents = stored_documents(store)
    expected = [g for g in ground_truth() if g["year"] == 2021]
    assert expected, "the replica's ground truth has reports on 2021"
    for truth in expected:
        matches = [d for d in documents if urlsplit(d["url"]).path == truth["path"]]
        assert len(matches) == 1, f"{truth['path']}: stored {len(matches)} times"
        doc = matches[0]
        assert doc["kind"] == truth["kind"], truth["path"]
        assert doc["report_year"] == 2021
        assert doc["title"] == strip_pinyin(truth["title"])[0], truth["path"]  # as published, annotations out
        assert doc["published"] == truth["published"], truth["path"]
        for sentence in truth["text_contains"]:
            assert sentence in doc["text"], f"{truth['path']}: missing {sentence!r}"
        for noise in truth["text_excludes"]:
            assert noise not in doc["text"], f"{truth['path']}: kept {noise!r}"
    expected_paths = {g["path"] for g in expected}
    extra = [d["url"] for d in documents if urlsplit(d["url"]).path not in expected_paths]
    assert extra == [], "stored documents that are not 2021 reports"


def test_raw_captures_manifests_and_run_summary_are_written(first_run) -> None:
    store, _, stdout = first_run
    assert list(store.glob("raw/2021/*/*.warc.gz"))
    documents = stored_documents(store)
    rows = sum(pq.read_table(p).num_rows for p in store.glob("manifests/*/2021.parquet"))
    assert rows == len(documents)
    (run_file,) = store.glob("runs/*.json")
    run = json.loads(run_file.read_text("utf-8"))
    blocked = {row["site"] for row in run["sites"] if row["blocked"]}
    assert blocked == set(blocked_sites())
    assert "reports found" in stdout and f"Documents, WARC captures and manifests: {store}" in stdout


def test_the_harvest_leaves_no_process_behind(first_run) -> None:
    _, pid, _ = first_run
    assert leftover_processes(f"extract-{pid}@") == []  # the Celery workers it started
    assert leftover_processes("nianbao-run-") == []  # redis-server runs in a nianbao-run- directory


def test_a_second_harvest_writes_nothing_twice(first_run, replica_registry: Path, local_env: dict[str, str]) -> None:
    store, _, _ = first_run
    before = {p.name: p.read_bytes() for p in store.glob("docs/*/2021/*/*.json")}
    harvest(replica_registry, store, local_env)
    after = {p.name: p.read_bytes() for p in store.glob("docs/*/2021/*/*.json")}
    assert after == before
    assert len(list(store.glob("docs/**/history/*.json"))) == 0


def test_ctrl_c_stops_everything_the_harvest_started(
    replica_registry: Path, local_env: dict[str, str], tmp_path: Path
) -> None:
    command = [NIANBAO, "harvest", "--year", "2021", "--sites", str(replica_registry), "--store", str(tmp_path)]
    process = subprocess.Popen(command, env=local_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: dict[int, str] = {}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # interrupt it in the middle: crawls running, workers busy
        started = descendants(process.pid)
        if any("crawler.crawl" in cmd for cmd in started.values()):
            break
        time.sleep(0.2)
    assert started, "the harvest started its services"
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) != 0
    time.sleep(1)
    still_running = processes()
    assert [cmd for pid, cmd in started.items() if pid in still_running] == []
