"""The GB/T 2260 division table: counts, lookups, names that mean more than one place, changes over the years."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from nianbao.divisions import aliases, ancestors, children, divisions, lookup, match_name, province_of
from shell.cli import app


def counts(year: int | None = None) -> Counter:
    return Counter(d.level for d in divisions(year))


def test_the_table_counts_what_the_ministry_counts() -> None:
    # 民政部's year-end counts: 34 provincial and 333 prefecture-level units; county-level 2,859 (2008), 2,850 (2015),
    # 2,844 (2020), 2,843 (2022). The yearly change list the table is rebuilt from misses a change here and there.
    now = counts()
    assert now["province"] == 34 and now["city"] == 333
    assert counts(2008)["county"] == 2859
    for year, county in ((2015, 2850), (2020, 2844), (2022, 2843), (None, 2845)):
        assert abs(counts(year)["county"] - county) <= 3, year
    assert counts(2015)["city"] == 334  # 那曲, 哈密, 山南 … were 地区 still: 334 prefecture units


def test_every_division_has_a_parent_in_force_the_same_year() -> None:
    for year in (2010, 2016, 2021, None):
        for d in divisions(year):
            if d.level == "province":
                assert d.parent == ""
            else:
                parent = lookup(d.parent, year)
                assert parent is not None, (year, d)
                assert parent.level == ("province" if d.level == "city" else parent.level)


def test_lookup_takes_any_length_of_code() -> None:
    assert lookup("440113").name == "番禺区"  # type: ignore[union-attr]
    assert lookup("4401").name == "广州市"  # type: ignore[union-attr]
    assert lookup("44").name == "广东省"  # type: ignore[union-attr]
    assert lookup("440113000000").name == "番禺区"  # type: ignore[union-attr]
    assert lookup("999999") is None
    assert province_of("440113") == "广东省"


def test_children_of_a_province_include_the_counties_it_governs_directly() -> None:
    hubei = {d.name for d in children("420000")}
    assert {"武汉市", "仙桃市", "神农架林区"} <= hubei
    assert len(children("440100")) == 11
    assert len(children("110000")) == 16 and all(d.level == "county" for d in children("110000"))
    assert len(children("")) == 34
    assert [a.name for a in ancestors(lookup("440113"))] == ["广州市", "广东省"]  # type: ignore[arg-type]


def test_a_harvest_of_an_old_year_sees_that_years_divisions() -> None:
    # 海门市 became 海门区 in 2020 (a new code); 萝岗区 went into 黄埔区 in 2014; 蓟县 became 蓟州区 in 2016.
    assert lookup("320684", 2019).name == "海门市"  # type: ignore[union-attr]
    assert lookup("320684", 2020) is None and lookup("320684") is None
    assert lookup("320614", 2020).name == "海门区"  # type: ignore[union-attr]
    assert lookup("320614", 2019) is None
    assert lookup("440116", 2013).name == "萝岗区"  # type: ignore[union-attr]
    assert lookup("440116", 2014) is None
    assert {d.name for d in children("440100", 2013)} >= {"萝岗区", "黄埔区"}
    assert lookup("120225", 2015).name == "蓟县" and lookup("120119", 2016).name == "蓟州区"  # type: ignore[union-attr]
    # 昌都地区 (542100) became 昌都市 (540300) in 2014, its counties with it.
    assert lookup("542100", 2013).level == "city" and lookup("540300", 2013) is None  # type: ignore[union-attr]
    assert lookup("542121", 2013).parent == "542100"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("广州市番禺区人民政府", ["440113"]),
        ("番禺区", ["440113"]),
        ("番禺政府网", ["440113"]),  # short name
        ("广州市司法局", ["440100"]),  # a department: its government's division
        ("广东省人民政府门户网站", ["440000"]),
        ("长春市朝阳区", ["220104"]),  # the parent named decides
        ("北京市朝阳区人民政府", ["110105"]),
        ("吉林省吉林市", ["220200"]),  # the province named too is the city's parent, not a candidate
        ("延边州人民政府", ["222400"]),  # an autonomous prefecture by its short name and kind
        ("延边朝鲜族自治州", ["222400"]),
        ("湖北省潜江市", ["429005"]),
        ("中国政府网", []),
    ],
)
def test_match_name_finds_the_division_a_government_name_means(name: str, codes: list[str]) -> None:
    assert [d.code for d in match_name(name)] == codes


def test_a_name_shared_by_two_places_gives_every_candidate() -> None:
    assert [d.code for d in match_name("朝阳区")] == ["110105", "220104"]
    assert len(match_name("鼓楼区")) == 4
    assert [d.code for d in match_name("南京市鼓楼区")] == ["320106"]
    # within a parent, the name is no longer ambiguous
    assert [d.code for d in match_name("朝阳区", within="220000")] == ["220104"]
    assert [d.code for d in match_name("鼓楼区", within="350100")] == ["350102"]
    # a name inside a longer one is not a name: 河东区 holds 东区 (攀枝花), which is not a candidate
    assert {d.name for d in match_name("河东区")} == {"河东区"}


def test_match_name_uses_the_divisions_of_the_year() -> None:
    assert [d.code for d in match_name("海门市", year=2019)] == ["320684"]
    assert [d.code for d in match_name("海门区", year=2021)] == ["320614"]
    assert [d.code for d in match_name("萝岗区", year=2013)] == ["440116"]
    assert match_name("萝岗区", year=2015) == []


def test_aliases() -> None:
    assert aliases("番禺区") == {"番禺区", "番禺"}
    assert aliases("延边朝鲜族自治州") == {"延边朝鲜族自治州", "延边", "延边州"}
    assert aliases("城区") == {"城区"}  # one character left is no name


def test_cli_looks_up_a_code_and_a_name() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["divisions", "440113", "--jsonl"])
    assert result.exit_code == 0, result.output
    assert '"name": "番禺区"' in result.stdout and '"parent": "440100"' in result.stdout
    result = runner.invoke(app, ["divisions", "朝阳区", "--jsonl"])
    assert result.stdout.count("朝阳区") == 2 and "ambiguous" in result.output
    result = runner.invoke(app, ["divisions", "320684", "--year", "2019", "--jsonl"])
    assert '"until": 2019' in result.stdout
    assert runner.invoke(app, ["divisions", "nowhere"]).exit_code == 2
