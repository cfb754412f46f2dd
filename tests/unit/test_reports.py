import pytest

from nianbao.reports import classify_title, find_year, is_on_time, load_kinds


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
    ],
)
def test_look_alikes_are_not_reports(title: str) -> None:
    assert classify_title(title) == (None, None)


def test_find_year_takes_the_first_plausible_year() -> None:
    assert find_year("2021年以来，石鼓镇坚持……2022年") == 2021
    assert find_year("二〇二〇年工作情况") == 2020
    assert find_year("第1234年") is None


def test_on_time_means_before_the_deadline_of_the_next_year() -> None:
    rule_of_law = load_kinds()["rule_of_law"]
    assert is_on_time(rule_of_law, 2021, "2022-03-31") is True
    assert is_on_time(rule_of_law, 2021, "2022-04-01") is False
    assert is_on_time(rule_of_law, 2021, None) is None
