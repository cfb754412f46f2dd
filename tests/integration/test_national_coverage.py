"""National reach end to end on the national replica: `nianbao sites discover` from the provincial portals, then
`nianbao harvest` over the registry it wrote, gives the coverage table of the replica's truth — every unit that owes
a report (the two provinces' governments from the divisions table, the departments and the town the registry
found), each with its status and date; the districts whose reports only their city's column carries count too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from replica.national import NationalReplica

pytestmark = pytest.mark.integration
NIANBAO = str(Path(sys.executable).with_name("nianbao"))


def run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run([NIANBAO, *command], capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def key(row: dict) -> tuple:
    """A government is its division and level; a department or a town is also its name (several per division)."""
    named = row["level"] in ("department", "township")
    return row["kind"], row["division"], row["level"], row["name"] if named else ""


def test_a_harvest_of_the_discovered_registry_gives_the_coverage_of_the_truth(
    tmp_path: Path, local_env: dict[str, str]
) -> None:
    with NationalReplica() as replica:
        seeds, registry, store = tmp_path / "seeds.yaml", tmp_path / "discovered.yaml", tmp_path / "data"
        seeds.write_text(replica.seeds_yaml(), encoding="utf-8")
        run(["sites", "discover", "--seeds", str(seeds), "--out", str(registry), "--seconds", "60"])
        year = str(replica.tree.year)
        run(["harvest", "--year", year, "--sites", str(registry), "--store", str(store), "--workers", "2"], local_env)
        truth = {key(r): r for r in replica.coverage_truth()}

    rows = duckdb.sql(
        f"SELECT kind, year, division, name, level, site, status, CAST(published AS VARCHAR) AS published, on_time, "
        f"report_url FROM read_parquet('{store}/coverage/*/{year}.parquet')"
    ).fetchall()
    columns = ["kind", "year", "division", "name", "level", "site", "status", "published", "on_time", "report_url"]
    found = {key(r): r for r in (dict(zip(columns, row, strict=True)) for row in rows)}
    assert found.keys() == truth.keys()
    wrong = {
        k: ((f["status"], f["published"]), (truth[k]["status"], truth[k]["published"]))
        for k, f in found.items()
        if (f["status"], f["published"]) != (truth[k]["status"], truth[k]["published"])
    }
    assert wrong == {}
    for k, f in found.items():  # a found report lies on the portal the truth says: its own, or its city's
        if truth[k]["status"] in ("on_time", "late"):
            assert f["report_url"].startswith(truth[k]["published_on"]), k
            assert f["on_time"] is (truth[k]["status"] == "on_time")
    collected = [k for k, t in truth.items() if t["published_on"] and t["portal"] != t["published_on"]]
    assert collected and all(found[k]["status"] in ("on_time", "late", "missing") for k in collected)
    statuses = {t["status"] for t in truth.values()}
    assert statuses >= {"on_time", "late", "missing", "not_crawled", "portal_not_found"}
