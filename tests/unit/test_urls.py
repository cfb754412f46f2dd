"""URL identity (nianbao.urls): canonical keys, and /gate/big5/ copies recognised as the simplified page."""

from __future__ import annotations

from scrapy import Request
from scrapy.utils.request import RequestFingerprinter

from crawler.dupefilter import BoundedDupeFilter
from crawler.listing import listing_links
from crawler.pagination import should_stop
from crawler.traps import variant_key
from nianbao.urls import canonical_url, simplified_url
from storage.state import SiteState

PAGE = "http://127.0.0.11:8080/fzzfjs/202112/t20211213_5078.html"
GATE = "http://127.0.0.11:8080/gate/big5/127.0.0.11/fzzfjs/202112/t20211213_5078.html"


def test_canonical_url_is_w3libs_form() -> None:
    assert canonical_url("HTTP://Www.Panyu.GOV.cn/list?b=2&a=1#top") == "http://www.panyu.gov.cn/list?a=1&b=2"
    assert canonical_url("http://h/a b.html") == "http://h/a%20b.html"


def test_a_gate_copy_is_the_simplified_page() -> None:
    assert simplified_url(GATE) == PAGE  # the gateway's port is kept when it copies its own host
    assert canonical_url(GATE) == canonical_url(PAGE)
    other = "http://gate.example.cn/gate/big5/www.panyu.gov.cn/fzzfjs/index.html?x=1"
    assert simplified_url(other) == "http://www.panyu.gov.cn/fzzfjs/index.html?x=1"
    assert simplified_url("http://h/gate/big5/h") == "http://h/"
    for url in (PAGE, "http://h/gate/gb/h/a.html", "http://h/x/gate/big5/h/a.html"):
        assert simplified_url(url) == url


def test_a_listing_links_the_report_once_whether_simplified_or_gate() -> None:
    html = (
        "<ul>"
        f'<li><a href="{GATE}">番禺區2021年度法治政府建設年度報告</a> <span>2022-01-20</span></li>'
        '<li><a href="/fzzfjs/202112/t20211213_5078.html">番禺区2021年度法治政府建设年度报告</a>'
        " <span>2022-01-20</span></li>"
        "</ul>"
    )
    reports = [link for link in listing_links(html, "http://127.0.0.11:8080/fzzfjs/") if link.rel == "report"]
    assert [link.url for link in reports] == [PAGE]  # requested as the simplified page, never the copy


def test_state_keys_are_canonical() -> None:
    state = SiteState("s")
    state.update("http://H/list?b=2&a=1#x", year=2021, sha256="0", queued=True)
    assert list(state.urls) == ["http://h/list?a=1&b=2"]
    assert state.trusted("http://h/list?a=1&b=2") is not None
    assert state.entry("HTTP://h/list?b=2&a=1") is not None
    assert state.known(2021) == {"http://h/list?a=1&b=2"}


def test_the_stop_rule_knows_a_report_by_its_gate_copy() -> None:
    state = SiteState("s")
    state.update(PAGE, year=2021)
    links = listing_links(f'<li><a href="{PAGE}">番禺区2021年度法治政府建设年度报告</a> 2022-01-20</li>', PAGE)
    assert should_stop(links, year=2021, known=state.known(2021))


def test_the_dupefilter_sees_a_gate_copy_as_its_page() -> None:
    dupes = BoundedDupeFilter(10, fingerprinter=RequestFingerprinter())
    assert not dupes.request_seen(Request(PAGE))
    assert dupes.request_seen(Request(GATE))
    assert dupes.request_seen(Request(PAGE + "#section"))
    assert not dupes.request_seen(Request("http://127.0.0.11:8080/fzzfjs/index.html"))


def test_trap_variants_compare_canonical_queries() -> None:
    assert variant_key("http://H/c?b=2&a=1") == variant_key("http://h/c?a=1&b=2") == ("h", "/c", "a=1&b=2")
