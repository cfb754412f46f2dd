"""The cores of the curators' outputs: revisits completed in a WACZ's WARC copy, report pages, the site's rows,
and the run's table as an operator reads it after a re-run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from flows.summary import SITE_COLUMNS, markdown_rows, markdown_table, site_row
from nianbao.records import CrawlSummary, RunSummary
from nianbao.sites import Site
from publish.site import SiteEntry, figure_rows, province_tiles, site_status
from publish.wacz import (
    build_wacz,
    complete_revisits,
    incomplete_revisits,
    report_pages,
    response_originals,
    validate_wacz,
)
from shell.cli import print_summary, site_line
from storage.warc import write_exchange

URL = "http://127.0.0.11/fzzfjs/202112/t20211213_5078.html"
BODY = "<html><head><meta charset='gbk'><title>报告</title></head><body>番禺区2021年法治政府建设年度报告</body></html>"


def exchange(out: io.BytesIO, status: int, body: bytes, url: str = URL, date: str = "Mon, 13 Dec 2021") -> None:
    headers = [("Content-Type", "text/html; charset=gbk"), ("ETag", '"v1"'), ("Date", date)]
    headers = headers[1:] if status == 304 else headers  # a 304 sends the validators, not the representation's type
    write_exchange(out, url=url, method="GET", request_headers=[("If-None-Match", '"v1"')], status=status,
                   reason="", response_headers=headers, body=body)  # fmt: skip


def test_a_304_revisit_gets_the_references_of_the_response_it_confirmed() -> None:
    first, second = io.BytesIO(), io.BytesIO()
    exchange(first, 200, BODY.encode("gbk"))
    exchange(second, 304, b"", date="Sat, 13 Jan 2024")
    exchange(second, 304, b"", url="http://127.0.0.11/never-fetched.html")
    first.seek(0)
    second.seek(0)
    originals = response_originals(first)
    assert [o.url for o in originals] == [URL]
    assert [u for u, _ in incomplete_revisits(second)] == [URL, "http://127.0.0.11/never-fetched.html"]
    second.seek(0)
    out = io.BytesIO()
    assert complete_revisits(second, out, originals) == (1, 1)
    out.seek(0)
    records = [(r.rec_type, r.rec_headers, r.http_headers) for r in ArchiveIterator(out)]
    assert [t for t, _, _ in records] == ["revisit", "request", "revisit", "request"]
    (_, completed, http), (_, orphan, orphan_http) = records[0], records[2]
    assert completed.get_header("WARC-Refers-To-Target-URI") == URL
    assert completed.get_header("WARC-Refers-To-Date") == originals[0].date
    assert completed.get_header("WARC-Payload-Digest") == originals[0].digest
    # A replay tool answers with the revisit's headers: the response as the 304 freshened it, not an empty 304.
    assert http.get_statuscode() == "200"
    assert http.get_header("Content-Type") == "text/html; charset=gbk"
    assert http.get_header("Content-Length") == str(len(BODY.encode("gbk")))
    assert [v for k, v in http.headers if k == "Date"] == ["Sat, 13 Jan 2024"]
    assert orphan.get_header("WARC-Refers-To-Target-URI") is None
    assert orphan_http.get_statuscode() == "304"  # nothing to freshen: kept as answered
    # every other record is the same bytes as before
    second.seek(0)
    assert [r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(second)] == [
        h.get_header("WARC-Record-ID") for _, h, _ in records
    ]


def test_a_wacz_of_a_response_and_its_revisit_validates_with_the_report_as_its_page(tmp_path: Path) -> None:
    first, second = io.BytesIO(), io.BytesIO()
    exchange(first, 200, BODY.encode("gbk"))
    exchange(second, 304, b"")
    first.seek(0)
    second.seek(0)
    (tmp_path / "a.warc.gz").write_bytes(first.getvalue())
    with (tmp_path / "b.warc.gz").open("wb") as out:
        complete_revisits(second, out, response_originals(first))
    doc = {
        "url": URL,
        "title": "番禺区2021年法治政府建设年度报告",
        "text": "2021年，番禺区…",
        "published": "2021-12-13",
    }
    unmatched = build_wacz([tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"], report_pages([doc]),
                           tmp_path / "x.wacz", "gd-panyu 2021", "test")  # fmt: skip
    assert unmatched == []
    valid, said = validate_wacz(tmp_path / "x.wacz")
    assert valid, said
    import zipfile

    with zipfile.ZipFile(tmp_path / "x.wacz") as package:
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    assert pages[1]["title"] == doc["title"] and pages[1]["published"] == "2021-12-13"


def test_site_status_and_province_tiles() -> None:
    assert site_status([]) == "missing"
    assert site_status([{"on_time": False}]) == "late"
    assert site_status([{"on_time": False}, {"on_time": True}]) == "on_time"
    assert site_status([{"on_time": None}]) == "published"  # no deadline holds this unit, or no date
    sites = [
        SiteEntry("gd-a", "甲", "440113", "district", status={"rule_of_law": "on_time"}),
        SiteEntry("gd-b", "乙", "441900", "township", status={"rule_of_law": "late"}),
        SiteEntry("hn-c", "丙", "430321", "county", status={"rule_of_law": "missing"}),
    ]
    tiles = {t["name"]: t for t in province_tiles(sites, "rule_of_law", None)}
    assert len(tiles) == 34 and len({(t["col"], t["row"]) for t in tiles.values()}) == 34
    assert (tiles["广东省"]["published"], tiles["广东省"]["on_time"], tiles["广东省"]["late"]) == (2, 1, 1)
    assert (tiles["湖南省"]["missing"], tiles["湖南省"]["share"]) == (1, 0.0)
    assert tiles["西藏自治区"]["share"] is None and tiles["西藏自治区"]["short"] == "西藏"
    statuses = ["on_time", "on_time", "late", "undated", "portal_blocked", "missing"]
    table = [{"province": "广东省", "kind": "rule_of_law", "status": status} for status in statuses]
    tile = {t["name"]: t for t in province_tiles([], "rule_of_law", table)}["广东省"]
    assert (tile["sites"], tile["published"], tile["on_time"], tile["late"], tile["missing"]) == (6, 4, 2, 2, 2)


def test_figures_of_any_shape_read_as_rows() -> None:
    figures = {"收到申请": {"自然人": 12, "法人": 3}, "行政复议": [4, None]}
    assert figure_rows(figures) == [
        ("收到申请 › 自然人", "12"), ("收到申请 › 法人", "3"), ("行政复议 [1]", "4"), ("行政复议 [2]", ""),
    ]  # fmt: skip


def test_a_rerun_of_an_unchanged_site_reads_as_two_reports_unchanged(capsys) -> None:
    site = Site(code="gd-panyu", name="广州市番禺区人民政府", division="440113", level="district",
                start_urls=["http://127.0.0.11/"])  # fmt: skip
    # The crawl answered 304 for both report pages: nothing went to extraction.
    row = site_row(site, CrawlSummary(site.code, 2021, pages=5, captures=0, unchanged=2))
    assert (row.reports, row.new, row.changed, row.unchanged, row.stored) == (2, 0, 0, 2, 2)
    assert list(row.to_dict())[:8] == ["site", "name", "level", "reports", "new", "changed", "unchanged", "failed"]
    assert site_line(row) == "2 reports (0 new, 0 changed, 2 unchanged), 0 failed, 5 pages fetched"
    print_summary(RunSummary(run_id="r1", year=2021, store="/data", sites=[row]))
    out = capsys.readouterr().out
    assert "Run summary: /data/runs/r1.json" in out
    header = next(line for line in out.splitlines() if "site" in line and "reports" in line)
    assert [w for w in header.replace("┃", " ").split() if w.isalpha()][:8] == [
        "site", "level", "reports", "new", "changed", "unchanged", "failed", "pages"
    ]  # fmt: skip
    panyu = next(line for line in out.splitlines() if "gd-panyu" in line)
    assert [int(n) for n in panyu.replace("│", " ").split() if n.isdigit()] == [2, 0, 0, 2, 0, 5]


def test_run_table_artifact_keeps_the_operators_column_order() -> None:
    site = Site(code="js-jiangning", name="南京市江宁区人民政府", division="320115", level="district",
                start_urls=["http://127.0.0.16/"])  # fmt: skip
    row = site_row(site, CrawlSummary(site.code, 2021, pages=1, captures=0, blocked="HTTP 412 | challenge"))
    stored = json.loads(json.dumps(row.to_dict(), sort_keys=True))  # as a spread harvest's batch rows come back
    table = markdown_table([stored], SITE_COLUMNS).splitlines()
    assert table[0].startswith("| site | name | level | reports | new | changed | unchanged | failed | blocked |")
    assert table[1].startswith("|---|---|---|---:|")
    assert table[2].startswith("| js-jiangning | 南京市江宁区人民政府 | district | 0 |")
    assert "HTTP 412 \\| challenge" in table[2]
    (read,) = markdown_rows("\n".join(table))  # as the cluster test and ui_screenshot read the artifact back
    assert (read["site"], read["reports"], read["reports found"]) == ("js-jiangning", "0", "0")


def test_the_site_lists_the_sites_of_the_years_runs_with_the_latest_run_s_row_and_the_registry_s_division(
    tmp_path: Path,
) -> None:
    from nianbao.records import SiteRow
    from publish.site import harvested_sites
    from storage.runs import read_runs, write_run
    from storage.store import Store

    registry = tmp_path / "sites.yaml"
    registry.write_text(
        "- {code: gd-a, name: 甲区, division: '440113', level: county, start_urls: ['http://127.0.0.11/']}\n",
        encoding="utf-8",
    )
    store = Store(str(tmp_path / "data"))
    runs = [
        RunSummary("r2", 2021, registry=str(registry), finished_at="2026-02-01", sites=[SiteRow("gd-a", "甲区新名")]),
        RunSummary(
            "r1",
            2021,
            registry="gone.yaml",
            finished_at="2026-01-01",
            sites=[SiteRow("gd-a", "甲区"), SiteRow("gd-b", "", level="township")],
        ),
        RunSummary("r0", 2020, registry=str(registry), finished_at="2026-03-01", sites=[SiteRow("gd-c", "丙")]),
    ]
    for run in runs:
        write_run(store, run)
    assert [run.run_id for run in read_runs(store)] == ["r1", "r2", "r0"]  # oldest first
    sites = harvested_sites(store, 2021)
    assert sorted(sites) == ["gd-a", "gd-b"]
    assert (sites["gd-a"].name, sites["gd-a"].division) == ("甲区新名", "440113")  # the latest run's row wins
    assert (sites["gd-b"].name, sites["gd-b"].division, sites["gd-b"].level) == ("gd-b", "", "township")
