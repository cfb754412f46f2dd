"""Which unit a report found on a portal is from (who owes reports: nianbao.coverage).

A unit is a government (of a province, city or county: a division) or a department of one. A registry site is
one unit's portal, or a column that carries many units' reports (a city's column with one sub-column per
district): `attribute` reads a document's title and issuer to give it to its own unit, so that coverage counts
each district, and so that its deadline is its own (a department's information-disclosure report is due in
January, its government's in March).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nianbao import divisions
from nianbao.dates import arabic_dates
from nianbao.normalise import compact
from nianbao.reports import LEVEL_ALIASES

# Where the publisher's name ends in a title: at the year, at 关于, or at the kind's own words.
_HEAD_END = re.compile(r"关于|(?:19|20)\d{2}|法治政府|法治建设|依法行政|政府信息公开|信息公开|政务公开|年度报告")
_LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}年度?")
# A department of a government: 司法局, 发展和改革委员会, 卫健委, 政府办公室 (the office's own report), 税务局 …
_DEPARTMENT = re.compile(r"(局|委员会|委|办公室|办公厅|厅|署|办|中心|管委会|管理委员会|院|队|所|站)$")
_GOVERNMENT = re.compile(r"(人民政府|政府)$")
# Below a county: towns, townships, subdistricts; their reports stay in the site's division, as a township's.
_TOWNSHIP = re.compile(r"(镇|乡|街道|街道办|办事处|苏木)(人民政府)?$")


@dataclass(frozen=True)
class Attribution:
    """The unit a document is from: its division, its level (a registry level), and why, when it is not plain."""

    division: str
    level: str
    note: str = ""  # "ambiguous publisher 朝阳区: 110105 220104", kept in the document's flags


def publisher_name(title: str, issuer: str | None) -> str:
    """The publisher as a title names it ("广州市番禺区司法局2021年…报告" → 广州市番禺区司法局), else the issuer."""
    text = _LEADING_YEAR.sub("", compact(arabic_dates(title)))
    head = _HEAD_END.split(text, maxsplit=1)[0]
    return head or compact(issuer or "")


def in_force(division: str, name: str, year: int | None) -> str:
    """The division a registry entry stands for in `year`: its code while in force, else the one division its name
    names within its province (a code changed since the entry was written: 新津县 510132 became 新津区 510118)."""
    if divisions.lookup(division, year) or not name:
        return division
    found = divisions.match_name(name, within=division[:2], year=year)
    return found[0].code if len(found) == 1 else division


def attribute(title: str, issuer: str | None, division: str, level: str, year: int | None = None) -> Attribution:
    """Give a document found on a site of `division` at `level` to its own unit.

    Only a government site's documents move: a department's or a township's site publishes its own. A document
    whose publisher names one division under the site's is that division's (its department's when the name ends
    as a department does); a name that fits several stays with the site and says so.
    """
    level = LEVEL_ALIASES.get(level, level) or getattr(divisions.lookup(division, year), "level", "")
    name = publisher_name(title, issuer)
    if level in ("department", "township", "national") or not name:
        return Attribution(division, level)
    if _TOWNSHIP.search(name):
        return Attribution(division, "township")  # a town's report on its county's portal: not the county's
    is_department = bool(_DEPARTMENT.search(name)) and not _GOVERNMENT.search(name)
    # A site's code out of force that year: the name is looked for in its province (新津区 on 新津县's 510132).
    found = divisions.match_name(name, within=division if divisions.lookup(division, year) else division[:2], year=year)
    if len(found) > 1:
        codes = " ".join(d.code for d in found)
        return Attribution(division, "department" if is_department else level, f"ambiguous publisher {name}: {codes}")
    unit = found[0] if found else None
    if is_department:
        return Attribution(unit.code if unit else division, "department")
    if unit is None:
        return Attribution(division, level)
    return Attribution(unit.code, unit.level)
