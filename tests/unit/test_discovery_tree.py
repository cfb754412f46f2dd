"""Placing discovered portals (crawler.tree) and writing the registry (crawler.discovered): every bad input ends
as a recorded decision with its reason, never a crash or a silent wrong division."""

from __future__ import annotations

from pathlib import Path

import yaml

from crawler.discovered import merge, write_discovered
from crawler.portals import PortalLink, SiteCode
from crawler.tree import Candidate, Discovery, level_of
from nianbao import divisions
from nianbao.sites import Site, parse_registry

JS = "http://js.example/"


def _link(url: str, text: str, verdict: str = "portal", block: str = "市县政府网站") -> PortalLink:
    return PortalLink(url, text, block, "anchor", verdict, "")  # type: ignore[arg-type]


def _province() -> tuple[Discovery, Candidate]:
    d = Discovery(max_depth=3, max_portals=50, links_per_page=100)
    seed = d.seed(JS, "江苏省人民政府", "320000")
    assert seed is not None
    d.fetched(seed, SiteCode("3200000001", "footer"), "江苏省人民政府门户网站", [])
    return d, seed


def _decisions(d: Discovery, kind: str) -> list[str]:
    return [x.reason for x in d.all_decisions() if x.decision == kind]


def test_a_tree_placed_by_code_with_parents_by_division() -> None:
    d, seed = _province()
    (nanjing,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(nanjing, SiteCode("3201000001", "footer"), "南京市人民政府", ["http://nj.example/fzzfjs/"])
    (dept,) = d.links(seed, [_link("http://sft.example/", "省司法厅", block="省直部门网站")])
    d.fetched(dept, SiteCode("3200000002", "meta"), "江苏省司法厅", [])
    (county,) = d.links(nanjing, [_link("http://jn.example/", "江宁区")])
    d.fetched(county, SiteCode("3201150001", "footer"), "南京市江宁区人民政府", [])
    (town,) = d.links(county, [_link("http://cz.example/", "淳化街道")])
    d.fetched(town, SiteCode("3201150010", "footer"), "江宁区淳化街道办事处", [])
    placed = {p.url: (p.division, p.level, p.parent) for p in d.tree()}
    assert placed == {
        JS: ("320000", "province", None),
        "http://nj.example/": ("320100", "city", JS),
        "http://sft.example/": ("320000", "department", JS),
        "http://jn.example/": ("320115", "district", "http://nj.example/"),
        "http://cz.example/": ("320115", "township", "http://jn.example/"),
    }


def test_a_county_linked_by_the_province_gets_its_city_as_parent() -> None:
    d, seed = _province()
    nanjing, county = d.links(seed, [_link("http://nj.example/", "南京"), _link("http://jn.example/", "江宁区")])
    d.fetched(county, SiteCode("3201150001", "footer"), "江宁区人民政府", [])
    d.fetched(nanjing, SiteCode("3201000001", "footer"), "南京市人民政府", [])
    parents = {p.url: p.parent for p in d.tree()}
    assert parents["http://jn.example/"] == "http://nj.example/"


def test_no_code_and_a_name_four_divisions_share_the_parent_decides() -> None:
    d, seed = _province()
    (nanjing,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(nanjing, SiteCode("3201000001", "footer"), "南京市人民政府", [])
    (gulou,) = d.links(nanjing, [_link("http://gl.example/", "鼓楼区")])
    portal = d.fetched(gulou, None, "鼓楼区人民政府", [])
    assert portal is not None and portal.division == "320106" and portal.division_from == "name"
    assert any("320302" in n and "350102" in n for n in portal.notes)  # the other 鼓楼区s are named


def test_a_name_shared_by_two_places_that_nothing_decides_is_left_out_with_its_reason() -> None:
    d, seed = _province()
    (gulou,) = d.links(seed, [_link("http://gl.example/", "鼓楼区")])  # the province links it: 南京's or 徐州's?
    assert d.fetched(gulou, None, "鼓楼区人民政府", []) is not None
    assert "http://gl.example/" not in {p.url for p in d.tree()}
    (reason,) = _decisions(d, "ambiguous")
    assert "320106" in reason and "320302" in reason


def test_a_code_contradicting_its_parents_division_gives_way_to_the_name_and_is_recorded() -> None:
    d, seed = _province()
    (wuxi,) = d.links(seed, [_link("http://wx.example/", "无锡")])
    d.fetched(wuxi, SiteCode("3202000001", "footer"), "无锡市人民政府", [])
    (huishan,) = d.links(wuxi, [_link("http://hs.example/", "惠山区")])
    portal = d.fetched(huishan, SiteCode("3203820001", "footer"), "惠山区人民政府", [])
    assert portal is not None and portal.division == "320206"
    (reason,) = _decisions(d, "contradiction")
    assert "3203820001" in reason and "320206" in reason


def test_a_sibling_with_its_own_code_is_no_contradiction() -> None:
    d, seed = _province()
    (nanjing,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(nanjing, SiteCode("3201000001", "footer"), "南京市人民政府", [])
    (jn,) = d.links(nanjing, [_link("http://jn.example/", "江宁区")])
    d.fetched(jn, SiteCode("3201150001", "footer"), "江宁区人民政府", [])
    (pk,) = d.links(jn, [_link("http://pk.example/", "浦口区", block="兄弟区县")])
    portal = d.fetched(pk, SiteCode("3201110001", "footer"), "浦口区人民政府", [])
    assert portal is not None and portal.division == "320111" and not _decisions(d, "contradiction")


def test_ministries_and_other_provinces_are_outside_by_name_or_by_code() -> None:
    d, seed = _province()
    found = d.links(seed, [
        _link("http://moj.example/", "司法部", "national", "国务院部门网站"),
        _link("http://bj.example/", "北京", block="地方政府网站"),
        _link("http://pf.example/", "法治宣传网", block="友情链接"),
        _link("http://xd.example/", "兄弟单位", block="友情链接"),
        _link("http://news.example/", "人民网", "non_government", "友情链接"),
    ])  # fmt: skip
    assert [c.url for c in found] == ["http://pf.example/", "http://xd.example/"]
    assert d.fetched(found[0], SiteCode("bm03000002", "footer"), "法治宣传网", []) is None
    assert d.fetched(found[1], SiteCode("1100000002", "footer"), "兄弟单位网站", []) is None
    outside = " ".join(_decisions(d, "outside"))
    assert "北京" in outside and "bm03000002" in outside and "1100000002" in outside
    assert _decisions(d, "national") and _decisions(d, "non_government")
    assert {p.url for p in d.tree()} == {JS}


def test_a_loop_is_not_followed_again_and_is_noted() -> None:
    d, seed = _province()
    (a,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(a, SiteCode("3201000001", "footer"), "南京市人民政府", [])
    assert d.links(a, [_link(JS, "江苏省人民政府"), _link("http://nj.example/", "南京")]) == []
    assert d.links(seed, [_link("http://nj.example/", "南京")]) == []
    notes = {p.url: p.notes for p in d.tree()}
    assert any("found already" in n for n in notes["http://nj.example/"])


def test_a_block_of_2000_links_is_read_within_the_bound() -> None:
    d, seed = _province()
    links = [_link(f"http://127.0.{i // 250}.{i % 250 + 1}:1/", f"单位{i}") for i in range(2000)]
    found = d.links(seed, links)
    assert len(found) == 49  # max_portals: 50 queued in all, the seed one of them
    (reason,) = [r for r in _decisions(d, "bound") if "2000" in r]
    assert "first 100" in reason
    d.close("finished")
    assert len(_decisions(d, "bound")) == 1 + 49  # the page, and each candidate never fetched


def test_depth_bound_and_duplicate_codes() -> None:
    d, seed = _province()
    d.max_depth = 1
    (nj,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(nj, SiteCode("3201000001", "footer"), "南京市人民政府", [])
    assert d.links(nj, [_link("http://jn.example/", "江宁区")]) == []
    assert any("deeper" in r for r in _decisions(d, "bound"))
    d.max_depth = 3
    (alias,) = d.links(seed, [_link("http://www.nj.example/", "南京市")])
    assert d.fetched(alias, SiteCode("3201000001", "footer"), "南京市人民政府", []) is None
    assert _decisions(d, "duplicate")


def test_an_unreachable_portal_is_kept_by_the_name_it_was_linked_under() -> None:
    d, seed = _province()
    (xz,) = d.links(seed, [_link("http://xz.example/", "徐州")])
    d.fetched(xz, SiteCode("3203000001", "footer"), "徐州市人民政府", [])
    (jw,) = d.links(xz, [_link("http://jw.example/", "贾汪区")])
    d.failed(jw, "Connection refused")
    (portal,) = [p for p in d.tree() if p.url == "http://jw.example/"]
    assert (portal.status, portal.division, portal.level, portal.parent) == (
        "unreachable", "320305", "district", "http://xz.example/"
    )  # fmt: skip
    assert _decisions(d, "unreachable") == ["Connection refused"]


def test_levels() -> None:
    county = divisions.lookup("320115")
    city = divisions.lookup("320100")
    assert county is not None and city is not None
    assert level_of("江宁区人民政府门户网站", county) == "district"
    assert level_of("江宁区", county) == "district"
    assert level_of("江宁区司法局", county) == "department"
    assert level_of("淳化街道", county) == "township"
    assert level_of("南京市人民政府", city) == "city"


# --- the registry file ----------------------------------------------------------------------------------------


def _seed_site() -> Site:
    return Site(code="3200000001", name="江苏省人民政府", division="320000", level="province", start_urls=(JS,),
                delay=0, local=True)  # fmt: skip


def test_the_registry_written_is_valid_and_a_rerun_keeps_the_operators_fields(tmp_path: Path) -> None:
    out = tmp_path / "discovered.yaml"
    d, seed = _province()
    (nj,) = d.links(seed, [_link("http://nj.example/", "南京")])
    d.fetched(nj, SiteCode("3201000001", "footer"), "南京市人民政府", ["http://nj.example/fzzfjs/"])
    (gl,) = d.links(seed, [_link("http://gl.example/", "鼓楼区")])
    d.fetched(gl, None, "鼓楼区人民政府", [])
    write_discovered(out, d, [_seed_site()], today="2026-01-01")
    sites = {s.code: s for s in parse_registry(out.read_text(encoding="utf-8"))}
    assert sites["3201000001"].parent == "3200000001" and sites["3201000001"].local
    assert sites["3201000001"].discovery["columns"] == ["http://nj.example/fzzfjs/"]  # type: ignore[index]
    raw = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert any(x["decision"] == "ambiguous" for x in raw["decisions"])
    # The operator adds notes and a listing URL, and a manual entry.
    for entry in raw["sites"]:
        if entry["code"] == "3201000001":
            entry.update(notes="checked by hand", listing_urls=["http://nj.example/fz/"], delay=3)
    raw["sites"].append({"code": "manual-1", "name": "手工站点", "division": "320100", "level": "department",
                         "start_urls": ["http://manual.example/"]})  # fmt: skip
    out.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    # Second run: 南京 no longer answers, the province's department page is new, the manual site is found too.
    d2, seed2 = _province()
    nj2, sft, manual = d2.links(seed2, [_link("http://nj.example/", "南京"), _link("http://sft.example/", "司法厅"),
                                        _link("http://manual.example/", "南京市某局")])  # fmt: skip
    d2.failed(nj2, "HTTP 503")
    d2.fetched(sft, SiteCode("3200000002", "meta"), "江苏省司法厅", [])
    d2.fetched(manual, SiteCode("3201000009", "meta"), "南京市某局", [])
    summary = write_discovered(out, d2, [_seed_site()], today="2026-02-01")
    entries = {e["code"]: e for e in yaml.safe_load(out.read_text(encoding="utf-8"))["sites"]}
    nanjing = entries["3201000001"]
    assert (nanjing["notes"], nanjing["listing_urls"], nanjing["delay"]) == (
        "checked by hand",
        ["http://nj.example/fz/"],
        3,
    )
    assert nanjing["discovery"]["status"] == "unreachable"
    assert nanjing["discovery"]["last_seen"] == "2026-01-01" and nanjing["discovery"]["first_seen"] == "2026-01-01"
    assert entries["manual-1"] == {"code": "manual-1", "name": "手工站点", "division": "320100",
                                   "level": "department", "start_urls": ["http://manual.example/"]}  # fmt: skip
    assert "3201000009" not in entries  # the manual entry stands for it
    assert entries["3200000002"]["discovery"]["status"] == "ok"
    assert summary["status"] == {"ok": 2, "unreachable": 1}


def test_a_seed_registry_written_over_keeps_its_manual_entries_as_parents() -> None:
    """`--out` the seed registry itself: the provinces stay the operator's entries, and their children name them."""
    seed = {"code": "jiangsu", "name": "江苏省人民政府", "division": "320000", "level": "province",
            "start_urls": ["http://js.example/"]}  # fmt: skip
    found = [
        {**seed, "code": "3200000001", "discovery": {"status": "ok"}},
        {"code": "3201000001", "name": "南京市人民政府", "division": "320100", "level": "city",
         "start_urls": ["http://nj.example/"], "parent": "3200000001", "discovery": {"status": "ok"}},
    ]  # fmt: skip
    entries, notes = merge([seed], found)
    assert [e["code"] for e in entries] == ["jiangsu", "3201000001"]
    assert entries[1]["parent"] == "jiangsu" and "manual entry jiangsu" in notes[0]


def test_a_portal_no_longer_linked_is_marked_vanished() -> None:
    old = {"code": "a", "name": "A", "division": "320100", "level": "city", "start_urls": ["http://a.example/"],
           "discovery": {"status": "ok", "first_seen": "2025-01-01", "last_seen": "2025-01-01"}}  # fmt: skip
    entries, _ = merge([old], [])
    assert entries[0]["discovery"] == {"status": "vanished", "first_seen": "2025-01-01", "last_seen": "2025-01-01"}
