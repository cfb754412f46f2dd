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

import duckdb
import pyarrow.parquet as pq
import pytest

from nianbao.divisions import divisions
from nianbao.normalise import strip_pinyin
from replica import blocked_sites, ground_truth
from replica.build import REGISTRY as REPLICA_REGISTRY
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
    header = next(line for line in stdout.splitlines() if " site " in line and " reports " in line)
    assert [w for w in header.split() if w.isalpha()][:8] == [
        "site", "level", "reports", "new", "changed", "unchanged", "failed", "pages"
    ]  # fmt: skip
    assert f"Documents, WARC captures and manifests: {store}" in stdout


# The replica's units that owe a report and have a portal, as the replica's ground truth makes them: 番禺 and 湘潭县
# published both kinds' reports or one; 静海区司法局 is a department; 江宁 answers only with a 412 challenge; 新津区's
# portal, registered under 新津县's old code, has reports of other years only; the towns owe information-disclosure
# reports only (and published none on 2021).
REPLICA_COVERAGE = {
    "rule_of_law": {
        ("440113", "county", "gd-panyu"): ("on_time", "2021-12-13"),
        ("430321", "county", "hn-xiangtan"): ("on_time", "2022-02-25"),
        ("120118", "department", "tj-jinghai-sfj"): ("on_time", "2022-01-26"),
        ("320115", "county", "js-jiangning"): ("portal_blocked", None),
        ("510118", "county", "sc-xinjin"): ("missing", None),
    },
    "info_disclosure": {
        ("440113", "county", "gd-panyu"): ("on_time", "2022-01-28"),
        ("430321", "county", "hn-xiangtan"): ("missing", None),
        ("120118", "department", "tj-jinghai-sfj"): ("missing", None),
        ("320115", "county", "js-jiangning"): ("portal_blocked", None),
        ("510118", "county", "sc-xinjin"): ("missing", None),
        **{
            (division, "township", site): ("missing", None)
            for division, site in [
                ("430321", "hn-xiangtan-shigu"),
                ("430321", "hn-xiangtan-yisuhe"),
                ("430321", "hn-xiangtan-huashi"),
                ("441900", "gd-dongguan-changping"),
                ("500231", "cq-dianjiang-guixi"),
            ]
        },
    },
}


def test_coverage_of_every_unit_that_owes_the_report_is_written_for_duckdb_and_printed(first_run) -> None:
    """Every government of the registry's provinces (广东, 湖南, 天津, 江苏, 重庆, 四川) is a row; those with a portal
    carry what the harvest found, the others say no portal is known. One test, so that the harvest runs once."""
    store, _, stdout = first_run
    run = json.loads(next(store.glob("runs/*.json")).read_text("utf-8"))
    provinces = {site["division"][:2] for site in REPLICA_REGISTRY}
    for kind in ("rule_of_law", "info_disclosure"):
        table = f"read_parquet('{store}/coverage/{kind}/2021.parquet')"
        known = duckdb.sql(
            f"SELECT division, level, site, status, published FROM {table} WHERE status <> 'portal_not_found'"
        ).fetchall()
        found = {(d, lv, s): (st, published.isoformat() if published else None) for d, lv, s, st, published in known}
        assert found == REPLICA_COVERAGE[kind]
        by_level = dict(
            duckdb.sql(
                f"SELECT level, count(*) FROM {table} WHERE kind = '{kind}' AND year = 2021 GROUP BY ALL"
            ).fetchall()
        )
        assert by_level["province"] == len(provinces) == 6
        assert by_level["city"] == 21 + 14 + 13 + 21  # 广东, 湖南, 江苏, 四川 (天津 and 重庆 have none)
        assert by_level["county"] == sum(d.level == "county" and d.code[:2] in provinces for d in divisions(2021))
        guangdong = f"SELECT count(*) FROM {table} WHERE division LIKE '44%' AND level = 'county'"
        assert duckdb.sql(guangdong).fetchall() == [(122,)]
        types = {row[0]: row[1] for row in duckdb.sql(f"DESCRIBE SELECT * FROM {table}").fetchall()}
        assert (types["published"], types["on_time"], types["year"]) == ("DATE", "BOOLEAN", "BIGINT")
        assert run["coverage"][kind]["key"] == f"coverage/{kind}/2021.parquet"
        assert run["coverage"][kind]["portal_blocked"] == 1
        units = run["coverage"][kind]["units"]
        assert f"Coverage of {kind}: {units} units owe it: " in stdout  # the harvest's own summary says it too

    command = [NIANBAO, "coverage", "--kind", "rule_of_law", "--year", "2021", "--province", "广东", "--units"]
    result = subprocess.run([*command, "--store", str(store)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "广东省" in result.stdout and "湖南省" not in result.stdout
    assert "番禺区" in result.stdout and "on_time" in result.stdout and "2021-12-13" in result.stdout
    missing = subprocess.run([*command, "--store", str(store / "nowhere")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "no coverage table for rule_of_law 2021" in missing.stderr


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


FINISH_ORDER = """
import json, sys, time
from pathlib import Path
from flows.progress import listen
from shell.cli import run_harvest
events = []
listen(lambda event, data: events.append((time.monotonic(), event, data.get("site"))))
run_harvest(2021, Path(sys.argv[1]), [], [], sys.argv[2], 1)
print(json.dumps(events))
"""


def test_a_site_is_finished_while_the_rest_of_its_batch_is_still_crawled(
    local_env: dict[str, str], tmp_path: Path
) -> None:
    """Two sites in one crawl process, one slowed by its delay: the quick one's extraction is waited for and its
    row made (site-done) before the slow one is crawled — a batch of hundreds does not end all at once."""
    from replica.scale import ScaleReplica, code, scale_sites_yaml

    registry = tmp_path / "sites.yaml"
    with ScaleReplica(2, year=2021, column_pages=8) as replica:
        lines = scale_sites_yaml(2, replica.port).splitlines(keepends=True)
        slow = max(i for i, line in enumerate(lines) if line.strip() == "delay: 0")  # the second site's
        lines[slow] = lines[slow].replace("delay: 0", "delay: 1")
        registry.write_text("".join(lines), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", FINISH_ORDER, str(registry), str(tmp_path / "data")],
            env=local_env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    events = {(event, site): at for at, event, site in json.loads(done.stdout.strip().splitlines()[-1])}
    quick, slow_site = code(0), code(1)
    assert ("site-done", quick) in events and ("site-done", slow_site) in events, sorted(events)
    assert events[("site-done", quick)] < events[("crawled", slow_site)] - 5, "finished long before the slow crawl"
