"""nianbao.dates, the one owner of what a date is: the pattern, ISO days, ROC years, numerals, clocks, URL dates."""

from __future__ import annotations

import pytest

from nianbao import dates
from nianbao.dates import arabic_dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-25", "2022-01-25"),
        ("[2022/1/5]", "2022-01-05"),
        ("2022年1月25日 10:19", "2022-01-25"),
        ("二〇二二年一月二十五日", "2022-01-25"),  # a report's signature in Chinese numerals
        ("２０２１－０３－０５", "2021-03-05"),  # full-width digits
        ("2022-02-30", None),  # templates print impossible days
        ("12022-01-25", None),  # part of a longer number
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert dates.parse_date(text) == expected


def test_roc_years_become_gregorian() -> None:
    assert dates.parse_any_date("110/03/05") == "2021-03-05"
    assert dates.roc_date("中華民國110年3月5日") == "2021-03-05"
    assert dates.gregorian("民國99") == "2010" and dates.gregorian("2021") == "2021"


def test_a_header_clock_is_not_a_date_of_the_page() -> None:
    text = "今天是2024年5月6日 星期一 发布时间：2021-03-05"
    assert dates.find_date(text) == "2021-03-05"  # today's date skipped
    first = dates.DATE.search(text)
    assert first is not None and dates.is_clock(text, first.start(), first.end())
    # A weekday beside a date makes a header clock, not a listing's date: find_date keeps it.
    assert dates.find_date("2022年01月05日 星期三") == "2022-01-05"
    assert dates.is_clock("2022年01月05日 星期三", 0, len("2022年01月05日"))


def test_dates_that_cms_write_into_urls() -> None:
    assert dates.url_date("http://x.gov.cn/fz/202103/t20210305_123.html") == "2021-03-05"
    assert dates.url_date("http://paper.people.com.cn/n1/2021/0305/c1001-123.html") == "2021-03-05"
    assert dates.url_date("http://x.gov.cn/fz/index.html") is None


def test_the_year_of_a_listings_month_day_comes_from_the_article_url() -> None:
    assert dates.year_from_url("/fz/201710/t20171019_1.html", 10, 25) == 2017  # shown 6 days after creation
    assert dates.year_from_url("/fz/201712/t20171230_1.html", 1, 5) == 2018  # shown across the new year
    assert dates.year_from_url("/fz/201710/t20171019_1.html", 1, 2) is None  # "(1/2)" was no date
    assert dates.year_from_url("/fz/201710/index.html", 10, 19) == 2017  # year and month only


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("二〇二二年一月二十五日", "2022年1月25日"),
        ("二○二一年十二月三十一日", "2021年12月31日"),
        ("二〇二二年十月十日印发", "2022年10月10日印发"),
        ("２０２２－０１－２５", "2022-01-25"),
        ("二〇二一年度法治政府建设", "二〇二一年度法治政府建设"),  # a year alone is not a date
    ],
)
def test_dates_in_chinese_numerals_and_fullwidth_digits_read_as_digits(written: str, digits: str) -> None:
    assert arabic_dates(written) == digits
