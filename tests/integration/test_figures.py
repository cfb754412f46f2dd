"""The information-disclosure figures end to end: the replica's reports crawled (`python -m crawler.crawl`), extracted
by real Celery workers on a real Redis, stored, written to `figures/info_disclosure/{year}.parquet` and read back
with DuckDB. Every figure must equal the replica's ground truth, in HTML (several markups, one Traditional), PDF
and DOCX; the report whose totals do not add up carries the failed checks; the pre-2019 report has none and why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from celery.result import AsyncResult

from nianbao.sites import parse_registry
from replica import Replica, ground_truth, sites_yaml
from shell.runtime import embedded_services
from storage import layout
from storage.figures import write_figures
from storage.store import Store

pytestmark = pytest.mark.integration
SITE = "sc-xinjin"
YEARS = (2018, 2020, 2022)  # before the format, the 2019 format, the 2021 format


def crawl_and_extract(replica: Replica, store: Path, year: int, tmp_path: Path) -> None:
    """One crawl of the figures site for `year`; wait until the workers have extracted every capture it queued."""
    from workers.celery import app

    (site,) = [s.model_copy(update={"delay": 0.0}) for s in parse_registry(sites_yaml(replica.port)) if s.code == SITE]
    sites_file = tmp_path / f"sites-{year}.json"
    sites_file.write_text(json.dumps([site.model_dump(mode="json")]), encoding="utf-8")
    command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", str(year)]
    command += ["--kind=info_disclosure", "--store", str(store)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (summary,) = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert summary["task_ids"], summary
    for task_id in summary["task_ids"]:
        outcome = AsyncResult(task_id, app=app).get(timeout=180)
        assert outcome["status"] in ("new", "wrapper"), outcome


def test_figures_of_every_replica_report_reach_parquet_as_printed(replica: Replica, tmp_path: Path) -> None:
    store = tmp_path / "data"
    with embedded_services(workers=1):
        for year in YEARS:
            crawl_and_extract(replica, store, year, tmp_path)
    target = Store(str(store))
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    truths = [t for t in ground_truth() if t["site"] == SITE]
    assert {t["format"] for t in truths} == {"html", "pdf", "docx"}
    for year in YEARS:
        assert write_figures(target, year)[1] == len([t for t in truths if t["year"] == year])
        source = f"read_parquet('{target.path(layout.figures('info_disclosure', year))}')"
        names = [row[0] for row in con.sql(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        for truth in (t for t in truths if t["year"] == year):
            wanted = truth["figures"] or {}
            columns = ", ".join(f'"{key}"' for key in wanted) or "1"
            (row,) = con.sql(
                f"SELECT figures_format, figures_flags, figures_source, {columns} FROM {source} WHERE url LIKE ?",
                params=[f"%{truth['path']}"],
            ).fetchall()
            assert row[0] == truth["figures_format"], truth["path"]
            assert sorted(row[1]) == sorted(truth["figures_flags"]), truth["path"]
            assert row[2] == (truth["format"] if truth["figures"] else None), truth["path"]
            assert dict(zip(wanted, row[3:], strict=False)) == wanted, f"{truth['path']} ({truth['format']})"
        # A 2021-format report leaves the 2019-only columns null, and the other way round.
        assert "active.regulations.issued" in names and "active.regulations.made" in names

    # What a researcher asks: how many requests the district's bodies received in 2022, and how many were refused
    # for holding no such information — across HTML, PDF and DOCX reports alike.
    source = f"read_parquet('{target.path(layout.figures('info_disclosure', 2022))}')"
    ((new, not_held),) = con.sql(
        f'SELECT sum("requests.new.total"), sum("requests.unavailable.not_held.total") FROM {source}'
    ).fetchall()
    reports = [t for t in truths if t["year"] == 2022]
    assert new == sum(t["figures"]["requests.new.total"] for t in reports)
    assert not_held == sum(t["figures"]["requests.unavailable.not_held.total"] or 0 for t in reports)
    flagged = con.sql(f"SELECT url FROM {source} WHERE len(figures_flags) > 0").fetchall()
    assert [urlsplit(url).path for (url,) in flagged] == [t["path"] for t in reports if t["figures_flags"]]
