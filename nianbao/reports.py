"""Which titles are annual reports, of which kind and which year.

One small module shared by the crawler (classifying links) and the workers (metadata), so both stages agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from nianbao.dates import CN_DIGITS, arabic_dates
from nianbao.normalise import compact, strip_pinyin, to_simplified

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([二一][〇○零ＯO一二三四五六七八九]{3})年")
# "年度报告（2021）", only when no year is written with 年: "〔2022〕3号" and "（2022）5号" are document numbers.
_BRACKETED_YEAR = re.compile(r"[(（【]((?:19|20)\d{2})[)）】](?!\s*第?\d+号)")
# A title's year written without 年 or brackets: "2014奋发镇政府信息公开工作年度报告". Only between Chinese
# characters (or at the start), so that dates, numbers and "2021-2022" ranges do not count.
_BARE_YEAR = re.compile(
    r"(?:^|(?<=[\u4e00-\u9fff]))((?:19|20)\d{2})(?=[\u4e00-\u9fff])(?![年号期届第条件项个次份余多万])"  # not counts
)
# Plausible report years: the first reports under the 2015 and 2008 rules up to "next year".
MIN_YEAR, MAX_YEAR = 2000, 2100
# Who publishes a report: the government of a division at one of its levels, a township, a department of a
# government (and the State Council's departments, "national"). A registry's "district" is a county-level unit.
LEVELS = ("national", "province", "city", "county", "township", "department")
LEVEL_ALIASES = {"district": "county"}
# The publication season of a report year (`publication_season`): reports on a year appear from its December on
# (the earliest publishers write them at the year's end), and until some weeks after the deadline, as late ones are
# chased by the supervising offices' checks. Late reports keep appearing after that, but rarely.
SEASON_OPENS = "12-01"  # MM-DD of the report year
LATE_DAYS = 61  # the season ends two months after the deadline


@dataclass(frozen=True)
class Kind:
    code: str
    name: str
    title_patterns: tuple[re.Pattern[str], ...]
    negatives: tuple[re.Pattern[str], ...]
    due: dict[str, str]  # level → the last day on time ("03-31") in the year after the report year; absent: not owed


class KindsError(ValueError):
    """A kinds file that does not validate; the message names the kind and the field."""


def _due(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        raise KindsError("due: expected a mapping of level → last day on time (MM-DD)")
    due = {}
    for level, day in raw.items():
        if level not in LEVELS:
            raise KindsError(f"due.{level}: unknown level; one of {', '.join(LEVELS)}")
        try:
            date.fromisoformat(f"2000-{day}")  # a leap year: 02-29 is a day
        except (TypeError, ValueError):
            raise KindsError(f"due.{level}: {day!r} is not a month-day (MM-DD)") from None
        due[level] = day
    return due


def _kind(code: str, raw: Any) -> Kind:
    if not isinstance(raw, dict):
        raise KindsError("expected a mapping of fields")
    for field in ("name", "title_patterns", "due"):
        if field not in raw:
            raise KindsError(f"{field}: missing")
    patterns = []
    for field in ("title_patterns", "negatives"):
        try:
            patterns.append(tuple(re.compile(p) for p in raw.get(field) or ()))
        except (TypeError, re.error) as e:
            raise KindsError(f"{field}: {e}") from e
    return Kind(code=code, name=raw["name"], title_patterns=patterns[0], negatives=patterns[1], due=_due(raw["due"]))


@cache
def load_kinds(path: str | None = None) -> dict[str, Kind]:
    """Load the kinds configuration (the packaged `kinds.yaml` unless a path is given)."""
    if path:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    else:
        raw = yaml.safe_load(resources.files("nianbao").joinpath("kinds.yaml").read_text("utf-8"))
    if not isinstance(raw, dict) or not raw:
        raise KindsError(f"kinds file {path or 'kinds.yaml'}: expected a mapping of kind code → rules")
    kinds = {}
    for code, rules in raw.items():
        try:
            kinds[code] = _kind(code, rules)
        except KindsError as e:
            raise KindsError(f"kinds file {path or 'kinds.yaml'}: kind {code!r}: {e}") from e
    return kinds


def find_year(text: str) -> int | None:
    """The first year written as "2021年" or "二〇二一年" in `text`, else one in brackets ("（2021）"), else None."""
    text = arabic_dates(text)
    candidates = []
    if m := _YEAR.search(text):
        candidates.append((m.start(), int(m.group(1))))
    if m := _CN_YEAR.search(text):
        candidates.append((m.start(), int("".join(str(CN_DIGITS[c]) for c in m.group(1)))))
    if m := _BRACKETED_YEAR.search(text):
        candidates.append((len(text) + m.start(), int(m.group(1))))  # after any year written with 年
    years = [y for _, y in sorted(candidates) if MIN_YEAR <= y <= MAX_YEAR]
    return years[0] if years else None


def title_year(title: str) -> int | None:
    """A title's year: as `find_year` reads it, else written bare before Chinese words ("2014奋发镇…年度报告").

    Only for titles: in a sentence a bare number is a count ("主动公开2013条") as often as a year.
    """
    if (year := find_year(title)) is not None:
        return year
    m = _BARE_YEAR.search(arabic_dates(compact(title)))
    return int(m.group(1)) if m and MIN_YEAR <= int(m.group(1)) <= MAX_YEAR else None


def classify_title(title: str, kinds: dict[str, Kind] | None = None) -> tuple[str | None, int | None]:
    """Return (kind code, report year named in the title) for a report title, or (None, None).

    The year is the one the title names ("2021年度"); a title without one gets None and the caller falls back on
    the opening sentence or the publication year minus one.
    """
    # Titles from /gate/big5/ copies and converters come Traditional, some with pinyin: "石鼓鎮(zhèn)".
    text = arabic_dates(to_simplified(strip_pinyin(compact(title))[0]))
    for kind in (kinds or load_kinds()).values():
        if any(neg.search(text) for neg in kind.negatives):
            continue
        if any(p.search(text) for p in kind.title_patterns):
            return kind.code, title_year(text)
    return None, None


def deadline(kind: Kind, level: str, report_year: int) -> str | None:
    """The last day (ISO) a report of `kind` on `report_year` by a publisher at `level` is on time; None when
    that level owes no report of this kind (a township's rule-of-law report)."""
    day = kind.due.get(LEVEL_ALIASES.get(level, level))
    return f"{report_year + 1}-{day}" if day else None


def publication_season(kind: Kind, level: str, report_year: int) -> tuple[str, str]:
    """The first and last day (ISO) of the season in which reports of `kind` on `report_year` by a publisher at
    `level` appear: SEASON_OPENS of the report year to LATE_DAYS after its deadline.

    A level that owes no report of the kind (a township's rule-of-law report) still publishes some: in the season
    of the kind's latest deadline.
    """
    last = deadline(kind, level, report_year) or max(f"{report_year + 1}-{day}" for day in kind.due.values())
    closes = date.fromisoformat(last) + timedelta(days=LATE_DAYS)
    return f"{report_year}-{SEASON_OPENS}", closes.isoformat()


def is_on_time(kind: Kind, level: str, report_year: int | None, published: str | None) -> bool | None:
    """Whether a report was published by its deadline (kind × level); None when undated or owed by no deadline.

    The one definition of "on time": the Document's `on_time` and the coverage table both come from here.
    """
    if report_year is None or not published or not (last := deadline(kind, level, report_year)):
        return None
    return published[:10] <= last
