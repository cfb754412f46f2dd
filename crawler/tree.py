"""The tree of government portals a discovery crawl builds, and every decision taken on the way, with its reason.

Plain state and plain functions, no Scrapy and no I/O: the spider (`crawler.discover`) hands it what each page said
(`crawler.portals`) and asks which links to fetch; tests hand it the same facts directly.

- Before a fetch, a block link is judged by the page rules (a ministry, a news site …) and by scope: a name that
  only means divisions outside the province being discovered is another province's portal, a portal found already
  is not fetched again (loops and cross-links), and the bounds (depth, portals, links per page) hold.
- After a fetch, the portal is placed: its division from its 网站标识码 (the code's first six digits) or, without
  one, from its name matched against the divisions table within the division of the portal that linked it; a
  ministry's code (`bm…`) or another province's puts it outside the tree; a code that contradicts the division of
  the portal linking it gives way to a name that agrees with it; a name that several divisions share and the
  parent does not decide leaves the portal out. Level from its name and division; parent by division (the
  government portal of the division above, or of its own division for a department or a town), not by which page
  happened to link it first.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from crawler.portals import PortalLink, SiteCode
from nianbao import divisions
from nianbao.divisions import Division

# A government's own portal, not one of its departments'.
GOVERNMENT_NAME = re.compile(r"人民政府|政府门户|政府网$|政府网站$|^[\u4e00-\u9fff]{2,12}[省市县区旗盟州]政府$")
TOWNSHIP_NAME = re.compile(r"(街道|镇|乡|苏木)(办事处|人民政府|政府)?(门户)?(网站)?$")
# Links to ministries and non-government sites are recorded one by one up to this many per portal, then counted.
DECISIONS_PER_PAGE = 100
_GOVERNMENT = re.compile(r"(人民政府|政府)$")
_SITE_SUFFIX = re.compile(r"(门户)?(网站|网|官网)$")


@dataclass
class Candidate:
    """A portal link to fetch: where it was found, how deep, under which province's discovery."""

    url: str
    text: str
    source: str | None  # the portal URL that linked it; None for a registry seed
    depth: int
    province: str  # two-digit code of the province being discovered


@dataclass
class Portal:
    """A portal found: what it says of itself and where it was placed."""

    url: str
    name: str
    site_code: str | None
    code_source: str | None
    division: str | None
    level: str | None
    parent: str | None  # URL of the parent portal
    source: str | None  # URL of the portal that linked it first
    depth: int
    status: str = "ok"  # ok | unreachable
    division_from: str = ""  # code | name | registry
    columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Decision:
    """Something discovery did not take as it came: the URL, what was decided, and why."""

    url: str
    decision: str  # outside | not_government | ambiguous | contradiction | bound | unreachable | …
    reason: str
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def portal_key(url: str) -> str:
    """One portal per host and first path segment when it has one (`sfj.cq.gov.cn/cqsjyglj/` is another site)."""
    parts = urlsplit(url)
    path = parts.path if re.search(r"/[^/.]+/$", parts.path) else "/"
    return f"{(parts.hostname or '').lower()}:{parts.port or ''}{path}"


def clean_name(name: str) -> str:
    """A portal's name without 门户网站/网站/官网: "广东省人民政府门户网站" → "广东省人民政府"."""
    return _SITE_SUFFIX.sub("", name.strip()) or name.strip()


def level_of(name: str, division: Division) -> str:
    """The registry level of a portal named `name` in `division`."""
    name = clean_name(name)
    if TOWNSHIP_NAME.search(name) and division.level == "county" and name not in divisions.aliases(division.name):
        return "township"
    if not GOVERNMENT_NAME.search(name) and name not in divisions.aliases(division.name):  # "贾汪区" as linked
        return "department"
    if division.level == "county":
        return "district" if division.name.endswith("区") else "county"
    return division.level


class Discovery:
    """The state of one discovery run: the portals found, those queued, and the decisions."""

    def __init__(self, *, max_depth: int = 4, max_portals: int = 5000, links_per_page: int = 500) -> None:
        self.max_depth = max_depth
        self.max_portals = max_portals
        self.links_per_page = links_per_page
        self.portals: dict[str, Portal] = {}  # by portal_key
        self.queued: dict[str, Candidate] = {}  # by portal_key
        self.by_code: dict[str, str] = {}  # 网站标识码 → portal_key
        self.decisions: dict[tuple[str, str], Decision] = {}
        self.done: set[str] = set()  # portal keys of candidates answered, failed or refused
        self.bound_hit = 0

    # -- bookkeeping -----------------------------------------------------------------------------------------

    def decide(self, url: str, decision: str, reason: str, source: str | None = None) -> None:
        self.decisions.setdefault((url, decision), Decision(url, decision, reason, source))

    def seed(self, url: str, name: str, division: str) -> Candidate | None:
        """A registry portal to start from."""
        candidate = Candidate(url, name, None, 0, division[:2])
        key = portal_key(url)
        if key in self.queued:
            return None
        self.queued[key] = candidate
        return candidate

    # -- before a fetch --------------------------------------------------------------------------------------

    def links(self, source: Candidate, found: list[PortalLink]) -> list[Candidate]:
        """The portals to fetch among the block links of `source`'s pages; every other link is decided."""
        out: list[Candidate] = []
        here = self.portals.get(portal_key(source.url))
        portal_links = [link for link in found if link.verdict == "portal"]
        refused = [link for link in found if link.verdict in ("national", "non_government")]
        for link in refused[:DECISIONS_PER_PAGE]:
            self.decide(link.url, link.verdict, f"{link.text or link.url}: {link.reason}", source.url)
        if len(refused) > DECISIONS_PER_PAGE:
            self.decide(source.url, "not_government", f"{len(refused) - DECISIONS_PER_PAGE} more links to national "
                        "or non-government sites on its pages, not followed")  # fmt: skip
        if len(portal_links) > self.links_per_page:
            self.decide(source.url, "bound", f"its link blocks hold {len(portal_links)} portal links: the first "
                        f"{self.links_per_page} are read (DISCOVER_LINKS_PER_PAGE)")  # fmt: skip
            portal_links = portal_links[: self.links_per_page]
        again = 0
        for link in portal_links:
            key = portal_key(link.url)
            if key in self.queued or key in self.portals:
                again += 1
                continue
            outside = self._outside_by_name(link.text, source.province)
            if outside:
                self.decide(link.url, "outside", outside, source.url)
                continue
            if source.depth + 1 > self.max_depth:
                self.decide(link.url, "bound", f"deeper than {self.max_depth} links from a seed", source.url)
                continue
            if len(self.queued) >= self.max_portals:
                self.bound_hit += 1
                continue
            candidate = Candidate(link.url, link.text, source.url, source.depth + 1, source.province)
            self.queued[key] = candidate
            out.append(candidate)
        if again and here is not None:
            here.notes.append(f"links {again} portals found already (loops and cross-links): not followed again")
        return out

    @staticmethod
    def _outside_by_name(text: str, province: str) -> str:
        """Why a link's name puts it outside the province being discovered, or ""."""
        name = _GOVERNMENT.sub("", clean_name(text))
        if not name:
            return ""
        # Only a name that is a division's ("北京", "北京市人民政府"): "淳化街道" is no 淳化县, "北京市司法局" is
        # judged by its code once fetched.
        matches = [d for d in divisions.match_name(name) if name in divisions.aliases(d.name)]
        if matches and all(not d.code.startswith(province) for d in matches):
            where = "、".join(sorted({d.name for d in matches}))
            return f"{text} names {where}, outside the province being discovered"
        return ""

    # -- after a fetch ---------------------------------------------------------------------------------------

    def refused(self, candidate: Candidate, reason: str) -> None:
        """A portal the crawl's manners refused (robots.txt, a hostile address): recorded, not placed."""
        self.done.add(portal_key(candidate.url))
        self.decide(candidate.url, "refused", reason, candidate.source)

    def close(self, reason: str) -> None:
        """The crawl ended (`reason`: Scrapy's finish reason): candidates never fetched are recorded."""
        for key, candidate in self.queued.items():
            if key not in self.done:
                self.decide(candidate.url, "bound", f"not fetched: the crawl ended ({reason or 'stopped'})",
                            candidate.source)  # fmt: skip

    def failed(self, candidate: Candidate, reason: str) -> Portal:
        """A portal that did not answer: kept as unreachable, placed by the name it was linked under."""
        self.done.add(portal_key(candidate.url))
        portal = self._new(candidate, clean_name(candidate.text), None)
        portal.status = "unreachable"
        self._place_by_name(portal, candidate)
        self.decide(candidate.url, "unreachable", reason, candidate.source)
        return portal

    def fetched(self, candidate: Candidate, code: SiteCode | None, name: str, columns: list[str]) -> Portal | None:
        """Place a portal from its home page; None when it lies outside the tree (the decision says why)."""
        self.done.add(portal_key(candidate.url))
        name = clean_name(name) or clean_name(candidate.text)
        if code is not None and code.code in self.by_code:
            first = self.by_code[code.code]
            self.decide(candidate.url, "duplicate", f"prints the code {code.code} of {first}: the same portal",
                        candidate.source)  # fmt: skip
            return None
        if code is not None and code.ministry:
            self.decide(candidate.url, "outside", f"{name}: code {code.code} is a central ministry's",
                        candidate.source)  # fmt: skip
            return None
        if code is not None and not code.code.startswith(candidate.province):
            self.decide(candidate.url, "outside", f"{name}: code {code.code} is another province's",
                        candidate.source)  # fmt: skip
            return None
        portal = self._new(candidate, name, code)
        portal.columns = columns
        if code is not None:
            self.by_code[code.code] = portal_key(candidate.url)
            self._place_by_code(portal, code, candidate)
        else:
            portal.notes.append("prints no 网站标识码")
            self._place_by_name(portal, candidate)
        return portal

    def _new(self, candidate: Candidate, name: str, code: SiteCode | None) -> Portal:
        portal = Portal(candidate.url, name, code.code if code else None, code.source if code else None, None, None,
                        None, candidate.source, candidate.depth)  # fmt: skip
        self.portals[portal_key(candidate.url)] = portal
        return portal

    def _source_division(self, candidate: Candidate) -> str | None:
        source = self.portals.get(portal_key(candidate.source)) if candidate.source else None
        return source.division if source is not None else None

    def _place_by_code(self, portal: Portal, code: SiteCode, candidate: Candidate) -> None:
        division = divisions.lookup(code.division or "")
        if division is None:
            portal.notes.append(f"code {code.code}: {code.division} is no division in force")
            self._place_by_name(portal, candidate)
            return
        above = self._source_division(candidate)
        if above and not divisions.is_within(division, above):
            # Outside the division of the portal linking it: a sibling or a link back up, unless its name names
            # a division under that portal's: then the code is wrong (copied from another site's template).
            named = [d for d in divisions.match_name(portal.name, within=above) if d.code != above]
            if len(named) == 1:
                self.decide(portal.url, "contradiction", f"{portal.name}: code {code.code} names {division.name} "
                            f"({division.code}), outside {above} of the portal linking it, where its name names "
                            f"{named[0].name} ({named[0].code}): the name is taken", candidate.source)  # fmt: skip
                self._set(portal, named[0], "name")
                return
        self._set(portal, division, "code")

    @staticmethod
    def _scope(above: str | None) -> str | None:
        """Where a portal linked from a portal of division `above` may lie: under it, or beside it (siblings and
        links back up): under the division above it."""
        if not above:
            return None
        division = divisions.lookup(above)
        if division is None:
            return above
        return division.parent or division.code

    def _place_by_name(self, portal: Portal, candidate: Candidate) -> None:
        above = self._source_division(candidate)
        tried: list[Division] = []
        for within in dict.fromkeys([above, self._scope(above), f"{candidate.province}0000"]):
            if not within:
                continue
            tried = divisions.match_name(portal.name, within=within)
            if len(tried) == 1:
                others = [d for d in divisions.match_name(portal.name) if d.code != tried[0].code]
                also = "; the name also means " + ", ".join(f"{d.code} {d.name}" for d in others) if others else ""
                portal.notes.append(f"no code: division from its name within {within}{also}")
                self._set(portal, tried[0], "name")
                return
            if len(tried) > 1:
                break
        if not tried and candidate.source is None:
            return
        if tried:
            where = ", ".join(f"{d.code} {d.name}" for d in tried)
            self.decide(portal.url, "ambiguous", f"{portal.name}: no code, and its name means {where}: left out "
                        "until an operator names its division", candidate.source)  # fmt: skip
        else:
            self.decide(portal.url, "no_division", f"{portal.name}: no code, and its name names no division "
                        f"under {above or candidate.province}: left out", candidate.source)  # fmt: skip

    @staticmethod
    def _set(portal: Portal, division: Division, how: str) -> None:
        portal.division = division.code
        portal.level = level_of(portal.name, division)
        portal.division_from = how

    # -- the tree --------------------------------------------------------------------------------------------

    def tree(self) -> list[Portal]:
        """The portals placed, parents set by division: a government's parent is the government portal of the
        division above; a department's or a town's, its own government's. Without that portal found, the portal
        that linked it is the parent."""
        placed = [p for p in self.portals.values() if p.division]
        governments: dict[str, Portal] = {}
        for p in placed:
            if p.level not in ("department", "township") and p.status == "ok":
                governments.setdefault(p.division or "", p)
        for p in placed:
            division = divisions.lookup(p.division or "")
            if p.level in ("department", "township"):
                wanted = p.division
            else:
                wanted = division.parent if division is not None else None
                if wanted and wanted not in governments and division is not None:
                    above = divisions.lookup(wanted)  # a county of a city whose portal is missing: the province's
                    wanted = above.parent if above is not None and above.parent in governments else wanted
            parent = governments.get(wanted or "")
            if parent is not None and parent is not p:
                p.parent = parent.url
            elif p.source is not None:
                p.parent = p.source
                if p.level != "province":
                    p.notes.append("its government's portal was not found: the portal linking it is its parent")
        if self.bound_hit:
            self.decide("", "bound", f"{self.bound_hit} portal links not followed: {self.max_portals} portals "
                        "reached (DISCOVER_MAX_PORTALS)")  # fmt: skip
        return placed

    def all_decisions(self) -> list[Decision]:
        return list(self.decisions.values())
