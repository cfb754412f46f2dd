"""Which unit a report is from: its own division and level, read from its title and issuer, and its deadline."""

from __future__ import annotations

import pytest

from nianbao.records import Capture
from nianbao.units import Attribution, attribute, in_force, publisher_name
from workers.documents import build_document
from workers.extract import Extracted


@pytest.mark.parametrize(
    ("title", "issuer", "site_division", "site_level", "expected"),
    [
        # A district's own portal: the district's report, the district's department's report.
        ("广州市番禺区人民政府关于2021年度法治政府建设情况的报告", None, "440113", "district", ("440113", "county")),
        ("番禺区司法局2021年法治政府建设年度报告", None, "440113", "district", ("440113", "department")),
        # A city column carrying its districts' reports: each goes to its district.
        ("2021年番禺区法治政府建设年度报告", None, "440100", "city", ("440113", "county")),
        ("广州市番禺区2021年法治政府建设年度报告", None, "440100", "city", ("440113", "county")),
        ("2021年法治政府建设年度报告", "广州市番禺区人民政府", "440100", "city", ("440113", "county")),
        ("广州市2021年法治政府建设年度报告", None, "440100", "city", ("440100", "city")),
        ("广州市司法局2021年法治政府建设年度报告", None, "440100", "city", ("440100", "department")),
        ("2021年法治政府建设年度报告", None, "440100", "city", ("440100", "city")),  # nothing named: the site's
        # A town's report on its county's portal is not the county's.
        ("湘潭县石鼓镇2021年法治政府建设年度报告", None, "430321", "county", ("430321", "township")),
        ("湘潭县易俗河街道办2021年政府信息公开工作年度报告", None, "430321", "county", ("430321", "township")),
        # A department's or a township's own site publishes its own reports, whatever they name.
        ("天津市静海区2021年法治政府建设年度报告", None, "120118", "department", ("120118", "department")),
        ("湘潭县2021年法治政府建设年度报告", None, "430321", "township", ("430321", "township")),
        # The government office's own disclosure report is a department's.
        ("番禺区人民政府办公室2021年政府信息公开工作年度报告", None, "440113", "district", ("440113", "department")),
        # A government's report issued by its general office (or by the department that drafted it) is the
        # government's: only a title makes a report a department's.
        ("2021年政府信息公开工作年度报告", "广州市人民政府办公厅", "440100", "city", ("440100", "city")),
        ("2021年政府信息公开工作年度报告", "广州市番禺区人民政府办公室", "440100", "city", ("440113", "county")),
        ("2021年政府信息公开工作年度报告", "平潭综合实验区管委会办公室", "350128", "county", ("350128", "county")),
        ("2021年法治政府建设年度报告", "广州市司法局", "440100", "city", ("440100", "city")),
        # A county named by its short name inside a department's name is not that county (公安县, 资源县).
        ("荆州市公安局2021年政府信息公开工作年度报告", None, "421000", "city", ("421000", "department")),
        ("桂林市自然资源局2021年政府信息公开工作年度报告", None, "450300", "city", ("450300", "department")),
        # A name outside the site's division is not taken (海珠区 is not under 番禺区).
        ("海珠区2021年法治政府建设年度报告", None, "440113", "district", ("440113", "county")),
        # No level known: the division's own.
        ("关于2021年法治政府建设情况的报告", "", "440100", "", ("440100", "city")),
    ],
)
def test_attribute(title: str, issuer: str | None, site_division: str, site_level: str, expected: tuple) -> None:
    unit = attribute(title, issuer, site_division, site_level, 2021)
    assert (unit.division, unit.level) == expected
    assert unit.note == ""


def test_a_name_that_fits_two_divisions_stays_with_the_site_and_says_so() -> None:
    unit = attribute("鼓楼区2021年政府信息公开工作年度报告", None, "320000", "province", 2021)
    assert unit == Attribution("320000", "province", "ambiguous publisher 鼓楼区: 320106 320302")


def test_a_site_code_out_of_force_is_read_by_name_in_its_province() -> None:
    assert in_force("510132", "成都市新津区人民政府", 2021) == "510118"  # 新津县 → 新津区 in 2020
    assert in_force("510132", "成都市新津区人民政府", 2019) == "510132"
    assert in_force("510132", "某某区人民政府", 2021) == "510132"  # nothing named: left as written
    unit = attribute("成都市新津区教育局2022年政府信息公开工作年度报告", None, "510132", "district", 2022)
    assert unit == Attribution("510118", "department")


def test_publisher_name() -> None:
    assert publisher_name("广州市番禺区司法局2021年法治政府建设年度报告", None) == "广州市番禺区司法局"
    assert publisher_name("2021年度番禺区法治政府建设年度报告", None) == "番禺区"
    assert publisher_name("关于2021年法治政府建设情况的报告", "某县人民政府") == "某县人民政府"


def capture(site: str = "gz") -> Capture:
    return Capture(
        site=site, year=2021, url="http://127.0.0.1/a.html", final_url="http://127.0.0.1/a.html", status=200,
        headers={}, fetched_at="2022-05-01T00:00:00+00:00", sha256="a" * 64, content_type="text/html",
        warc_key="raw/2021/gz/c.warc.gz", warc_offset=0, kind="info_disclosure", guessed_year=2021,
    )  # fmt: skip


def test_the_document_is_judged_against_its_own_units_deadline() -> None:
    """On a city's portal, in February: the city's disclosure report is on time (31 March), its bureau's late
    (31 January), and a district's report is the district's."""

    def report(title: str) -> Extracted:
        return Extracted(
            title=title, text="正文", published="2022-02-15", issuer=None, report_kind="info_disclosure",
            report_year=2021, extractor="trafilatura",
        )  # fmt: skip

    city = build_document(capture(), report("广州市2021年政府信息公开工作年度报告"), "440100", "city")
    bureau = build_document(capture(), report("广州市司法局2021年政府信息公开工作年度报告"), "440100", "city")
    district = build_document(capture(), report("番禺区2021年政府信息公开工作年度报告"), "440100", "city")
    assert (city.division, city.level, city.on_time) == ("440100", "city", True)
    assert (bureau.division, bureau.level, bureau.on_time) == ("440100", "department", False)
    assert (district.division, district.level, district.on_time) == ("440113", "county", True)
    ambiguous = build_document(capture(), report("鼓楼区2021年政府信息公开工作年度报告"), "320000", "province")
    assert ambiguous.division == "320000" and "ambiguous publisher 鼓楼区: 320106 320302" in ambiguous.flags
