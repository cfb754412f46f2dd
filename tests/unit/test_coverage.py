"""Coverage against the denominator, as a plain function: registry + divisions + documents + crawl outcomes → rows."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from nianbao.coverage import Outcome, coverage_rows, outcome_of, owed_units, rates
from nianbao.records import SiteRow
from nianbao.reports import load_kinds
from nianbao.sites import Site
from shell.cli import app
from storage.coverage import read_coverage, write_coverage
from storage.store import Store

RULE_OF_LAW = load_kinds()["rule_of_law"]
DISCLOSURE = load_kinds()["info_disclosure"]


def site(code: str, division: str, level: str, name: str = "") -> Site:
    return Site(code=code, name=name or code, division=division, level=level, start_urls=[f"http://127.0.0.1/{code}/"])  # type: ignore[arg-type]


# 广州市 (440100) and its 11 districts; 韶关市 (440200) and its 10 counties, 广东省 (440000).
REGISTRY = [
    site("gd", "440000", "province", "广东省人民政府"),
    site("gz", "440100", "city", "广州市人民政府"),  # its column carries the districts' reports
    site("panyu", "440113", "district", "广州市番禺区人民政府"),
    site("tianhe", "440106", "district"),
    site("haizhu", "440105", "district"),
    site("liwan", "440103", "district"),
    site("huadu", "440114", "district"),
    site("gz-sfj", "440100", "department", "广州市司法局"),
    site("panyu-town", "440113", "township", "番禺区石楼镇人民政府"),
    site("sz", "440300", "city", "深圳市人民政府"),  # blocked, but its second portal answered
    site("sz-gkml", "440300", "city", "深圳市政府信息公开平台"),
]


def doc(site: str, division: str, level: str, published: str | None, on_time: bool | None, url: str) -> dict:
    return {"site": site, "division": division, "level": level, "published": published, "on_time": on_time, "url": url}


DOCUMENTS = [
    doc("gd", "440000", "province", "2022-03-01", True, "http://gd/r.html"),
    doc("gz", "440100", "city", "2022-04-10", False, "http://gz/r.html"),  # late
    doc("gz", "440106", "county", "2022-03-20", True, "http://gz/tianhe.html"),  # 天河 in the city's column
    doc("panyu", "440113", "county", "2022-05-01", False, "http://panyu/late.html"),
    doc("panyu", "440113", "county", "2022-02-01", True, "http://panyu/on-time.html"),  # the earliest counts
    doc("panyu", "440113", "department", "2022-02-01", True, "http://panyu/bureau.html"),  # not the district's
    doc("gz-sfj", "440100", "department", None, None, "http://gz-sfj/r.html"),  # undated
    doc("panyu-town", "440113", "township", "2022-01-10", None, "http://town/r.html"),
]
OUTCOMES = {
    "gd": Outcome(crawled=True),
    "gz": Outcome(crawled=True),
    "panyu": Outcome(crawled=True),
    "tianhe": Outcome(crawled=True),
    "haizhu": Outcome(crawled=True),  # crawled, nothing found: missing
    "liwan": Outcome(crawled=False, blocked="HTTP 412 (Ruishu) at http://127.0.0.1/liwan/"),
    "gz-sfj": Outcome(crawled=True),
    # huadu: not in this harvest
    "sz": Outcome(crawled=False, blocked="HTTP 521 (Jiasule) at http://127.0.0.1/sz/"),
    "sz-gkml": Outcome(crawled=True),
}


def table(kind: Any = RULE_OF_LAW, outcomes: dict[str, Outcome] = OUTCOMES) -> dict[str, dict[str, Any]]:
    units = owed_units(kind, 2021, REGISTRY, provinces=["44"])
    return {f"{r['division']}/{r['level']}": r for r in coverage_rows(kind, 2021, units, DOCUMENTS, outcomes)}


def test_every_status() -> None:
    rows = table()
    assert (rows["440000/province"]["status"], rows["440000/province"]["published"]) == ("on_time", "2022-03-01")
    assert rows["440100/city"]["status"] == "late" and rows["440100/city"]["on_time"] is False
    assert rows["440113/county"]["status"] == "on_time"
    assert rows["440113/county"]["report_url"] == "http://panyu/on-time.html"
    assert rows["440113/county"]["reason"] == "2 reports found; the earliest counts"
    assert rows["440105/county"]["status"] == "missing" and rows["440105/county"]["site"] == "haizhu"
    assert rows["440103/county"]["status"] == "portal_blocked"
    assert rows["440103/county"]["reason"] == "HTTP 412 (Ruishu) at http://127.0.0.1/liwan/"
    assert rows["440114/county"]["status"] == "not_crawled"
    assert rows["440117/county"]["status"] == "portal_not_found" and rows["440117/county"]["site"] == ""
    assert rows["440100/department"]["status"] == "undated" and rows["440100/department"]["site"] == "gz-sfj"


def test_a_unit_with_two_portals_is_missing_when_one_answered_and_blocked_only_when_none_did() -> None:
    shenzhen = table()["440300/city"]
    assert (shenzhen["status"], shenzhen["site"]) == ("missing", "sz-gkml")
    blocked = table(outcomes={**OUTCOMES, "sz-gkml": OUTCOMES["sz"]})["440300/city"]
    assert (blocked["status"], blocked["site"]) == ("portal_blocked", "sz")
    assert blocked["reason"] == "HTTP 521 (Jiasule) at http://127.0.0.1/sz/"


def test_a_report_in_a_city_column_counts_for_its_district() -> None:
    tianhe = table()["440106/county"]
    assert (tianhe["status"], tianhe["site"], tianhe["report_url"]) == ("on_time", "gz", "http://gz/tianhe.html")


def test_a_departments_report_on_its_governments_portal_counts_for_the_department_by_its_name() -> None:
    units = [u for u in owed_units(RULE_OF_LAW, 2021, REGISTRY, provinces=["44"]) if u.level == "department"]
    bureau = doc("gz", "440100", "department", "2022-01-20", True, "http://gz/sfj.html")
    other = doc("gz", "440100", "department", "2022-01-10", True, "http://gz/jyj.html")
    bureau["title"] = "广州市司法局2021年法治政府建设年度报告"
    other["title"] = "广州市教育局2021年法治政府建设年度报告"  # another department's: not 广州市司法局's
    outcomes = {"gz": Outcome(crawled=True), "gz-sfj": Outcome(crawled=True)}
    [row] = coverage_rows(RULE_OF_LAW, 2021, units, [bureau, other], outcomes)
    assert (row["name"], row["status"], row["site"], row["report_url"]) == (
        "广州市司法局", "on_time", "gz", "http://gz/sfj.html"
    )  # fmt: skip
    [row] = coverage_rows(RULE_OF_LAW, 2021, units, [other], outcomes)
    assert row["status"] == "missing"


def test_the_denominator_is_every_government_of_the_year_and_the_departments_the_registry_knows() -> None:
    rows = table()
    levels = Counter(r["level"] for r in rows.values())
    # 广东: 1 province, 21 cities, 122 county-level units (2021); one department the registry knows.
    assert levels == {"province": 1, "city": 21, "county": 122, "department": 1}
    assert "440113/township" not in rows  # rule-of-law reports are owed from county level up
    assert rows["440113/county"]["parent"] == "440100" and rows["440113/county"]["province"] == "广东省"
    # information-disclosure reports are owed by townships too: the one the registry knows is a unit
    disclosure = table(DISCLOSURE)
    assert disclosure["440113/township"]["name"] == "番禺区石楼镇人民政府"


def test_units_are_those_of_the_report_year() -> None:
    jiangsu = [site("haimen", "320684", "county")]
    units_2019 = {u.division for u in owed_units(RULE_OF_LAW, 2019, jiangsu, provinces=["32"])}
    units_2021 = {u.division for u in owed_units(RULE_OF_LAW, 2021, jiangsu, provinces=["32"])}
    assert "320684" in units_2019 and "320614" not in units_2019  # 海门市
    assert "320614" in units_2021 and "320684" not in units_2021  # 海门区
    assert not any(u.division[:2] in ("71", "81", "82") for u in owed_units(RULE_OF_LAW, 2021, []))
    assert len(owed_units(RULE_OF_LAW, 2021, [])) > 3000  # the nation: ~31 + 333 + ~2,845


def test_a_site_whose_code_changed_stands_for_the_division_its_name_names() -> None:
    """新津县 (510132) became 新津区 (510118) in 2020; a registry written before keeps the old code."""
    xinjin = site("xinjin", "510132", "district", "成都市新津区人民政府")
    units = {u.division: u for u in owed_units(RULE_OF_LAW, 2021, [xinjin], provinces=["51"])}
    assert units["510118"].site == "xinjin" and "510132" not in units
    assert {u.division: u for u in owed_units(RULE_OF_LAW, 2019, [xinjin], provinces=["51"])}["510132"].site == "xinjin"
    stale = doc("xinjin", "510132", "county", "2022-03-01", True, "http://xinjin/r.html")  # no name in its title
    rows = {r["division"]: r for r in coverage_rows(RULE_OF_LAW, 2021, units.values(), [stale], {})}
    assert (rows["510118"]["status"], rows["510118"]["report_url"]) == ("on_time", "http://xinjin/r.html")


def test_outcome_of_a_harvest_row() -> None:
    assert outcome_of(SiteRow("a", pages=12)) == Outcome(crawled=True)
    assert outcome_of(SiteRow("a", pages=1, blocked="HTTP 521 (Jiasule)")).blocked == "HTTP 521 (Jiasule)"
    assert outcome_of(SiteRow("a", error="crawl process died")) == Outcome(False, "", "crawl process died")
    dead = outcome_of(SiteRow("a", failures=[{"url": "u", "reason": "Connection refused"}]))
    assert (dead.crawled, dead.reason) == (False, "no page of the portal answered: Connection refused")
    assert outcome_of(SiteRow("a", unchanged=3)).crawled  # all 304: crawled, nothing new


def test_rates_by_province_and_level() -> None:
    by_level = {r["level"]: r for r in rates(table().values())}
    county = by_level["county"]
    assert county["units"] == 122
    assert (county["on_time"], county["missing"], county["portal_blocked"], county["not_crawled"]) == (2, 1, 1, 1)
    assert county["portal_not_found"] == 117
    assert county["published_rate"] == round(2 / 122, 3) and county["on_time_rate"] == round(2 / 122, 3)
    assert by_level["province"]["on_time_rate"] == 1.0
    assert by_level["city"]["late"] == 1 and by_level["city"]["portal_not_found"] == 19


def test_the_table_round_trips_through_the_store_and_the_command_filters_a_province(tmp_path: Path) -> None:
    rows = list(table().values())
    store = Store(str(tmp_path))
    assert write_coverage(store, "rule_of_law", 2021, rows) == "coverage/rule_of_law/2021.parquet"
    assert read_coverage(store, "rule_of_law", 2021) == rows
    runner = CliRunner()
    args = ["coverage", "--kind", "rule_of_law", "--year", "2021", "--store", str(tmp_path)]
    result = runner.invoke(app, [*args, "--province", "44", "--units"])
    assert result.exit_code == 0, result.output
    assert "广东省" in result.stdout and "番禺区" in result.stdout and "portal_blocked" in result.stdout
    assert "Units with a known portal: 9 of 145" in result.stdout
    assert runner.invoke(app, [*args, "--province", "广东"]).exit_code == 0
    assert "no unit of province 湖南" in runner.invoke(app, [*args, "--province", "湖南"]).output
    assert "no province 'Atlantis'" in runner.invoke(app, [*args, "--province", "Atlantis"]).output
    other_year = ["coverage", "--kind", "rule_of_law", "--year", "2020", "--store", str(tmp_path)]
    assert "no coverage table for rule_of_law 2020" in runner.invoke(app, other_year).output
