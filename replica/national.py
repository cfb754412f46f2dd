"""A national-shaped replica: two provinces of real GB/T 2260 divisions, their portals linking each other (issue 16).

Every portal answers on its own loopback address (127.0.1.1, 127.0.1.2 … like the scale replica, whose server it
reuses) and prints its 网站标识码 in its footer and `SiteIDCode` meta tag. The tree is built from the divisions
table (`nianbao.divisions`): per province its government's portal and two 省直 departments, three prefecture
cities (government portal and 司法局), three or four counties each (government portal; the first with its 司法局),
and one town with a site of its own. Portals link their children and siblings in the shapes real portals use:

  footer lists under 市县政府网站 / 省直部门网站     (the first province, the first city of each province)
  <select> dropdowns whose options hold the URLs    (the second province, the second city)
  a block written by document.write                 (the third city of the first province)
  a JS array of names and URLs                      (the third city of the second province)
  a 网站导航 page linked from the footer             (the second city of the second province)

Traps: links to ministries (by name, and one by a neutral name whose page says `bm…`), other provinces (by name,
and one by a neutral name whose code says so), news sites, a 12345 hotline, beian.miit.gov.cn, a dead county portal
(nothing listens on its address), a county portal with no code whose name (鼓楼区) four divisions share, a county
portal whose code names a division outside its city, departments linking back up to their province (loops) and a
navigation page with a block of 2,000 links.

Report columns (法治政府建设 and 政府信息公开年报) hold each owing unit's report for `YEAR` on time, late or not at
all (a report of the year before instead); the first city of the second province collects its districts'
法治政府建设 reports in one sub-column per district, their own portals carry none; the third city of the second
province publishes its and its 司法局's 政府信息公开 reports on a Guangdong-style gkmlpt platform (a catalogue drawn
from `window._CONFIG`, lists from `/gkmlpt/api/all/{node}`: crawler.gkmlpt).

    with NationalReplica() as r:
        seeds = r.seeds_yaml()           # the provincial portals: where `nianbao sites discover` starts
        tree = r.tree()                  # ground truth: every portal, its division, level, parent
        rows = r.coverage()              # ground truth: one row per unit owing a report, per kind

    python -m replica.national --port 0   # prints "port N"; `nianbao replica serve --national` does the same
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import random
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nianbao import divisions
from nianbao.reports import LEVEL_ALIASES, deadline, is_on_time, load_kinds
from replica import templates as T
from replica.content import Doc, filler_doc, info_disclosure_report, rule_of_law_report
from replica.scale import ScaleReplica, address, serve_until_stopped

YEAR = 2023
PROVINCES = ("320000", "350000")  # 江苏省, 福建省: both have a 鼓楼区 (南京, 徐州; 福州)
COUNTIES_PER_CITY = (4, 3, 3)
KINDS = {"rule_of_law": ("法治政府建设", "fzzfjs"), "info_disclosure": ("政府信息公开年报", "xxgknb")}
# Who published when: a unit's ordinal picks its status per kind; on time is days before its deadline in
# kinds.yaml (kind × level), late weeks after it.
STATUS_CYCLE = ("on_time", "late", "missing", "on_time", "late")
BIG_BLOCK = 2000  # links in the trap block of the navigation page
ROBOTS = "User-agent: *\nDisallow: /search/\n"


@dataclass
class Portal:
    """One portal of the replica: its truth (division, level, parent) and how it is drawn."""

    key: str
    name: str
    division: str
    level: str
    parent: str | None  # key of the parent portal (None for a province)
    site_id: str  # the 网站标识码 printed; "" for none
    index: int = -1  # loopback address index
    dead: bool = False
    shape: str = "footer"  # how its children are linked: footer | select | script | jsarray | navpage
    trap: str = ""  # "" for a portal of the tree; else why it is not one
    children: list[str] = field(default_factory=list)
    siblings: list[str] = field(default_factory=list)
    up: list[str] = field(default_factory=list)  # links back up (loops)
    collects: list[str] = field(default_factory=list)  # keys of units whose reports it publishes in sub-columns
    gkmlpt: list[str] = field(default_factory=list)  # keys of units whose disclosure reports its gkmlpt lists
    notes: list[str] = field(default_factory=list)  # the decision discovery must record for it


def _short(name: str) -> str:
    return name.removesuffix("人民政府")


class NationalTree:
    """The portals, built from the divisions table; pure data (no sockets)."""

    def __init__(
        self, year: int = YEAR, provinces: tuple[str, ...] = PROVINCES, cities: int = 3,
        counties: tuple[int, ...] = COUNTIES_PER_CITY,
    ) -> None:  # fmt: skip
        self.year = year
        self.provinces, self.cities, self.counties = provinces, cities, counties
        self.portals: dict[str, Portal] = {}
        self._build()

    def add(self, portal: Portal) -> Portal:
        portal.index = len(self.portals)
        self.portals[portal.key] = portal
        return portal

    def _build(self) -> None:
        roots = []
        for p_i, pcode in enumerate(self.provinces):
            prov = divisions.lookup(pcode)
            assert prov is not None
            pk = f"p{p_i}"
            root = self.add(Portal(pk, f"{prov.name}人民政府", pcode, "province", None, f"{pcode}0001",
                                   shape="footer" if p_i == 0 else "select"))  # fmt: skip
            roots.append(root)
            for d_i, dept in enumerate(("司法厅", "教育厅")):
                dk = f"{pk}-d{d_i}"
                self.add(Portal(dk, f"{prov.name}{dept}", pcode, "department", pk, f"{pcode}{d_i + 2:04d}", up=[pk]))
                root.children.append(dk)
            cities = [c for c in divisions.children(pcode) if c.level == "city"][: self.cities]
            for c_i, city in enumerate(cities):
                ck = f"{pk}-c{c_i}"
                shape = ["footer", "select", "script"][c_i % 3]
                if p_i == 1 and c_i == 1:
                    shape = "navpage"
                if p_i == 1 and c_i == 2:
                    shape = "jsarray"
                cp = self.add(
                    Portal(ck, f"{city.name}人民政府", city.code, "city", pk, f"{city.code}0001", shape=shape)
                )
                root.children.append(ck)
                sk = f"{ck}-d0"
                self.add(Portal(sk, f"{city.name}司法局", city.code, "department", ck, f"{city.code}0002", up=[pk]))
                cp.children.append(sk)
                counties = [c for c in divisions.children(city.code) if c.level == "county"]
                wanted = self.counties[min(c_i, len(self.counties) - 1)]
                chosen = counties[:wanted]
                if city.code == "320100":  # Nanjing: make sure 鼓楼区 is in (the shared-name trap)
                    chosen = [c for c in counties if c.name == "鼓楼区"] + [c for c in chosen if c.name != "鼓楼区"]
                    chosen = chosen[:wanted]
                keys = []
                for k_i, county in enumerate(chosen):
                    kk = f"{ck}-k{k_i}"
                    level = "district" if county.name.endswith("区") else "county"
                    portal = Portal(kk, f"{county.name}人民政府", county.code, level, ck, f"{county.code}0001")
                    if county.name == "鼓楼区" and city.code == "320100":
                        portal.site_id = ""
                        portal.notes.append("no code: division by name within the parent's")
                    if p_i == 0 and c_i == 1 and k_i == 1 and len(cities) > 2:  # a code of another city's division
                        other = [c for c in divisions.children(cities[2].code) if c.level == "county"][-1]
                        portal.site_id = f"{other.code}0001"
                        portal.notes.append(f"code names {other.code}, outside its parent's division")
                    if p_i == 0 and c_i == 2 and k_i == len(chosen) - 1:
                        portal.dead = True
                        portal.notes.append("linked but never answers")
                    self.add(portal)
                    keys.append(kk)
                    cp.children.append(kk)
                    if k_i == 0:
                        dk = f"{kk}-d0"
                        self.add(Portal(dk, f"{county.name}司法局", county.code, "department", kk,
                                        f"{county.code}0002", up=[ck]))  # fmt: skip
                        portal.children.append(dk)
                    if p_i == 0 and c_i == 0 and k_i == 1:  # a town with a site of its own
                        tk = f"{kk}-t0"
                        self.add(Portal(tk, f"{county.name}东山街道办事处", county.code, "township", kk,
                                        f"{county.code}0010"))  # fmt: skip
                        portal.children.append(tk)
                for kk in keys:
                    self.portals[kk].siblings = [o for o in keys if o != kk]
                if p_i == 1 and c_i == 0:  # 福州: the districts' rule-of-law reports are in its sub-columns
                    cp.collects = list(keys)
                if p_i == 1 and c_i == 2:  # 莆田: its and its 司法局's disclosure reports on a gkmlpt platform
                    cp.gkmlpt = [ck, sk]
        for root in roots:
            root.siblings = [r.key for r in roots if r is not root]
        # Traps: served portals that are no part of the tree.
        self.add(Portal("x-moj", "中华人民共和国司法部", "", "national", None, "bm03000001",
                        trap="a ministry"))  # fmt: skip
        self.add(Portal("x-pufa", "法治宣传教育网", "", "national", None, "bm03000002",
                        trap="a ministry under a neutral name: its code says bm"))  # fmt: skip
        self.add(Portal("x-beijing", "北京市人民政府", "110000", "province", None, "1100000001",
                        trap="another province"))  # fmt: skip
        self.add(Portal("x-bjsfj", "兄弟单位网站", "110000", "department", None, "1100000002",
                        trap="another province under a neutral name: its code says 11"))  # fmt: skip
        self.add(Portal("x-news", "人民网", "", "national", None, "", trap="a news site"))
        self.add(Portal("x-xinhua", "新华网", "", "national", None, "", trap="a news site"))
        self.add(Portal("x-12345", "12345政务服务便民热线", "", "national", None, "", trap="a hotline"))
        # Served portals take the addresses in order; a dead one's address lies beyond them: nothing listens there.
        served = [p for p in self.portals.values() if not p.dead]
        for i, p in enumerate(served):
            p.index = i
        for i, p in enumerate(p for p in self.portals.values() if p.dead):
            p.index = len(served) + 10 + i

    # -- who owes what -----------------------------------------------------------------------------------------

    @cached_property
    def units(self) -> list[Portal]:
        """The portals of the tree, in tree order (each owes the kinds whose `due` names its level)."""
        return [p for p in self.portals.values() if not p.trap]

    def owes(self, portal: Portal, kind: str) -> bool:
        return LEVEL_ALIASES.get(portal.level, portal.level) in load_kinds()[kind].due

    def status(self, portal: Portal, kind: str) -> str:
        ordinal = self.units.index(portal) + (0 if kind == "rule_of_law" else 2)
        return STATUS_CYCLE[ordinal % len(STATUS_CYCLE)]

    def published(self, portal: Portal, kind: str) -> str | None:
        """The date the unit published its report for the year: days before its deadline (kinds.yaml, kind ×
        level), weeks after it, or None."""
        status = self.status(portal, kind)
        last = deadline(load_kinds()[kind], portal.level, self.year)
        if last is None or status == "missing":
            return None
        shift = self.units.index(portal) % 10
        day = datetime.date.fromisoformat(last)
        day += datetime.timedelta(days=-(5 + shift) if status == "on_time" else 20 + shift)
        return day.isoformat()

    def publisher(self, portal: Portal, kind: str) -> Portal:
        """The portal whose columns carry the unit's report of `kind`: its own, or the city's that collects it."""
        for p in self.portals.values():
            if portal.key in (p.collects if kind == "rule_of_law" else p.gkmlpt):
                return p
        return portal


# --- pages ---------------------------------------------------------------------------------------------------


def _site(portal: Portal, port: int) -> dict[str, Any]:
    short = _short(portal.name)
    return {
        "label": portal.key, "host": address(portal.index), "name": portal.name, "owner": f"{short}办公室",
        "host_unit": f"{short}大数据中心", "site_id": portal.site_id, "icp": f"苏ICP备{10000000 + portal.index}号",
        "gongan": f"公网安备 {32000000000000 + portal.index}号", "vendor": "拓尔思信息技术股份有限公司",
        "encoding": "utf-8", "declared": "utf-8", "http_charset": "utf-8", "container": 'class="TRS_Editor"',
        "meta_tags": True, "info_style": "line", "style": "next", "nav": [], "link_blocks": "",
    }  # fmt: skip


class NationalReplica(ScaleReplica):
    """The national tree's portals on one port, one loopback address each; a context manager."""

    def __init__(
        self, port: int = 0, *, year: int = YEAR, seconds: float | None = None, tree: NationalTree | None = None
    ) -> None:
        self.tree = tree or NationalTree(year)
        served = sum(1 for p in self.tree.portals.values() if not p.dead)
        super().__init__(served, port, year=year, seconds=seconds)
        self._pages: dict[int, dict[str, tuple[bytes, str]]] = {}
        self._by_index = {p.index: p for p in self.tree.portals.values() if not p.dead}
        self.down: set[str] = set()  # portal URLs that answer 404 from now on: a portal that stopped answering

    def url(self, key: str) -> str:
        return f"http://{address(self.tree.portals[key].index)}:{self.port}/"

    def page(self, index: int, path: str) -> tuple[bytes, str] | None:
        portal = self._by_index.get(index)
        if portal is None or self.url(portal.key) in self.down:
            return None
        if index not in self._pages:
            self._pages[index] = self._build(portal)
        return self._pages[index].get(path)

    # -- link blocks ---------------------------------------------------------------------------------------

    def _links(self, keys: list[str]) -> list[tuple[str, str]]:
        return [(self._label(k), self.url(k)) for k in keys]

    def _label(self, key: str) -> str:
        p = self.tree.portals[key]
        return _short(p.name) if p.level != "department" else p.name

    def _block(self, title: str, links: list[tuple[str, str]], shape: str) -> str:
        if not links:
            return ""
        if shape == "select":
            options = "".join(f'<option value="{u}">{html.escape(t)}</option>' for t, u in links)
            head = f'<div class="link_item"><div class="click_shadow">{title}</div>'
            return head + f'<select class="footer_change"><option value="0">{title}</option>{options}</select></div>\n'
        if shape == "script":
            items = "".join(f'\'<li><a href="{u}" target="_blank">{t}</a></li>\'+\n' for t, u in links)
            return (f'<div class="yqlj"><h3>{title}</h3>\n<script type="text/javascript">\n'
                    f"document.write('<ul class=\"list\">'+\n{items}'</ul>');\n</script></div>\n")  # fmt: skip
        if shape == "jsarray":
            rows = ",\n".join(f'  {{name: "{t}", url: "{u}"}}' for t, u in links)
            return (f'<div class="yqlj"><h3>{title}</h3><ul id="qx"></ul>\n<script type="text/javascript">\n'
                    f"var sites = [\n{rows}\n];\n"
                    "for (var i = 0; i < sites.length; i++) { $('#qx').append('<li><a href=\"' + sites[i].url + "
                    "'\">' + sites[i].name + '</a></li>'); }\n</script></div>\n")  # fmt: skip
        items = "".join(f'<li><a href="{u}" target="_blank">{html.escape(t)}</a></li>' for t, u in links)
        return f'<div class="links"><h3>{title}</h3><ul>{items}</ul></div>\n'

    def _traps(self, portal: Portal) -> str:
        shape = "select" if portal.shape == "select" else "footer"
        t = self.tree.portals
        blocks = self._block("国务院部门网站", [("司法部", self.url("x-moj"))], shape)
        blocks += self._block("地方政府网站", [("北京", self.url("x-beijing")), *self._links(portal.siblings)], shape)
        friends = [(t["x-news"].name, self.url("x-news")), (t["x-xinhua"].name, self.url("x-xinhua")),
                   (t["x-12345"].name, self.url("x-12345")), (t["x-pufa"].name, self.url("x-pufa")),
                   ("ICP备案查询", "https://beian.miit.gov.cn/")]  # fmt: skip
        return blocks + self._block("友情链接", friends, "footer")

    def _blocks(self, portal: Portal) -> str:
        t = self.tree.portals
        govs = [k for k in portal.children if t[k].level != "department" and t[k].level != "township"]
        depts = [k for k in portal.children if t[k].level == "department"]
        towns = [k for k in portal.children if t[k].level == "township"]
        shape = portal.shape
        if portal.level == "province":
            return (self._block("市县政府网站", self._links(govs), shape)
                    + self._block("省直部门网站", self._links(depts), shape) + self._traps(portal))  # fmt: skip
        if portal.level == "city":
            if shape == "navpage":  # the children are on the 网站导航 page only
                return self._block("部门网站", self._links(depts), "footer")
            return self._block("区县政府网站", self._links(govs), shape) + self._block(
                "部门网站", self._links(depts), "footer"
            )
        if portal.level in ("county", "district"):
            return (self._block("兄弟区县", self._links(portal.siblings), "footer")
                    + self._block("部门网站", self._links(depts), "footer")
                    + self._block("乡镇街道网站", self._links(towns), "footer"))  # fmt: skip
        if portal.level == "department":
            up = self._links(portal.up) + (
                [("兄弟单位网站", self.url("x-bjsfj"))] if portal.key.endswith("p0-d0") else []
            )
            return self._block("相关网站", up, "footer")
        return ""

    def _navpage(self, portal: Portal, site: dict[str, Any]) -> str:
        t = self.tree.portals
        govs = [k for k in portal.children if t[k].level not in ("department", "township")]
        big = "".join(
            f'<li><a href="http://www.partner{i}.com.cn/">合作单位{i}</a></li>' for i in range(BIG_BLOCK)
        )  # a block of 2,000 links: read within the bound, judged, never followed
        inner = (
            "<h2>网站导航</h2>" + self._block("区县政府网站", self._links(govs), "footer")
            + f'<div class="links"><h3>友情链接</h3><ul>{big}</ul></div>'
        )  # fmt: skip
        return T.simple_page(site, "网站导航", inner)

    # -- one portal's pages --------------------------------------------------------------------------------

    def _build(self, portal: Portal) -> dict[str, tuple[bytes, str]]:
        site = _site(portal, self.port)
        pages: dict[str, tuple[bytes, str]] = {"/robots.txt": (ROBOTS.encode(), "text/plain")}
        ctype = "text/html; charset=utf-8"

        def put(path: str, text: str) -> None:
            pages[path] = (text.encode("utf-8"), ctype)

        site["link_blocks"] = self._blocks(portal) if not portal.trap else ""
        if portal.shape == "navpage":
            site["link_blocks"] += (
                '<div class="links"><h3>网站导航</h3><ul><li><a href="/wzdh/">网站导航</a></li></ul></div>'
            )
            put("/wzdh/index.html", self._navpage(portal, site))
        columns: list[tuple[str, str, list[Doc]]] = []
        if portal.gkmlpt:
            self._gkmlpt(portal, site, put, pages)
        if not portal.trap:
            for kind, (col_name, col_path) in KINDS.items():
                if kind == "info_disclosure" and portal.gkmlpt:
                    continue
                own = self.tree.publisher(portal, kind) is portal and self.tree.owes(portal, kind)
                collected = [self.tree.portals[k] for k in portal.collects] if kind == "rule_of_law" else []
                if not own and not collected:
                    continue
                docs = self._reports(portal, kind) if own else []
                docs += self._fillers(portal, kind)
                href = f"/{col_path}/index.html"
                subs = []
                for n, unit in enumerate(collected):
                    sub_href = f"/{col_path}/sub{n}/index.html"
                    sub_name = f"{_short(unit.name)}{col_name}"
                    sub_docs = self._reports(unit, kind, path_prefix=f"/{col_path}/sub{n}")
                    self._column(site, put, (sub_name, sub_href), sub_docs)
                    subs.append(f'<li><a href="{sub_href}">{html.escape(sub_name)}</a></li>')
                extra = f'<div class="subcolumns"><h3>各区{col_name}</h3><ul>{"".join(subs)}</ul></div>' if subs else ""
                self._column(site, put, (col_name, href), docs, extra)
                site["nav"].append((col_name, href))
                columns.append((col_name, href, docs[:6]))
        put("/index.html", T.home(site, columns, []))
        return pages

    def _gkmlpt(self, portal: Portal, site: dict[str, Any], put: Any, pages: dict[str, tuple[bytes, str]]) -> None:
        """Guangdong's gkmlpt platform (crawler.gkmlpt): a catalogue page drawn from `window._CONFIG`, node 7 the
        disclosure reports of the units in `portal.gkmlpt`, listed by the JSON API; node 8 notices (not followed)."""
        docs: list[Doc] = []
        for n, key in enumerate(portal.gkmlpt):
            for d in self._reports(self.tree.portals[key], "info_disclosure", path_prefix="/gkmlpt/content/0/7"):
                d.path = d.path.replace("content_", f"post_{n}")
                docs.append(d)
        tree = [{"id": 7, "name": "政府信息公开年报", "children": [], "post_count": len(docs)},
                {"id": 8, "name": "通知公告", "children": [], "post_count": 0}]  # fmt: skip
        config = (
            f"window._CONFIG = {{\n  SID: '{350000 + portal.index}',\n  TREE: {json.dumps(tree, ensure_ascii=False)},\n"
        )
        config += "  SERVICE_AREA_ID: 1\n};"
        put("/gkmlpt/index", T.simple_page(site, "政府信息公开", f'<div id="app"></div><script>{config}</script>'))
        articles = [{"id": i, "title": d.title, "url": d.path, "created_at": d.published, "publisher": d.issuer}
                    for i, d in enumerate(docs)]  # fmt: skip
        body = json.dumps({"total": len(articles), "articles": articles, "classify": {"post_count": len(articles)}})
        pages["/gkmlpt/api/all/7"] = (body.encode(), "application/json")
        for d in docs:
            put(d.path, T.detail(site, d, ("政府信息公开", "/gkmlpt/index"), []))
        site["nav"].append(("政府信息公开", "/gkmlpt/index"))

    def _reports(self, unit: Portal, kind: str, path_prefix: str = "") -> list[Doc]:
        """The unit's report of `kind` for the year (when it published one) and the one of the year before."""
        col_path = KINDS[kind][1]
        prefix = path_prefix or f"/{col_path}"
        docs = []
        r = random.Random(f"national-{unit.key}-{kind}")
        issuer = self._issuer(unit)
        for year, published in ((self.tree.year, self.tree.published(unit, kind)), (self.tree.year - 1,
                                f"{self.tree.year}-01-2{r.randrange(8)}")):  # fmt: skip
            if published is None:
                continue
            local = f"{_short(unit.name)}全年办理行政复议案件{r.randint(10, 400)}件。"
            title = self.title(unit, kind, year)
            if kind == "rule_of_law":
                body = rule_of_law_report(issuer, year, local, superior="市委", seed=f"{unit.key}-{year}")
            else:
                body = info_disclosure_report(issuer, year, local, seed=f"{unit.key}-{kind}-{year}")
            doc = Doc(
                key=f"{unit.key}-{kind}-{year}", title=title, published=published, time="09:30", paragraphs=body,
                source=issuer, kind=kind, year=year, issuer=issuer, text_contains=[local],
            )  # fmt: skip
            doc.path = f"{prefix}/content_{year}.html"
            docs.append(doc)
        return docs

    def _issuer(self, unit: Portal) -> str:
        return unit.name if unit.level == "department" or unit.division[2:] == "0000" else self._full(unit)

    def title(self, unit: Portal, kind: str, year: int) -> str:
        """The title of the unit's report of `kind` on `year` (its issuer's name, the year, the kind's name)."""
        what = "法治政府建设年度报告" if kind == "rule_of_law" else "政府信息公开工作年度报告"
        return f"{_short(self._issuer(unit))}{year}年{what}"

    def _full(self, unit: Portal) -> str:
        """A county's government with its city's name ("福州市鼓楼区人民政府"): how a collected report names it."""
        div = divisions.lookup(unit.division)
        city = divisions.lookup(div.parent) if div and div.parent else None
        return f"{city.name if city and city.level == 'city' else ''}{unit.name}"

    def _fillers(self, portal: Portal, kind: str) -> list[Doc]:
        docs = [
            filler_doc(f"{portal.key}-{kind}", _short(portal.name), i, self.tree.year, 3 + i, 5 + i) for i in range(2)
        ]
        for n, d in enumerate(docs):
            d.path = f"/{KINDS[kind][1]}/news_{n}.html"
        return docs

    def _column(
        self, site: dict[str, Any], put: Any, column: tuple[str, str], docs: list[Doc], extra: str = ""
    ) -> None:
        href = column[1]
        page = T.listing_next(site, column, docs, 1, 1, lambda n: href)
        put(href, page.replace('<div class="pagination">', extra + '<div class="pagination">', 1))
        for d in docs:
            put(d.path, T.detail(site, d, column, []))

    # -- ground truth ------------------------------------------------------------------------------------

    def seeds_yaml(self) -> str:
        """The registry discovery starts from: the provincial portals, local, no delay."""
        lines = ["# nianbao national replica: the provincial portals (replica.national)", "sites:"]
        for p in self.tree.portals.values():
            if p.level == "province" and not p.trap:
                lines += [f"  - code: \"{p.site_id}\"", f"    name: {p.name}", f'    division: "{p.division}"',
                          "    level: province", f"    start_urls: [{self.url(p.key)}]", "    delay: 0",
                          "    local: true"]  # fmt: skip
        return "\n".join(lines) + "\n"

    def tree_truth(self) -> list[dict[str, Any]]:
        """Every portal of the tree: URL, 网站标识码 as printed, division, level, parent's URL, dead or not."""
        out = []
        for p in self.tree.portals.values():
            if p.trap:
                continue
            parent = self.url(p.parent) if p.parent else None
            out.append({"key": p.key, "url": self.url(p.key), "name": p.name, "site_id": p.site_id,
                        "division": p.division, "level": p.level, "parent": parent, "dead": p.dead,
                        "notes": p.notes})  # fmt: skip
        return out

    def trap_urls(self) -> dict[str, str]:
        """URL → why it is not a government portal of the two provinces."""
        return {self.url(p.key): p.trap for p in self.tree.portals.values() if p.trap}

    def coverage_truth(self) -> list[dict[str, Any]]:
        """One row per unit owing a report × kind, as nianbao.coverage counts them within the two provinces:
        each portal of the tree whose level the kind's `due` names (its status for the year, the date it
        published, and the portal where the report is: its own, or the city's that collects it), and every
        other government of the provinces' divisions, which has no portal here (portal_not_found). The dead
        portal is in the registry discovery writes, but never answers: not_crawled."""
        rows = []
        kinds = load_kinds()
        for kind in KINDS:
            present = set()
            for unit in self.tree.units:
                if not self.tree.owes(unit, kind):
                    continue
                if unit.level not in ("department", "township"):
                    present.add(unit.division)
                publisher = self.tree.publisher(unit, kind)
                status, published = self.tree.status(unit, kind), self.tree.published(unit, kind)
                if published is not None:  # the one definition of on time agrees with the replica's plan
                    assert is_on_time(kinds[kind], unit.level, self.tree.year, published) == (status == "on_time")
                if unit.dead:
                    status, published = "not_crawled", None
                rows.append({
                    "kind": kind, "year": self.tree.year, "division": unit.division, "name": unit.name,
                    "level": LEVEL_ALIASES.get(unit.level, unit.level), "portal": self.url(unit.key),
                    "published_on": self.url(publisher.key), "status": status, "published": published,
                    "title": self.title(unit, kind, self.tree.year) if published else None,
                })  # fmt: skip
            for division in divisions.divisions(self.tree.year):
                if (
                    division.code[:2] in {p[:2] for p in self.tree.provinces}
                    and division.code not in present
                    and (division.level in kinds[kind].due)
                ):
                    rows.append({"kind": kind, "year": self.tree.year, "division": division.code,
                                 "name": division.name, "level": division.level, "portal": None,
                                 "published_on": None, "status": "portal_not_found", "published": None,
                                 "title": None})  # fmt: skip
        return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the national-shaped replica on 127.0.1.1 ….")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--seeds-out", help="write the provincial seed registry (YAML) here")
    parser.add_argument("--provinces", default=",".join(PROVINCES), help="division codes of the provinces")
    parser.add_argument("--cities", type=int, default=3, help="prefecture cities per province")
    parser.add_argument("--counties", type=int, nargs="+", default=list(COUNTIES_PER_CITY), help="per city")
    args = parser.parse_args(argv)
    tree = NationalTree(provinces=tuple(args.provinces.split(",")), cities=args.cities, counties=tuple(args.counties))
    replica = NationalReplica(args.port, seconds=args.seconds, tree=tree).start()
    if args.seeds_out:
        with open(args.seeds_out, "w", encoding="utf-8") as out:
            out.write(replica.seeds_yaml())
    print(f"port {replica.port} portals {len(tree.portals)}", flush=True)
    serve_until_stopped(replica)


if __name__ == "__main__":
    main()
