"""Coverage against the denominator: for one kind and report year, every unit that owes the report, and whether
its report was found, on time or late, or why not.

The units are every government of a division at a level the kind's `due` names (province, city, county: the
GB/T 2260 table of that year, nianbao.divisions) and the departments (and other units below or beside the
divisions) that the registry knows by their own site. A plain function of the registry, the divisions, the
documents (manifest rows) and the crawl outcomes; the flow writes its rows to `coverage/{kind}/{year}.parquet`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nianbao import divisions
from nianbao.normalise import compact
from nianbao.records import SiteRow
from nianbao.reports import LEVEL_ALIASES, Kind
from nianbao.sites import Site
from nianbao.units import in_force, publisher_name

# Taiwan, Hong Kong and Macau have GB/T 2260 codes but none of the mainland's reporting rules.
OUTSIDE = ("71", "81", "82")
GOVERNMENT_LEVELS = ("province", "city", "county")
# Every status a unit can end with, in the order tables show them.
STATUSES = ("on_time", "late", "undated", "missing", "portal_blocked", "not_crawled", "portal_not_found")
COLUMNS = [
    "kind", "year", "division", "name", "level", "province", "parent", "site", "status", "published", "on_time",
    "report_url", "reason",
]  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """One unit that owes the report: a division's government, or a unit the registry knows by its site."""

    division: str
    name: str
    level: str  # province, city, county (a government); department, township, national (a registry site)
    parent: str  # the parent division's code ("" for a province; a department's own government's division)
    sites: tuple[str, ...] = ()  # the registry sites that are this unit's own portal (none: no portal known)

    @property
    def site(self) -> str:
        return self.sites[0] if self.sites else ""


@dataclass(frozen=True)
class Outcome:
    """What the harvest made of one site: crawled (pages fetched), blocked by a challenge, or not crawled."""

    crawled: bool
    blocked: str = ""  # the challenge, "HTTP 412 (Ruishu) at …"
    reason: str = ""  # why not crawled: the error, or no page answered


def site_level(site: Site) -> str:
    return LEVEL_ALIASES.get(site.level, site.level)


def owed_units(kind: Kind, year: int, sites: Iterable[Site], provinces: Iterable[str] | None = None) -> list[Unit]:
    """The units that owe `kind` for `year`, within `provinces` (two-digit codes; default: every province).

    A government's own portal is the registry site of its division at its level (or several: a portal and its
    disclosure platform); a site at another level owes for itself (a department, a township the kind's `due` names).
    """
    sites = list(sites)
    scope = set(provinces) if provinces is not None else None
    own: dict[tuple[str, str], tuple[str, ...]] = {}
    for site in sites:
        key = (in_force(site.division, site.name, year), site_level(site))
        own[key] = (*own.get(key, ()), site.code)
    units = [
        Unit(d.code, d.name, d.level, d.parent, own.get((d.code, d.level), ()))
        for d in divisions.divisions(year)
        if d.level in kind.due and d.code[:2] not in OUTSIDE and (scope is None or d.code[:2] in scope)
    ]
    units += [
        Unit(site.division, site.name, site_level(site), site.division, (site.code,))
        for site in sites
        if site_level(site) in kind.due
        and site_level(site) not in GOVERNMENT_LEVELS
        and (scope is None or site.division[:2] in scope)
    ]
    return units


def _best(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """The report that decides: the earliest published (on time if any is); an undated one last."""
    return min(documents, key=lambda d: (d.get("published") is None, str(d.get("published") or "")))


def unit_of(document: dict[str, Any]) -> tuple[str, str]:
    """The (division, level) a document counts for: its own (Document.division/level, nianbao.units)."""
    division = str(document.get("division") or "")
    level = str(document.get("level") or getattr(divisions.lookup(division), "level", ""))
    return division, LEVEL_ALIASES.get(level, level)


def coverage_rows(
    kind: Kind,
    year: int,
    units: Iterable[Unit],
    documents: Iterable[dict[str, Any]],
    outcomes: dict[str, Outcome],
) -> list[dict[str, Any]]:
    """One row per unit: found reports decide (on time, late, undated); else its portal's fate (missing when
    crawled and nothing found, blocked, not crawled) or no portal at all.

    `documents` are manifest rows of this kind and year (division, level, site, published, on_time, url);
    `outcomes` tell, per site code, what the harvest did with it.
    """
    units = list(units)
    own_unit = {site: unit for unit in units if unit.level in GOVERNMENT_LEVELS for site in unit.sites}
    by_government: dict[tuple[str, str], list[dict[str, Any]]] = {}
    by_site: dict[str, list[dict[str, Any]]] = {}
    by_division: dict[str, list[dict[str, Any]]] = {}  # a department's report is mostly on its government's portal
    for doc in documents:
        division, level = unit_of(doc)
        if divisions.lookup(division, year) is None and (unit := own_unit.get(doc.get("site") or "")):
            division = unit.division if unit.level == level else division  # its site's code changed since
        if level in GOVERNMENT_LEVELS:
            by_government.setdefault((division, level), []).append(doc)
        else:
            by_site.setdefault(doc.get("site") or "", []).append(doc)
            by_division.setdefault(division, []).append(doc)
    rows = []
    for unit in units:
        if unit.level in GOVERNMENT_LEVELS:
            found = by_government.get((unit.division, unit.level), [])
        else:
            # Its reports by its name wherever in its division they were found, else those on its own site.
            found = [
                d
                for d in by_division.get(unit.division, [])
                if unit_of(d)[1] == unit.level
                and _same_unit(publisher_name(d.get("title") or "", d.get("issuer")), unit.name)
            ] or [d for d in by_site.get(unit.site, []) if unit_of(d)[1] == unit.level]
        row: dict[str, Any] = {
            "kind": kind.code,
            "year": year,
            "division": unit.division,
            "name": unit.name,
            "level": unit.level,
            "province": divisions.province_of(unit.division),
            "parent": unit.parent,
            "site": unit.site,
            "published": None,
            "on_time": None,
            "report_url": "",
            "reason": "",
        }
        if found:
            doc = _best(found)
            status = {True: "on_time", False: "late", None: "undated"}[doc.get("on_time")]
            published = str(doc["published"])[:10] if doc.get("published") else None
            row |= {"site": doc.get("site") or unit.site, "status": status, "published": published}
            row |= {"on_time": doc.get("on_time"), "report_url": doc.get("url") or ""}
            if len(found) > 1:
                row["reason"] = f"{len(found)} reports found; the earliest counts"
        else:
            row |= portal_status(kind, year, unit, outcomes)
        rows.append(row)
    return rows


def _same_unit(publisher: str, name: str) -> bool:
    """Whether a document's publisher is the unit so named, within one division: "广州市司法局" is "司法局"."""
    publisher, name = compact(publisher), compact(name)
    shorter, longer = sorted((publisher, name), key=len)
    return len(shorter) >= 2 and longer.endswith(shorter)


def portal_status(kind: Kind, year: int, unit: Unit, outcomes: dict[str, Outcome]) -> dict[str, str]:
    """A unit without a report: missing when one of its sites was crawled, else blocked when one of them met a
    challenge, else not crawled (with the reason), or no portal known at all."""
    if not unit.sites:
        return {"status": "portal_not_found", "reason": "no portal of this unit in the registry"}
    met = [(site, outcomes[site]) for site in unit.sites if site in outcomes]
    if crawled := [site for site, o in met if o.crawled]:
        return {"site": crawled[0], "status": "missing", "reason": f"no {kind.name} for {year} found on its site"}
    if blocked := [(site, o) for site, o in met if o.blocked]:
        return {"site": blocked[0][0], "status": "portal_blocked", "reason": blocked[0][1].blocked}
    if met:
        return {"site": met[0][0], "status": "not_crawled", "reason": met[0][1].reason}
    return {"status": "not_crawled", "reason": "its site was not in this harvest"}


def outcome_of(row: SiteRow) -> Outcome:
    """A harvest's site row (flows.summary.site_row) as an Outcome."""
    if row.blocked:
        return Outcome(crawled=False, blocked=row.blocked)
    if row.error:
        return Outcome(crawled=False, reason=row.error)
    if not row.pages and not row.unchanged:
        detail = f": {row.failures[0].get('reason')}" if row.failures else ""
        return Outcome(crawled=False, reason=f"no page of the portal answered{detail}")
    return Outcome(crawled=True)


def rates(rows: Iterable[dict[str, Any]], by: tuple[str, ...] = ("province", "level")) -> list[dict[str, Any]]:
    """Counts of each status and the rates people quote, grouped (by province and level unless told): published
    = reports found / units; on time = on-time reports / units."""
    groups: dict[tuple[Any, ...], Counter[str]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in by), Counter())[row["status"]] += 1
    table = []
    for key, counts in sorted(groups.items()):
        units = sum(counts.values())
        found = counts["on_time"] + counts["late"] + counts["undated"]
        table.append(
            {
                **dict(zip(by, key, strict=True)),
                "units": units,
                **{status: counts[status] for status in STATUSES},
                "published_rate": round(found / units, 3),
                "on_time_rate": round(counts["on_time"] / units, 3),
            }
        )
    return table
