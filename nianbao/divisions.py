"""GB/T 2260 administrative divisions: the governments that owe reports, and the names they go by.

The table (`divisions.tsv`, built by tools/build_divisions.py from a maintained public source, see its header)
holds every province, prefecture-level ("city") and county-level ("county") division with the years each row was
in force, so that a harvest of an old report year counts the governments of that year: 海门市 (320684) until
2019, 海门区 (320614) from 2020. `year=None` means the table in force today.

Portals and reports name their governments in many ways ("广州市番禺区人民政府", "番禺区", "番禺政府网"):
`match_name` returns every division such a name can mean; more than one is an ambiguity the caller records.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Level = Literal["province", "city", "county"]

PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip

# What a portal or a document adds to a government's name: "…人民政府门户网站", "…政府网".
_GOVERNMENT_SUFFIX = re.compile(r"(人民政府|政府)?(门户)?(网站|网|官网)?$")
# A division's name is a short name ("番禺", "延边": how people shorten it) and a generic part. Ethnic names
# before 自治州/自治县/自治旗 go too ("延边朝鲜族自治州" → 延边); a short name needs two characters.
_SHORT = re.compile(
    r"^(.{2,}?)(?:(?:[\u4e00-\u9fff]{1,5}?族|维吾尔)*自治[区州县旗]|特别行政区|林区|地区|新区|特区|[省市区县盟旗])$"
)


@dataclass(frozen=True)
class Division:
    """One division as it was in a given year. `parent` is "" for a province."""

    code: str
    name: str
    level: Level
    parent: str
    since: int | None = None  # first year in force; None: before the table's first year
    until: int | None = None  # last year in force; None: still in force

    def in_force(self, year: int | None) -> bool:
        if year is None:
            return self.until is None
        return (self.since is None or self.since <= year) and (self.until is None or self.until >= year)


def aliases(name: str) -> set[str]:
    """The names a division goes by: its own, the short one ("番禺区" → 番禺) when two characters or more are
    left, and for autonomous ones the short name with the kind of unit ("延边朝鲜族自治州" → 延边, 延边州)."""
    if not (m := _SHORT.match(name)):
        return {name}
    short = m.group(1)
    found = {name, short}
    if m := re.search(r"自治([州县旗])$", name):
        found.add(short + m.group(1))
    return found


@cache
def _rows() -> tuple[Division, ...]:
    text = resources.files("nianbao").joinpath("divisions.tsv").read_text("utf-8")
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    return tuple(
        Division(
            code=r["code"],
            name=r["name"],
            level=r["level"],  # type: ignore[arg-type]
            parent=r["parent"],
            since=int(r["since"]) if r["since"] else None,
            until=int(r["until"]) if r["until"] else None,
        )
        for r in csv.DictReader(lines, delimiter="\t")
    )


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, Division]
    by_parent: dict[str, list[Division]]
    by_name: dict[str, list[Division]]  # full and short names
    longest: int


@cache
def _table(year: int | None) -> _Table:
    by_code: dict[str, Division] = {}
    by_parent: dict[str, list[Division]] = {}
    by_name: dict[str, list[Division]] = {}
    for d in _rows():
        if not d.in_force(year):
            continue
        by_code[d.code] = d
        by_parent.setdefault(d.parent, []).append(d)
        for name in aliases(d.name):
            by_name.setdefault(name, []).append(d)
    return _Table(by_code, by_parent, by_name, max(map(len, by_name)))


def normalise_code(code: str) -> str:
    """Six digits: "44" → "440000", "4401" → "440100", "440113000000" → "440113"."""
    code = code.strip()
    return code[:6] if len(code) >= 6 else code.ljust(6, "0")


def lookup(code: str, year: int | None = None) -> Division | None:
    """The division with this code in force in `year` (today when None), or None."""
    return _table(year).by_code.get(normalise_code(code))


def children(code: str, year: int | None = None) -> list[Division]:
    """The divisions directly under `code` in `year`: a province's cities and the counties it governs directly
    (a municipality's districts, 省直辖县级市), a city's counties. An empty code lists the provinces."""
    return list(_table(year).by_parent.get(normalise_code(code) if code else "", []))


def divisions(year: int | None = None) -> list[Division]:
    """Every division in force in `year`, in code order."""
    return sorted(_table(year).by_code.values(), key=lambda d: d.code)


def ancestors(division: Division, year: int | None = None) -> list[Division]:
    """The division's city (if any) and province, nearest first."""
    found = []
    table = _table(year)
    while division.parent and (parent := table.by_code.get(division.parent)):
        found.append(parent)
        division = parent
    return found


def is_within(division: Division, code: str, year: int | None = None) -> bool:
    """Whether the division is `code` or lies under it."""
    code = normalise_code(code)
    return division.code == code or any(a.code == code for a in ancestors(division, year))


def match_name(name: str, within: str | None = None, year: int | None = None) -> list[Division]:
    """Every division a government's name can mean, the most specific first.

    The name is searched for division names, full ("番禺区") or short ("番禺"); a name found inside a longer one
    found at the same place is dropped (河东区 holds 东区), and so is a division whose descendant is named too
    (广州市番禺区: 番禺区, not 广州市). Of the rest, those whose parents the name also names win (长春市朝阳区:
    the one in 长春). `within` keeps the divisions under that code. More than one result: the name is ambiguous.
    """
    table = _table(year)
    text = _GOVERNMENT_SUFFIX.sub("", re.sub(r"\s+", "", name))
    spans: list[tuple[int, int, Division]] = []
    for i in range(len(text)):
        for j in range(i + 2, min(len(text), i + table.longest) + 1):
            spans.extend((i, j, d) for d in table.by_name.get(text[i:j], ()))
    # A name inside a longer name at the same place is not a name ("东区" in "河东区").
    spans = [s for s in spans if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0] for o in spans)]
    found = {d.code: d for _, _, d in spans}
    if within:
        found = {c: d for c, d in found.items() if is_within(d, within, year)}
    # A division whose descendant is named too is that descendant's ancestor, not a candidate.
    named_ancestors = {a.code for d in found.values() for a in ancestors(d, year) if a.code in found}
    candidates = [d for c, d in found.items() if c not in named_ancestors]

    def support(d: Division) -> int:  # how many of its ancestors the name names
        return sum(a.code in found for a in ancestors(d, year))

    best = max(map(support, candidates), default=0)
    order = {"county": 0, "city": 1, "province": 2}
    return sorted((d for d in candidates if support(d) == best), key=lambda d: (order[d.level], d.code))


def province_of(division: str) -> str:
    """The province of a six-digit division code ("440113" → 广东省); the code itself when unknown."""
    return PROVINCES.get(division[:2], division)
