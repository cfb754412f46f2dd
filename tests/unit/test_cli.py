"""The stable command-line contract: decode, extract and links print one JSON object per file or link."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shell.cli import app

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "replica" / "site"
runner = CliRunner()


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_decode_reports_encoding_and_keeps_going_after_a_bad_file(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.html"
    gbk.write_bytes("<html><head><meta charset=gb2312></head><body>法治政府建设年度报告</body></html>".encode("gbk"))
    missing = tmp_path / "missing.html"
    result = runner.invoke(app, ["decode", "--jsonl", str(missing), str(gbk)])
    first, second = lines(result.stdout)
    assert result.exit_code == 1
    assert first["file"] == str(missing) and "error" in first
    assert second["encoding"] == "gb18030" and "法治政府建设年度报告" in second["text"]


def test_extract_gives_metadata_of_a_replica_report() -> None:
    page = SITE / "panyu" / "fzzfjs" / "202112" / "t20211213_5078.html"
    result = runner.invoke(app, ["extract", "--jsonl", str(page)])
    assert result.exit_code == 0, result.output
    (doc,) = lines(result.stdout)
    assert doc["title"] == "广州市番禺区人民政府关于2021年度法治政府建设情况的报告"
    assert (doc["report_kind"], doc["report_year"], doc["published"]) == ("rule_of_law", 2021, "2021-12-13")
    assert "扫一扫在手机打开当前页" not in doc["text"]


def test_links_lists_reports_and_pages_of_a_trs_listing() -> None:
    listing = SITE / "panyu" / "fzzfjs" / "index_1.html"
    result = runner.invoke(app, ["links", "--jsonl", "--url", "http://127.0.0.11/fzzfjs/index_1.html", str(listing)])
    assert result.exit_code == 0, result.output
    links = lines(result.stdout)
    reports = {link["url"]: link for link in links if link["rel"] == "report"}
    report = reports["http://127.0.0.11/fzzfjs/202112/t20211213_5078.html"]
    assert (report["kind"], report["year"], report["date"]) == ("rule_of_law", 2021, "2021-12-13")
    assert {link["url"] for link in links if link["rel"] == "page"} == {
        "http://127.0.0.11/fzzfjs/index.html",
        "http://127.0.0.11/fzzfjs/index_2.html",
    }


def test_worker_refuses_a_redis_it_cannot_use_and_never_prints_the_password() -> None:
    result = runner.invoke(app, ["worker"], env={"REDIS_URL": "redis://:s3cret-pw@127.0.0.1:1/0"})
    assert result.exit_code != 0
    assert "cannot use the Redis at REDIS_URL=redis://:***@127.0.0.1:1/0" in result.output
    assert "s3cret-pw" not in result.output


def test_a_site_code_the_registry_lacks_is_refused_before_any_service_starts_with_where_it_was_harvested_from(
    tmp_path: Path,
) -> None:
    from nianbao.records import RunSummary, SiteRow
    from shell.cli import demo_registry
    from storage.runs import write_run
    from storage.store import Store

    store = str(tmp_path / "data")
    registry = demo_registry(store)  # a demo's run: its registry names the replica's sites
    run = RunSummary("2021-demo", 2021, registry=str(registry), finished_at="2026-12-03T06:00:00+00:00")
    run.sites = [SiteRow("gd-panyu")]
    write_run(Store(store), run)
    result = runner.invoke(app, ["rerun", "gd-panyu", "--year", "2021", "--store", store])
    assert result.exit_code == 2, result.output
    said = "".join(result.output.split())  # the console wraps long lines anywhere

    def says(text: str) -> bool:
        return "".join(text.split()) in said

    assert says("unknown site code(s) gd-panyu in") and says("national.yaml")
    assert says(f"harvested from {registry} by run 2021-demo; pass `--sites {registry}`")
    assert says("the demo's: its portal replica serves only while `nianbao demo` runs")
    result = runner.invoke(app, ["harvest", "--year", "2021", "--site", "no-such-site", "--store", store])
    assert result.exit_code == 2 and "unknown site code(s) no-such-site" in result.output
    assert "harvested from" not in result.output  # no run of the store knows it
