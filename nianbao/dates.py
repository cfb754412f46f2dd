"""Dates as Chinese pages, documents and URLs write them: the one place a date is read.

Listings (crawler), articles and attachments (workers) and report titles (kinds) all read dates through here:
the date pattern, ISO days, Republic of China years, Chinese-numeral dates, the clocks portals print in their
headers, and the dates CMSs write into URLs. Which date on a page is its publication date is a rule of
extraction (workers/extract/metadata.py); what a date is, is defined here.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

# A Gregorian year, and a year as Taiwan also writes it: "民國110年", "110/03/05" (Republic of China year + 1911).
YEAR = r"(?:19|20)\d{2}"
ROC_ERA = r"(?:中華民國|中华民国|民國|民国)"
ANY_YEAR = rf"(?:{YEAR}|{ROC_ERA}\s*\d{{2,3}}|1[0-4]\d)"
ROC_OFFSET = 1911
# 2022-01-25, 2022/1/25, 2022.01.25, 2022年1月25日, [2022-01-25], 2022-01-25 10:19.
DATE = re.compile(rf"(?<!\d)({YEAR})\s*(?:[-/.]|年)\s*(\d{{1,2}})\s*(?:[-/.]|月)\s*(\d{{1,2}})(?!\d)\s*日?")
# The same with a Republic of China year allowed (labelled dates on Taiwanese pages).
ANY_DATE = re.compile(rf"(?:{ROC_ERA}\s*)?(\d{{2,4}})\s*(?:[-/.]|年)\s*(\d{{1,2}})\s*(?:[-/.]|月)\s*(\d{{1,2}})")
# An unlabelled Taiwanese date: "民國110年3月5日", or a three-digit ROC year ("110年3月5日").
ROC_DATE = re.compile(
    rf"(?:{ROC_ERA}\s*(\d{{2,3}})|(?<![\d\u4e00-\u9fff])(1[0-4]\d))\s*年\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日"
)

# Clocks: portals print today's date in their headers ("今天是2024年5月6日 星期一"); it dates the visit, not a page.
# Words before a date that make it today's, within CLOCK_WINDOW characters.
TODAY_WORDS = re.compile(r"今天|今日|当前时间|现在时间")
# Calendar words beside a date that mark a header clock too ("星期一", "农历"), but not a listing's or byline's date.
CALENDAR_BEFORE = re.compile(r"星期|礼拜|农历|農曆")
CALENDAR_AFTER = re.compile(r"\s*(?:(?:星期|周)[一二三四五六日天]|农历|農曆)")
CLOCK_WINDOW = 8

# Dates Chinese CMSs write into article URLs: TRS ("/202103/t20210305_123.html") and people.com.cn
# ("/n1/2021/0305/c1001-123.html") give the day; any path may give the year and month (/201710/, /art/2017/9/3/).
CMS_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d"),
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/c\d"),
)
URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_-]?(\d{1,2})(?:[/_-]?(\d{1,2})(?!\d))?")
# A listing may show the publication date a few weeks after the date in the article's URL (its creation).
URL_DATE_LAG_DAYS = 60


# Dates as official documents write them: "二〇二二年一月二十五日" (the signature of many reports), and typeset
# titles' full-width "２０２１年". Rewritten in ASCII digits, one date pattern reads them all.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")  # and the date separators
CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}  # fmt: skip
_CN_YEAR_DIGITS = "〇○零ＯO一二三四五六七八九"
_NEEDS_REWRITE = re.compile("[〇○零Ｏ０-９－／．]|二O")
_CN_DATE = re.compile(
    rf"([二一][{_CN_YEAR_DIGITS}]{{3}})(\s*年\s*)(十[一二]?|[一二三四五六七八九])(\s*月\s*)(三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])(?=\s*日)"
)


def _small_number(numerals: str) -> int:
    """1–31 written in Chinese numerals ("十" 10, "十二" 12, "二十五" 25, "三十一" 31)."""
    tens, ten, ones = numerals.partition("十")
    if not ten:
        return CN_DIGITS[numerals]
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[ones] if ones else 0)


def arabic_dates(text: str) -> str:
    """The text with full-width digits and Chinese-numeral dates in ASCII digits.

    "二〇二二年一月二十五日" becomes "2022年1月25日"; a year alone ("二〇二一年度") is left as it is.
    """

    if not _NEEDS_REWRITE.search(text):  # most text: every Chinese year 20xx has a 〇, ○ or O in second place
        return text

    def rewrite(m: re.Match[str]) -> str:
        year = "".join(str(CN_DIGITS[c]) for c in m.group(1))
        return f"{year}{m.group(2)}{_small_number(m.group(3))}{m.group(4)}{_small_number(m.group(5))}"

    return _CN_DATE.sub(rewrite, text.translate(_FULLWIDTH_DIGITS))


def iso_date(year: int | str, month: int | str, day: int | str) -> str | None:
    """YYYY-MM-DD of a real calendar day, else None (templates print "02-30" and "13-01" too)."""
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def gregorian(year: str) -> str:
    """'2021' as it is; a Republic of China year ('110', '民國110') as the Gregorian one ('2021')."""
    digits = re.sub(r"\D", "", year)
    return digits if len(digits) == 4 else str(int(digits) + ROC_OFFSET)


def parse_date(value: str) -> str | None:
    """The first date in a string as YYYY-MM-DD, or None."""
    m = DATE.search(arabic_dates(value))
    return iso_date(m.group(1), m.group(2), m.group(3)) if m else None


def parse_any_date(value: str) -> str | None:
    """The first date in a string, Gregorian or Republic of China, as YYYY-MM-DD."""
    m = ANY_DATE.search(value)
    return iso_date(gregorian(m.group(1)), m.group(2), m.group(3)) if m else None


def is_today(text: str, start: int) -> bool:
    """Whether the date at `start` is introduced as today's ("今天是2022年3月1日", "当前时间：…")."""
    return bool(TODAY_WORDS.search(text[max(0, start - CLOCK_WINDOW) : start]))


def is_clock(text: str, start: int, end: int) -> bool:
    """Whether the date at text[start:end] is a header clock: today's, or printed with its weekday or lunar day."""
    before = text[max(0, start - CLOCK_WINDOW) : start]
    return is_today(text, start) or bool(CALENDAR_BEFORE.search(before) or CALENDAR_AFTER.match(text, end))


def find_date(text: str) -> str | None:
    """The first calendar date in `text` that is not introduced as today's, as YYYY-MM-DD."""
    text = arabic_dates(text)  # "２０２２－０１－２５", "二〇二二年一月二十五日"
    for m in DATE.finditer(text):
        if not is_today(text, m.start()) and (found := iso_date(m.group(1), m.group(2), m.group(3))):
            return found
    return None


def roc_date(text: str) -> str | None:
    """The first unlabelled Taiwanese date ("民國110年3月5日", "110年3月5日") that is not a header clock."""
    for m in ROC_DATE.finditer(text):
        if not is_clock(text, m.start(), m.end()) and (
            found := iso_date(gregorian(m.group(1) or m.group(2)), m.group(3), m.group(4))
        ):
            return found
    return None


def url_date(url: str) -> str | None:
    """The day a Chinese CMS wrote into the article's URL path, in the forms htmldate does not read."""
    path = urlsplit(url).path
    for pattern in CMS_URL_DATES:
        if (m := pattern.search(path)) and (found := iso_date(m.group(1), m.group(2), m.group(3))):
            return found
    return None


def year_from_url(url: str, month: int, day: int) -> int | None:
    """The year of a listing's month-day ("10-19"), from the article URL: its full date (t20171019_…,
    /2017/10/19/), which the month-day follows by at most URL_DATE_LAG_DAYS, else its year and month (/201710/).

    A URL with a full date that the month-day does not follow says the month-day ("(1/2)") was no date.
    """
    dates = [m for m in URL_DATE.finditer(urlsplit(url).path) if 1 <= int(m.group(2)) <= 12]
    created = [d for m in dates if m.group(3) and (d := iso_date(m.group(1), m.group(2), m.group(3)))]
    if created:
        for iso in created:
            start = datetime.date.fromisoformat(iso)
            for year in (start.year, start.year + 1):
                shown = iso_date(year, month, day)
                if shown and 0 <= (datetime.date.fromisoformat(shown) - start).days <= URL_DATE_LAG_DAYS:
                    return year
        return None
    return next((int(m.group(1)) for m in dates if int(m.group(2)) == month), None)
