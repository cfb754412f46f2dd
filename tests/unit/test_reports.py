from pathlib import Path

import pytest

from nianbao.reports import (
    KindsError,
    classify_title,
    deadline,
    find_year,
    is_on_time,
    load_kinds,
    publication_season,
)


@pytest.mark.parametrize(
    ("title", "kind", "year"),
    [
        ("常平镇2021年法治政府建设年度报告", "rule_of_law", 2021),
        ("广州市番禺区人民政府关于2021年度法治政府建设情况的报告", "rule_of_law", 2021),
        ("2021年法治政府建设工作报告", "rule_of_law", 2021),
        ("桑柘镇2021年度法治政府建设报告", "rule_of_law", 2021),
        ("二〇二一年法治政府建设年度报告", "rule_of_law", 2021),
        ("某区2022年政府信息公开工作年度报告", "info_disclosure", 2022),
        ("法治政府建设年度报告", "rule_of_law", None),
        # Variants real portals use: long words between, "…的报告", departments' "法治建设", the year mid-title.
        ("某市人民政府关于2020年法治政府建设工作情况和2021年工作安排的报告", "rule_of_law", 2020),
        ("某县人民政府关于2021年度依法行政工作情况的报告", "rule_of_law", 2021),
        ("某市司法局2021年法治建设工作报告", "rule_of_law", 2021),
        ("某市财政局关于2021年度法治建设工作情况的报告", "rule_of_law", 2021),
        ("某市2021年推进依法行政建设法治政府工作情况报告", "rule_of_law", 2021),
        ("2021年度政府信息公开工作报告", "info_disclosure", 2021),
        ("某市政府信息公开工作2021年度报告", "info_disclosure", 2021),
        ("中国证监会2025年法治政府建设情况", "rule_of_law", 2025),
        ("某市人民政府关于2021年法治政府建设工作情况和2022年工作计划的报告", "rule_of_law", 2021),
        ('某市2021年法治政府建设工作情况报告（含行政执法"三项制度"）', "rule_of_law", 2021),
        ("某县2021年度法治政府建设和述法工作情况报告", "rule_of_law", 2021),
        ("某县2021年度法治政府建设情况报告（附整改情况）", "rule_of_law", 2021),
        (
            "某县关于2021年度法治政府建设工作情况及党政主要负责人履行推进法治建设第一责任人职责情况的报告",
            "rule_of_law",
            2021,
        ),
        ("某县2021年法治政府建设情况【全文】", "rule_of_law", 2021),
        ("政府信息公开工作２０２１年度报告", "info_disclosure", 2021),
        ("关于2021年度政府信息公开工作情况的报告", "info_disclosure", 2021),
        ("某市中小企业服务局2021年政府信息公开工作年度报告", "info_disclosure", 2021),  # 企业 in an office's name
        ("某局2021年度法治政府建设工作情况（全文）", "rule_of_law", 2021),
        ("某镇人民政府2021年度政府信息公开年报", "info_disclosure", 2021),
        ("政府信息公开工作年度报告（2021年）", "info_disclosure", 2021),
        # Real titles from portals (sweep of public listings).
        ("重庆市渝中区规划和自然资源局2025年法治政府建设工作年度报告", "rule_of_law", 2025),  # 规划 in a name
        ("政府信息公开年度工作报告", "info_disclosure", None),
        ("信息公开年报", "info_disclosure", None),
        ("2014奋发镇政府信息公开工作年度报告", "info_disclosure", 2014),  # a year without 年
        ("清水县人民政府关于清水县2023年度法治政府建设工作总结的报告", "rule_of_law", 2023),
        ("街道2022年度依法行政法治政府建设工作报告", "rule_of_law", 2022),
        ("2021年度沙塘镇人民政府信息公开年度报告", "info_disclosure", 2021),
        ("區科技局2020年信息公開工作年度報告", "info_disclosure", 2020),
        ("曾都区卫生健康局2022年度政府信息公开工作报告", "info_disclosure", 2022),
        ("政府政务公开年报", "info_disclosure", None),
        # A note in brackets after the title is the report's; a department's name may follow it.
        (
            "XX县人民政府关于2021年度法治政府建设情况的报告（经2022年2月18日县政府第5次常务会议审议通过）",
            "rule_of_law",
            2021,
        ),
        ("市人民政府关于2021年度法治政府建设工作情况的报告（提请市人大常委会审议）", "rule_of_law", 2021),
        ("XX市2021年度政府信息公开年度报告(通报版)", "info_disclosure", 2021),
        ("2021年度政府信息公开工作年度报告 审计局", "info_disclosure", 2021),
        # Departments named after planning; a report combined with a plan's.
        ("XX市规划国土局2020年法治政府建设工作报告", "rule_of_law", 2020),
        ("XX县住房和城乡规划建设局2021年度法治政府建设工作情况报告", "rule_of_law", 2021),
        ("XX县人民政府关于2022年度法治政府建设工作情况暨“八五”普法规划实施情况的报告", "rule_of_law", 2022),
        ("XX县人民政府政府信息公开工作年度报告 政办发2022第3号", "info_disclosure", None),  # a document number
        ("某县人民政府关于2021年政府信息公开工作的年度报告", "info_disclosure", 2021),
        ("宿州市人民政府2019年政府信息公开工作年度报告（图片版）", "info_disclosure", 2019),
        ("云南省人民政府关于 2018 年度法治政府建设情况的报告", "rule_of_law", 2018),
        # Real titles from a second sweep of portals: party and government together, 推进…情况, no year, Traditional.
        ("中共宣州区新田镇委员会 宣州区新田镇人民政府关于2021年度法治政府建设情况的报告", "rule_of_law", 2021),
        ("中共淮北市烈山区委烈山区人民政府关于2024年法治政府建设情况的报告", "rule_of_law", 2024),
        ("武汉市人民政府关于2022年度推进法治政府建设情况的报告", "rule_of_law", 2022),
        ("重庆市长寿区司法局2022年度法治政府建设年度报告", "rule_of_law", 2022),
        ("法治政府建设情况年度报告", "rule_of_law", None),
        ("驼峰路街道办事处政府信息公开工作年度报告", "info_disclosure", None),
        ("蜀山區教育體育局2022年政府信息公開工作年度報告", "info_disclosure", 2022),
        ("亳州市教育2022政府信息公开工作年度报告", "info_disclosure", 2022),
    ],
)
def test_reports_are_classified_with_their_year(title: str, kind: str, year: int | None) -> None:
    assert classify_title(title) == (kind, year)


@pytest.mark.parametrize(
    "title",
    [
        "2022年法治政府建设工作要点",
        "法治政府建设工作指引",
        "《2021年法治政府建设年度报告》政策解读",
        "关于报送2021年法治政府建设年度报告的通知",
        "XX镇20XX年法治政府建设年度报告（模板）",
        "关于开展2021年度安全生产检查的报告",
        "图解：某市2021年法治政府建设年度报告",
        "一图读懂某区2021年度政府信息公开工作年度报告",
        "某市法治政府建设第三方评估报告",
        "2021年度党政主要负责人履行推进法治建设第一责任人职责情况报告",  # 述法: another report
        "2021年度党政主要负责人履行推进法治政府建设第一责任人职责情况报告",
        "关于法治政府建设督察反馈问题整改情况的报告",
        "某公司2021年度环境信息公开报告",
        "某大学2021-2022学年信息公开工作年度报告",
        "某市法治政府建设年度报告制度",
        # Other bodies, meetings, other reports on the same subject, column names.
        "某某集团有限责任公司2021年度法治建设工作报告",
        "某某大学2021年度法治建设工作报告",
        "某某市中级人民法院2021年度法治建设情况的报告",
        "县委书记听取法治建设工作报告",
        "市政府举办建设法治政府专题报告会",
        "某县法治政府建设实施纲要贯彻落实情况中期评估报告",
        "某县关于法治政府建设领域突出问题专项整治工作情况报告",
        "关于法治政府建设和依法行政工作开展情况的专项视察报告",
        "法治政府建设情况",
        "某某县人民法院2021年司法信息公开工作报告",
        "某某村2021年村务信息公开报告",
        "某某县2021年度依申请信息公开报告",
        "某省政府信息公开工作年度报告第三方评估报告",
        "某县政府信息公开指南",
        "某市政府信息公开工作年度报告编制办法",
        "关于报送2021年政府信息公开工作年度报告的通知",
        "某市2021年法治政府建设情况通报",
        "关于2021年法治政府建设情况的说明材料",
        # Real titles about the reports rather than reports: their rules, review, circulars, meetings, surveys.
        "淮北市法治政府建设年度报告制定和公开工作办法",
        "宁津县组织召开法治政府建设年度报告评议会",
        "2020年法治政府建设情况报告评议评分表",
        "关于2021年度法治政府建设年度报告公开情况的通报",
        "法治政府建设调查报告",
        "某区法治政府建设规划（2021-2025年）",
        "舟曲县人民政府办公室关于做好2021年政府信息公开工作年度报告编发工作的通知",
        "中华人民共和国政府信息公开工作年度报告格式",
        "中国法治政府评估报告(2013)",
        "2022年行政审判年度报告",
        "XX市2022年上半年政府信息公开工作情况报告",
        "2021年第三季度政府信息公开工作情况报告",
        "XX县社会组织信息公开年报（2021年度）",
        "XX县2021年政务公开工作年报表",
        "政府信息公开年报填报说明",
        "XX市2021年度法治政府建设年度报告公开情况汇总表",
        "2021年度法治政府建设年度报告专项检查情况",
        "XX县2021年度法治政府建设年度报告点评",
        "XX市政府常务会议审议通过2021年法治政府建设年度报告",
        "某市2021年度政府信息公开工作年度报告社会评议结果",
        "关于报送2021年度法治政府建设年度报告的函",
        "国务院办公厅政府信息与政务公开办公室关于政府信息公开年度报告有关项目填报问题的解释",
        # Second sweep: news of a report's release, a review of five years, plans, statistics of enforcement.
        "司法部发布2023年法治政府建设年度报告",
        "2023年区五年法治政府建设工作情况报告",
        "《中国法治政府评估报告(2023)》发布-新华网",
        "西平县人民政府办公室关于印发西平县2020年度法治政府建设工作安排的通知",
        "杭州市公安局西湖风景名胜区分局2022年度行政执法统计年报",
        "法治政府建设报告制度实证研究",
        "2021年上半年法治政府建设工作情况报告(乡镇版)",
    ],
)
def test_look_alikes_are_not_reports(title: str) -> None:
    assert classify_title(title) == (None, None)


def test_find_year_takes_the_first_plausible_year() -> None:
    assert find_year("2021年以来，石鼓镇坚持……2022年") == 2021
    assert find_year("二〇二〇年工作情况") == 2020
    assert find_year("第1234年") is None
    assert find_year("法治政府建设年度报告（2021）") == 2021
    assert find_year("２０２１年度法治政府建设年度报告") == 2021
    assert find_year("某政办发（2022）5号 法治政府建设年度报告（2021）") == 2021  # not the document number's year
    assert find_year("某政办发（2022）5号") is None


@pytest.mark.parametrize(
    ("kind", "level", "last_day"),
    [
        # 督察工作规定 art. 24: county level and above and their departments, before 1 April; townships owe none.
        ("rule_of_law", "province", "2022-03-31"),
        ("rule_of_law", "city", "2022-03-31"),
        ("rule_of_law", "county", "2022-03-31"),
        ("rule_of_law", "district", "2022-03-31"),  # the registry's district is a county-level unit
        ("rule_of_law", "department", "2022-03-31"),
        ("rule_of_law", "national", "2022-03-31"),
        ("rule_of_law", "township", None),
        # 政府信息公开条例 art. 49: departments by 31 January, governments by 31 March.
        ("info_disclosure", "department", "2022-01-31"),
        ("info_disclosure", "national", "2022-01-31"),
        ("info_disclosure", "province", "2022-03-31"),
        ("info_disclosure", "city", "2022-03-31"),
        ("info_disclosure", "county", "2022-03-31"),
        ("info_disclosure", "township", "2022-03-31"),
    ],
)
def test_deadline_by_kind_and_level(kind: str, level: str, last_day: str | None) -> None:
    rules = load_kinds()[kind]
    assert deadline(rules, level, 2021) == last_day
    if last_day:
        assert is_on_time(rules, level, 2021, last_day) is True
        assert is_on_time(rules, level, 2021, last_day[:8] + str(int(last_day[8:]) + 1)) is False
        assert is_on_time(rules, level, 2021, "2022-01-05 10:00") is True
        assert is_on_time(rules, level, 2021, None) is None
        assert is_on_time(rules, level, None, "2022-01-05") is None
    else:
        assert is_on_time(rules, level, 2021, "2022-01-05") is None


def test_the_publication_season_ends_two_months_after_the_deadline_of_the_level() -> None:
    kinds = load_kinds()
    assert publication_season(kinds["info_disclosure"], "county", 2021) == ("2021-12-01", "2022-05-31")
    assert publication_season(kinds["info_disclosure"], "department", 2021) == ("2021-12-01", "2022-04-02")
    # A level that owes none still publishes some, in the season of the kind's latest deadline.
    assert publication_season(kinds["rule_of_law"], "township", 2021) == ("2021-12-01", "2022-05-31")


def test_a_departments_disclosure_report_in_february_is_late_its_governments_is_not() -> None:
    rules = load_kinds()["info_disclosure"]
    assert is_on_time(rules, "department", 2021, "2022-02-15") is False
    assert is_on_time(rules, "county", 2021, "2022-02-15") is True


KIND = """
rule_of_law:
  name: 法治政府建设年度报告
  title_patterns:
    - 法治政府建设.{0,12}报告
"""


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("", "kind 'rule_of_law': due: missing"),
        ("  due: 03-31\n", "kind 'rule_of_law': due: expected a mapping"),
        ("  due: {county: '03-31', prefecture: '03-31'}\n", "due.prefecture: unknown level"),
        ("  due: {county: '04-31'}\n", "due.county: '04-31' is not a month-day"),
        ("  due: {county: 331}\n", "due.county: 331 is not a month-day"),
    ],
)
def test_a_bad_kinds_file_names_the_kind_and_the_field(tmp_path: Path, due: str, message: str) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text(KIND + due, encoding="utf-8")
    with pytest.raises(KindsError, match=message.replace("(", r"\(")) as error:
        load_kinds(str(path))
    assert str(path) in str(error.value)


def test_a_bad_pattern_names_its_field(tmp_path: Path) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text(KIND.replace("报告", "报告(") + "  due: {county: '03-31'}\n", encoding="utf-8")
    with pytest.raises(KindsError, match="kind 'rule_of_law': title_patterns:"):
        load_kinds(str(path))
