"""Portal pages (crawler.portals): the 网站标识码, the portal's name, and the links in its link blocks.

The real pages are ../shared/realpages/gov-portals. The counts below were checked by reading the pages: each
block's title and the anchors (or `<option value=URL>`s) of its list, counted with grep between one block title
and the next (018: 国务院部门网站 35 anchors, 地方政府网站 35, 部门政府网站 41, 区（县）政府网站 38,
省区市文化旅游系统网站 30, 文旅系统网站 11; 024: 46, 35, 16, 5, 13 news; 025: 85, 35, 8, 3; 015: five selects of
75, 35, 17, 78 and 10 URL options, the ministries' select naming www.forestry.gov.cn twice and www.shandong.gov.cn
standing in two selects, so 213 distinct URLs). A link appears once, under the innermost block that holds it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from crawler.portals import judge, navigation_pages, portal_links, portal_name, site_code

REAL = Path(__file__).resolve().parents[3] / "shared" / "realpages" / "gov-portals"
if not REAL.exists():  # the worktree lives under /work/wt/NAME
    REAL = Path("/work/shared/realpages/gov-portals")

# Every 网站标识码 the real pages print or embed, and where the page states it first.
CODES = {
    "detail/004_ccgp_hebei_zbgg.html": ("1300000065", "footer"),
    "detail/006_moe_tz.html": ("bm05000001", "footer"),
    "detail/007_cac_gov.html": None,  # prints none (checked: no 标识码, no SiteIDCode, no sitecode)
    "detail/009_gd_gov.html": ("4400000131", "footer"),  # the footer is written by a script
    "detail/015_qingdao_jiaozhou_sfj.html": ("3702000025", "footer"),  # "政府网站标识码 3702000025"
    "detail/018_whlyw_cq.html": ("5000000091", "footer"),
    "detail/019_jyt_zj.html": ("3300000022", "meta"),  # the footer is loaded by a script: the meta tag only
    "detail/024_fgw_beijing.html": ("1100000011", "footer"),
    "detail/025_suibin_gov.html": ("2304220006", "footer"),
    "detail/028_ct_zj_zc_tz.html": ("3300000028", "meta"),
    "listing/001_jyt_gansu_wjtz_list.html": ("6200000068", "footer"),
    "listing/004_samr_cfda_ylqxzh_p89.html": None,
}

URLS = {
    "detail/009_gd_gov.html": "http://www.gd.gov.cn/gdywdt/gdyw/content/post_4099246.html",
    "detail/015_qingdao_jiaozhou_sfj.html": "http://www.qingdao.gov.cn/zwgk/a.shtml",
    "detail/018_whlyw_cq.html": "http://whlyw.cq.gov.cn/zwxx_221/bmdt/gzdt/202107/t20210713_9468077.html",
    "detail/024_fgw_beijing.html": "https://fgw.beijing.gov.cn/fzggzl/zyhz/gzdt/yq/xggz/202407/t20240723_3757271.htm",
    "detail/025_suibin_gov.html": "https://www.suibin.gov.cn/suibinxianrenminzhengfu/c100003/a.shtml",
}

# (block title, verdict) → links, per page.
BLOCKS = {
    "detail/015_qingdao_jiaozhou_sfj.html": {
        ("国家(部委)网站", "national"): 70,  # ministries and the national portal
        ("国家(部委)网站", "non_government"): 4,  # 新华通讯社 (an address), 中国科学院, 社会科学院, 工程院
        ("省级政府网站", "portal"): 32,  # the provinces (scope: other provinces are refused by crawler.tree)
        ("省级政府网站", "non_government"): 2,  # 香港, 澳门
        ("省级政府网站", "service"): 1,  # 台湾: a page of this portal
        ("山东政府网站", "portal"): 15,  # Shandong's cities (the province itself sits in 省级政府网站)
        ("山东政府网站", "service"): 1,  # 青岛: this portal
        ("本市网站", "portal"): 46,  # Qingdao's departments
        ("本市网站", "non_government"): 32,  # 人大, 政协, 法院, 市委…, schools, the daily, .cn/.org hosts
        ("区市网站", "portal"): 10,  # the districts and county-level cities
    },
    "detail/018_whlyw_cq.html": {
        ("国务院部门网站", "national"): 35,
        ("地方政府网站", "portal"): 32,
        ("地方政府网站", "non_government"): 3,  # 香港, 澳门, 台湾
        ("部门政府网站", "portal"): 40,
        ("部门政府网站", "service"): 1,  # 市文化旅游委: this portal
        ("区（县）政府网站", "portal"): 38,
        ("省区市文化旅游系统网站", "portal"): 30,
        ("文旅系统网站", "non_government"): 11,  # museums, libraries, companies: no .gov.cn host
    },
    "detail/024_fgw_beijing.html": {
        ("国家及各省市发展改革委", "national"): 2,  # 国家发展改革委, and the 兵团's (no local government name)
        ("国家及各省市发展改革委", "portal"): 44,
        ("北京市政府机构", "portal"): 35,
        ("北京市各区级政府", "portal"): 16,
        ("直属（管理）单位网站", "portal"): 1,  # 北京市粮食和物资储备局
        ("直属（管理）单位网站", "non_government"): 4,  # research and price centres on .net.cn/.cn/.org.cn
        ("新闻媒体网站", "non_government"): 13,
    },
    "detail/025_suibin_gov.html": {
        ("中央政府和国家部委网站", "national"): 74,
        ("中央政府和国家部委网站", "non_government"): 4,  # 国家行政学院, 中国科学院, 社会科学院, 工程院
        ("中央政府和国家部委网站", "service"): 7,  # ministries this portal links to its own pages about
        ("省区市政府网站", "portal"): 32,
        ("省区市政府网站", "non_government"): 2,  # 香港, 澳门
        ("省区市政府网站", "service"): 1,  # 台湾: a page of this portal
        ("县区政府网站", "portal"): 7,  # Hegang's other districts and counties
        ("县区政府网站", "service"): 1,  # 绥滨县: this portal
        ("重要链接", "non_government"): 3,  # 新华网, 人民网, 辟谣平台
    },
}


def _page(name: str) -> bytes:
    return (REAL / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CODES))
def test_every_site_code_printed_on_the_real_pages_is_read(name: str) -> None:
    found = site_code(_page(name))
    expected = CODES[name]
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.code, found.source) == expected
    assert found.others == ()  # the meta tag, the 找错 script and the footer agree on every page


def test_site_code_gives_the_division_of_local_portals_and_marks_ministries() -> None:
    gd = site_code(_page("detail/009_gd_gov.html"))
    moe = site_code(_page("detail/006_moe_tz.html"))
    assert gd is not None and gd.division == "440000" and not gd.ministry
    assert moe is not None and moe.division is None and moe.ministry


@pytest.mark.parametrize("name", sorted(BLOCKS))
def test_the_links_of_the_real_link_blocks_are_found_and_judged(name: str) -> None:
    links = portal_links(_page(name), URLS[name])
    counts = Counter((link.block, link.verdict) for link in links if link.block in {b for b, _ in BLOCKS[name]})
    assert dict(counts) == BLOCKS[name]


def test_select_dropdowns_give_their_option_urls() -> None:
    links = portal_links(_page("detail/015_qingdao_jiaozhou_sfj.html"), URLS["detail/015_qingdao_jiaozhou_sfj.html"])
    districts = [link for link in links if link.block == "区市网站"]
    assert [link.text for link in districts][:3] == ["市南区", "市北区", "李沧区"]
    assert {link.via for link in links} == {"select"}
    assert sum(1 for link in links) == 213


def test_a_footer_written_by_a_script_is_read() -> None:
    """Guangdong's footer is one JavaScript string: its blocks are links to this portal's own directory pages of
    local governments, departments and cities, and to the national portal."""
    links = portal_links(_page("detail/009_gd_gov.html"), URLS["detail/009_gd_gov.html"])
    assert {link.via for link in links} == {"script"}
    directories = {link.text for link in links if link.verdict == "directory"}
    assert directories == {"地方政府网站", "驻港澳机构网站", "省直单位网站", "地级以上市网站", "网站地图"}
    national = {(link.text, link.url) for link in links if link.verdict == "national"}
    assert ("中国政府网", "http://www.gov.cn/") in national
    assert ("国务院部门网站", "http://www.gd.gov.cn/yw/gwybm/index.html") in national  # a list of ministries
    assert not [link for link in links if link.verdict == "portal"]
    assert navigation_pages(_page("detail/009_gd_gov.html"), URLS["detail/009_gd_gov.html"]) == [
        "http://www.gd.gov.cn/yw/content/post_104984.html"
    ]


@pytest.mark.parametrize(
    "name",
    ["detail/004_ccgp_hebei_zbgg.html", "detail/006_moe_tz.html", "detail/007_cac_gov.html",
     "detail/019_jyt_zj.html", "detail/028_ct_zj_zc_tz.html", "listing/001_jyt_gansu_wjtz_list.html",
     "listing/004_samr_cfda_ylqxzh_p89.html"],
)  # fmt: skip
def test_pages_without_link_blocks_give_no_portal_links(name: str) -> None:
    """Their links to other sites sit in menus and article text (the Ministry of Education's language versions
    and login pages, a procurement notice's attachments): not portals."""
    assert [link for link in portal_links(_page(name), "http://www.example.gov.cn/") if link.verdict == "portal"] == []


def test_portal_names_of_the_real_pages() -> None:
    assert portal_name(_page("detail/009_gd_gov.html")) == "广东省人民政府门户网站"
    assert portal_name(_page("detail/025_suibin_gov.html")) == "绥滨县人民政府"
    assert portal_name(_page("listing/004_samr_cfda_ylqxzh_p89.html")) == "医疗器械召回"  # <title>'s last part


# --- synthetic shapes ---------------------------------------------------------------------------------------

PAGE = "http://www.x.gov.cn/index.html"


def _links(body: str, *, directory: bool = False) -> dict[str, tuple[str, str, str]]:
    html = f"<html><head><title>X县人民政府</title></head><body>{body}</body></html>"
    return {link.url: (link.block, link.verdict, link.via) for link in portal_links(html, PAGE, directory=directory)}


def test_a_footer_list_under_its_title() -> None:
    found = _links(
        '<div class="yqlj"><h3>市县政府网站</h3><ul><li><a href="http://www.a.gov.cn/">A县</a></li>'
        '<li><a href="http://www.b.gov.cn">B区</a></li></ul></div><p>正文 <a href="http://www.c.gov.cn/">C县</a></p>'
    )
    assert found == {
        "http://www.a.gov.cn/": ("市县政府网站", "portal", "anchor"),
        "http://www.b.gov.cn": ("市县政府网站", "portal", "anchor"),
    }  # the article's link is no block link


def test_document_write_with_unescape_and_js_arrays() -> None:
    found = _links(
        '<div><h3>区县政府</h3><script>document.write(unescape("%3Ca href=%22http://www.d.gov.cn/%22%3ED县%3C/a%3E"));'
        "</script></div>"
        '<div><h3>部门网站</h3><script>var s = [{name: "财政局", url: "http://czj.x.gov.cn/"}, ["教育局", '
        '"http://jyj.x.gov.cn/"]];</script></div>'
    )
    assert found == {
        "http://www.d.gov.cn/": ("区县政府", "portal", "script"),
        "http://czj.x.gov.cn/": ("部门网站", "portal", "script"),
        "http://jyj.x.gov.cn/": ("部门网站", "portal", "script"),
    }


def test_a_title_ending_in_its_bracketed_units() -> None:
    found = _links('<div><h4>县（市、区）</h4><ul><li><a href="http://www.h.gov.cn/">H县</a></li></ul></div>')
    assert found == {"http://www.h.gov.cn/": ("县（市、区）", "portal", "anchor")}


def test_a_block_labelled_by_its_aria_label() -> None:
    found = _links('<div aria-label="您已进入友情链接导航区"><a href="http://www.e.gov.cn/">E市</a></div>')
    assert found == {"http://www.e.gov.cn/": ("友情链接导航区", "portal", "anchor")}


def test_a_directory_page_reads_every_link() -> None:
    found = _links('<ul><li><a href="http://www.f.gov.cn/">F镇</a></li></ul>', directory=True)
    assert found == {"http://www.f.gov.cn/": ("", "portal", "anchor")}


@pytest.mark.parametrize(
    ("url", "text", "block", "verdict"),
    [
        ("https://beian.miit.gov.cn/", "苏ICP备1号", "友情链接", "service"),
        ("http://www.12345.x.gov.cn/", "12345政务服务便民热线", "友情链接", "non_government"),
        ("http://www.people.com.cn/", "人民网", "友情链接", "non_government"),
        ("http://www.xnews.gov.cn/", "某某日报", "友情链接", "non_government"),
        ("http://www.shop.com/", "合作单位", "友情链接", "non_government"),
        ("http://www.moj.gov.cn/", "司法部", "部门网站", "national"),
        ("http://www.gov.cn/", "中国政府网", "", "national"),
        ("http://www.ndrc.gov.cn/", "发展改革委", "国务院部门网站", "national"),
        ("http://www.y.gov.cn/", "Y区", "国务院部门网站", "portal"),  # a local name in a national block
        ("http://rd.x.gov.cn/", "X县人大常委会", "本县网站", "non_government"),
        ("http://www.gov.hk/", "香港", "省级政府网站", "non_government"),
        ("http://www.x.gov.cn/wzdh/", "网站导航", "", "directory"),
        ("http://www.x.gov.cn/zwgk/", "政务公开", "导航", "service"),
        ("http://127.0.1.9:8080/", "Z县", "区县政府网站", "portal"),  # an address: judged by its name
    ],
)
def test_judge(url: str, text: str, block: str, verdict: str) -> None:
    assert judge(url, text, block, PAGE)[0] == verdict


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe", "<html><body>网站标识码：12345</body></html>".encode()])
def test_bad_pages_give_nothing_and_no_error(body: bytes) -> None:
    assert site_code(body) is None
    assert portal_links(body, PAGE) == []


def test_a_gbk_page() -> None:
    html = '<html><head><meta charset="gb2312"></head><body><div><h3>区县政府网站</h3><a href="http://www.g.gov.cn/">'
    html += "G县</a></div><p>网站标识码：3201150001</p></body></html>"
    body = html.encode("gbk")
    assert site_code(body) is not None and site_code(body).code == "3201150001"  # type: ignore[union-attr]
    assert [(link.text, link.verdict) for link in portal_links(body, PAGE)] == [("G县", "portal")]


@pytest.mark.parametrize(
    ("html", "code"),
    [
        ('<p>网站标识码：<span class="num">3100000001</span></p>', "3100000001"),
        ("<p>政府网站识别码 bm16000002</p>", "bm16000002"),
        ("<p>标识码：4401000004</p>", "4401000004"),
        ("<meta content='4401000004' name='SiteIDCode'>", "4401000004"),
        ("<script id=\"_jiucuo_\" sitecode='4401130001' src='jiucuo.js'></script>", "4401130001"),
    ],
)
def test_site_code_shapes(html: str, code: str) -> None:
    found = site_code(html)
    assert found is not None and found.code == code


def test_a_dropdown_without_a_title_and_a_decorated_title() -> None:
    found = _links(
        '<select onchange="go(this)"><option value="">--县（市、区）政府--</option>'
        '<option value="http://a.gov.cn/">A县</option><option value="http://b.gov.cn/">B县</option></select>'
        '<select><option>请选择</option><option value="//c.gov.cn/">C市</option>'
        '<option value="http://d.gov.cn/">D市</option></select>'
    )
    assert found == {
        "http://a.gov.cn/": ("县（市、区）政府", "portal", "select"),
        "http://b.gov.cn/": ("县（市、区）政府", "portal", "select"),
        "http://c.gov.cn/": ("请选择", "portal", "select"),
        "http://d.gov.cn/": ("请选择", "portal", "select"),
    }
