"""Listing-page link policies: report links, items, columns, attachments, pagination, dataproxy, stop rule."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from crawler.links import Link, detail_links, listing_items, parse_html
from crawler.listing import listing_links
from crawler.pagination import dataproxy_records, dataproxy_requests, should_stop
from nianbao.dates import find_date

REALPAGES = Path(__file__).parent.parent / "fixtures" / "realpages" / "listing"

TRS_LISTING = """<html><head><meta charset="utf-8"><title>法治政府建设</title></head><body>
<div class="nav"><a href="/">首页</a><a href="javascript:void(0)">2020年法治政府建设年度报告</a></div>
<ul class="list">
<li><a href="./202201/t20220125_123.html" title="常平镇2021年法治政府建设年度报告">常平镇2021年法治政府建设…</a>
    <span>2022-01-25</span></li>
<li><a href="./202201/t20220110_120.html">2022年法治政府建设工作要点</a><span>2022/01/10</span></li>
<li><a href="./202112/t20211230_118.html">二〇二一年法治政府建设年度报告</a><span>[2021-12-30]</span></li>
<li><a href="./202112/t20211203_117.html">东城镇2021年法治政府建设...</a><span>2021年12月3日</span></li>
<li><a href="./202111/t20211120_110.html">法治政府建设工作指引</a><span>2021.11.20</span></li>
<li><a href="./202111/t20211101_109.html">《法治政府建设年度报告》政策解读</a><span>2021-11-01</span></li>
<li><a href="./202110/t20211020_108.html">关于报送2021年法治政府建设年度报告的通知</a><span>2021-10-20</span></li>
<li><a href="./202110/t20211010_107.html">XX镇20XX年法治政府建设年度报告（模板）</a><span>2021-10-10</span></li>
<li><a href="mailto:fzb@x.gov.cn">2021年法治政府建设年度报告</a><span>2021-10-01</span></li>
<li><a href="#top">2021年政府信息公开工作年度报告</a><span>2021-10-01</span></li>
</ul>
<div class="page"><script>createPageHTML(3, 0, "index", "html");</script></div>
</body></html>"""
TRS_URL = "http://www.dg.gov.cn/cpz/zwgk/fzzfjs/index.html"


def by_rel(links: list[Link], rel: str) -> list[Link]:
    return [link for link in links if link.rel == rel]


def urls(links: list[Link]) -> set[str]:
    return {link.url for link in links}


# ---------------------------------------------------------------------------------------------- TRS listing


def test_trs_listing_reports_are_absolute_dated_and_classified() -> None:
    reports = by_rel(listing_links(TRS_LISTING, TRS_URL), "report")
    by_url = {link.url: link for link in reports}
    first = by_url["http://www.dg.gov.cn/cpz/zwgk/fzzfjs/202201/t20220125_123.html"]
    # The title attribute completes the truncated text, so the link is not truncated.
    assert first.title == "常平镇2021年法治政府建设年度报告"
    assert (first.kind, first.year, first.date, first.truncated) == ("rule_of_law", 2021, "2022-01-25", False)
    cn = by_url["http://www.dg.gov.cn/cpz/zwgk/fzzfjs/202112/t20211230_118.html"]
    assert (cn.year, cn.date) == (2021, "2021-12-30")


def test_truncated_title_without_attribute_is_a_truncated_report() -> None:
    reports = {link.url: link for link in by_rel(listing_links(TRS_LISTING, TRS_URL), "report")}
    link = reports["http://www.dg.gov.cn/cpz/zwgk/fzzfjs/202112/t20211203_117.html"]
    assert link.truncated is True
    assert (link.kind, link.year, link.date) == ("rule_of_law", 2021, "2021-12-03")


def test_non_reports_are_not_report_links() -> None:
    reports = {link.title for link in by_rel(listing_links(TRS_LISTING, TRS_URL), "report")}
    for title in (
        "2022年法治政府建设工作要点",
        "法治政府建设工作指引",
        "《法治政府建设年度报告》政策解读",
        "关于报送2021年法治政府建设年度报告的通知",
        "XX镇20XX年法治政府建设年度报告（模板）",
    ):
        assert title not in reports
    assert len(reports) == 3


def test_javascript_mailto_and_fragment_links_are_ignored() -> None:
    found = urls(listing_links(TRS_LISTING, TRS_URL)) | urls(listing_items(TRS_LISTING, TRS_URL))
    assert not any(u.startswith(("javascript:", "mailto:")) or "#" in u for u in found)
    assert "http://www.dg.gov.cn/cpz/zwgk/fzzfjs/index.html" not in found


def test_create_page_html_gives_the_other_pages() -> None:
    pages = by_rel(listing_links(TRS_LISTING, TRS_URL), "page")
    assert urls(pages) == {
        "http://www.dg.gov.cn/cpz/zwgk/fzzfjs/index_1.html",
        "http://www.dg.gov.cn/cpz/zwgk/fzzfjs/index_2.html",
    }


@pytest.mark.parametrize(
    ("script", "page_url", "expected"),
    [
        # On page 2 (current=1) the first page is index.html and the third index_2.shtml.
        ('createPageHTML(3,1,"index","shtml");', "http://a.gov.cn/c/index_1.shtml", {"index.shtml", "index_2.shtml"}),
        ("createPageHTML( '3' , '0' , 'index' , 'htm' )", "http://a.gov.cn/c/", {"index_1.htm", "index_2.htm"}),
        # The newer TRS call names the target element first.
        ('createPageHTML("page_div", 2, 0, "index", "html", 30);', "http://a.gov.cn/c/index.html", {"index_1.html"}),
        (
            'var countPage = 3;var currentPage = 0;createPageHTML(countPage, currentPage, "index", "html");',
            "http://a.gov.cn/c/index.html",
            {"index_1.html", "index_2.html"},
        ),
        ('createPageHTML(1, 0, "index", "html");', "http://a.gov.cn/c/index.html", set()),
    ],
)
def test_create_page_html_variants(script: str, page_url: str, expected: set[str]) -> None:
    html = f"<html><body><ul><li>x</li></ul><script>{script}</script></body></html>"
    pages = by_rel(listing_links(html, page_url), "page")
    assert urls(pages) == {"http://a.gov.cn/c/" + name for name in expected}


def test_listing_accepts_bytes_with_declared_charset() -> None:
    html = TRS_LISTING.replace('charset="utf-8"', 'charset="gbk"').encode("gbk")
    reports = by_rel(listing_links(html, TRS_URL), "report")
    assert "常平镇2021年法治政府建设年度报告" in {link.title for link in reports}


# ---------------------------------------------------------------------------------------------- other layouts


def test_next_page_link_and_table_rows() -> None:
    html = """<html><body><table>
    <tr><td><a href="/xxgk/2022/0120/5501.html">市交通局2021年政府信息公开工作年度报告</a></td><td>2022-01-20</td></tr>
    <tr><td><a href="/xxgk/2021/1201/5400.html">市交通局关于道路施工的公告</a></td><td>2021-12-01</td></tr>
    </table><div class="pages"><a href="list_1.html">上一页</a> <a href="list_3.html">下一页</a></div></body></html>"""
    links = listing_links(html, "https://jt.example.gov.cn/xxgk/list_2.html")
    (report,) = by_rel(links, "report")
    assert (report.kind, report.year, report.date) == ("info_disclosure", 2021, "2022-01-20")
    assert urls(by_rel(links, "next")) == {"https://jt.example.gov.cn/xxgk/list_3.html"}
    assert len(listing_items(html, "https://jt.example.gov.cn/xxgk/list_2.html")) == 2


def test_page_parameter_links() -> None:
    html = """<html><body><ul><li><a href="detail?id=1">2021年度法治政府建设情况报告</a> 2022-02-01</li></ul>
    <a href="list?page=1">1</a><a href="list?page=3">3</a><a href="list?page=4">4</a></body></html>"""
    links = listing_links(html, "http://b.gov.cn/fz/list?page=2")
    assert urls(by_rel(links, "next")) == {"http://b.gov.cn/fz/list?page=3"}
    assert urls(by_rel(links, "page")) == {"http://b.gov.cn/fz/list?page=1", "http://b.gov.cn/fz/list?page=4"}


def test_date_formats() -> None:
    assert find_date("[2022-01-25]") == "2022-01-25"
    assert find_date("2022/1/5") == "2022-01-05"
    assert find_date("2022.01.25") == "2022-01-25"
    assert find_date("2022年1月25日") == "2022-01-25"
    assert find_date("２０２２－０１－２５") == "2022-01-25"
    assert find_date("二〇二二年一月二十五日") == "2022-01-25"
    assert find_date("2022-13-01") is None
    assert find_date("编号 12022-01-25") is None


def test_date_is_read_outside_the_title() -> None:
    html = """<ul><li><a href="/a.html">关于2021年12月1日会议的通报</a><span>2022-01-05</span></li>
    <li><a href="/b.html">关于2021年12月2日会议的通报</a></li></ul>"""
    items = listing_items(html, "http://c.gov.cn/")
    assert [(i.url, i.date) for i in items] == [("http://c.gov.cn/a.html", "2022-01-05")]


def test_home_page_column_links() -> None:
    html = """<html><body><div class="nav">
    <a href="/col/col1229/index.html">法治政府建设</a><a href="/zwgk/xxgknb/">政府信息公开年报</a>
    <a href="/zwgk/fdzdgknr/">法定主动公开内容</a><a href="/news/">新闻中心</a>
    <a href="javascript:;">依法行政</a></div>
    <ul><li><a href="/news/1.html">全市召开法治政府建设推进会</a><span>2022-03-01</span></li></ul></body></html>"""
    columns = by_rel(listing_links(html, "http://www.city.gov.cn/"), "column")
    assert urls(columns) == {
        "http://www.city.gov.cn/col/col1229/index.html",
        "http://www.city.gov.cn/zwgk/xxgknb/",
        "http://www.city.gov.cn/zwgk/fdzdgknr/",
    }


def test_link_to_dict() -> None:
    link = Link("report", "http://x/1.html", "t", "rule_of_law", 2021, "2022-01-01", True)
    assert link.to_dict() == {
        "rel": "report",
        "url": "http://x/1.html",
        "title": "t",
        "kind": "rule_of_law",
        "year": 2021,
        "date": "2022-01-01",
        "truncated": True,
    }


def test_empty_and_xml_declared_pages() -> None:
    assert listing_links("", "http://x/") == []
    assert listing_items(b"   ", "http://x/") == []
    html = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<html><body><a href="/r.html">2021年法治政府建设年度报告</a></body></html>'
    )
    assert urls(listing_links(html, "http://x/")) == {"http://x/r.html"}


# ---------------------------------------------------------------------------------------------- JCMS dataproxy

JCMS_PAGE = """<html><body><div id="4180437"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=http://www.x.gov.cn/&columnid=1229&unitid=4180437&webname=%E5%B8%82&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li><a href="/art/2022/3/1/art_1229_1.html" title="某市2021年法治政府建设年度报告">
某市2021年法治政府建设年度报告</a><span>2022-03-01</span></li>]]></record>
</recordset><totalrecord>40</totalrecord></datastore></script></div>
<script>$(function(){ $('#4180437').jpage({ proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:15 }); });</script>
</body></html>"""
JCMS_URL = "http://www.x.gov.cn/col/col1229/index.html"


def test_dataproxy_request_from_inline_datastore() -> None:
    (request,) = dataproxy_requests(JCMS_PAGE, JCMS_URL)
    assert request.startswith("http://www.x.gov.cn/module/web/jpage/dataproxy.jsp?")
    query = dict(p.split("=", 1) for p in request.split("?", 1)[1].split("&"))
    # One record is embedded: the request starts after it, three pages of 15 at a time.
    assert (query["startrecord"], query["endrecord"], query["perpage"]) == ("2", "46", "15")
    assert (query["columnid"], query["unitid"], query["webid"]) == ("1229", "4180437", "1")


def test_jcms_listing_has_embedded_reports_and_dataproxy_next() -> None:
    links = listing_links(JCMS_PAGE, JCMS_URL)
    (report,) = by_rel(links, "report")
    assert (report.url, report.date) == ("http://www.x.gov.cn/art/2022/3/1/art_1229_1.html", "2022-03-01")
    assert any("dataproxy.jsp?startrecord=2" in link.url for link in by_rel(links, "next"))


def test_dataproxy_request_from_ajax_parameters() -> None:
    page = """<script>$.ajax({url:'/module/web/jpage/dataproxy.jsp', type:'post', perpage: 20,
      data:{col:1, appid:1, webid:3, path:'/', columnid:1234, sourceContentType:1, unitid:5678, permissiontype:0}});
    </script>"""
    (request,) = dataproxy_requests(page, "https://www.y.gov.cn/col/col1234/index.html")
    assert "startrecord=1&endrecord=60&perpage=20" in request
    assert "columnid=1234" in request and "unitid=5678" in request and "webid=3" in request


def test_no_dataproxy_on_plain_pages() -> None:
    assert dataproxy_requests(TRS_LISTING, TRS_URL) == []


DATAPROXY_XML = """<?xml version="1.0" encoding="UTF-8"?>
<datastore><totalrecord>50</totalrecord><totalpage>4</totalpage><recordset>
<record><![CDATA[<li><a href="/art/2022/3/1/art_1234_9.html" title="某市2021年法治政府建设年度报告">
某市2021年法治…</a><span>2022-03-01</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/2/1/art_1234_8.html">关于开展普法宣传的通知</a>
<span>2022-02-01</span></li>]]></record>
</recordset></datastore>"""
DATAPROXY_URL = "http://www.y.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15&columnid=1234"


def test_dataproxy_records_reports_items_and_next() -> None:
    links, total = dataproxy_records(DATAPROXY_XML.encode("utf-8"), DATAPROXY_URL)
    assert total == 50
    (report,) = by_rel(links, "report")
    assert report.url == "http://www.y.gov.cn/art/2022/3/1/art_1234_9.html"
    assert (report.title, report.year, report.date, report.truncated) == (
        "某市2021年法治政府建设年度报告",
        2021,
        "2022-03-01",
        False,
    )
    assert [i.date for i in by_rel(links, "item")] == ["2022-02-01"]
    (nxt,) = by_rel(links, "next")
    assert "startrecord=46&endrecord=90&perpage=15&columnid=1234" in nxt.url


def test_dataproxy_last_batch_has_no_next_and_text_input_works() -> None:
    last = DATAPROXY_URL.replace("startrecord=1&endrecord=45", "startrecord=46&endrecord=90")
    links, total = dataproxy_records(DATAPROXY_XML, last)
    assert total == 50 and by_rel(links, "next") == []


def test_dataproxy_page_style_next() -> None:
    url = "http://www.y.gov.cn/module/web/jpage/dataproxy.jsp?page=4&columnid=1234"
    assert by_rel(dataproxy_records(DATAPROXY_XML, url)[0], "next") == []
    (nxt,) = by_rel(dataproxy_records(DATAPROXY_XML, url.replace("page=4", "page=2"))[0], "next")
    assert "page=3" in nxt.url


def test_dataproxy_malformed_xml_still_yields_records() -> None:
    bad = DATAPROXY_XML.replace("</recordset>", "</recordset><webname>A&B</webname>")
    links, total = dataproxy_records(bad, DATAPROXY_URL)
    assert total == 50 and len(by_rel(links, "report")) == 1


@pytest.mark.timeout(10)
def test_dataproxy_billion_laughs_is_refused() -> None:
    # Nine levels of ten references each: a billion "lol"s if the parser expanded them.
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol0 "lol">{lol}]>'
        "<datastore><totalrecord>&lol9;</totalrecord></datastore>"
    )
    with pytest.raises(ValueError, match="entities"):
        dataproxy_records(bomb.encode(), DATAPROXY_URL)


# ---------------------------------------------------------------------------------------------- detail pages


def test_detail_attachments() -> None:
    html = """<html><body><div class="content"><p>正文……</p>
    <p>附件：<a href="/attach/download?fileId=77">某镇2021年法治政府建设年度报告</a></p>
    <p><a href="./P020220125.PDF?v=2">附件1.报告全文</a></p>
    <p><a href="/files/r.ofd">OFD 版</a> <a href="/files/r.wps">WPS 版</a> <a href="/files/r.docx">Word 版</a></p>
    <p><a href="/news/other.html">相关新闻</a><a href="javascript:print()">打印</a></p>
    </div></body></html>"""
    links = detail_links(html, "http://z.gov.cn/art/2022/1/25/art_1_1.html")
    assert all(link.rel == "attachment" for link in links)
    assert urls(links) == {
        "http://z.gov.cn/attach/download?fileId=77",
        "http://z.gov.cn/art/2022/1/25/P020220125.PDF?v=2",
        "http://z.gov.cn/files/r.ofd",
        "http://z.gov.cn/files/r.wps",
        "http://z.gov.cn/files/r.docx",
    }
    labelled = next(link for link in links if "fileId" in link.url)
    assert (labelled.kind, labelled.year) == ("rule_of_law", 2021)


# ---------------------------------------------------------------------------------------------- stop rule


def _item(date: str | None, url: str = "http://x/a.html", rel: str = "item") -> Link:
    return Link(rel, url, "t", date=date)  # type: ignore[arg-type]


def test_should_stop_when_every_dated_item_is_before_the_year() -> None:
    assert should_stop([_item("2021-12-31"), _item("2020-05-01")], year=2022)
    assert not should_stop([_item("2022-01-01"), _item("2020-05-01")], year=2022)
    # Undated links (pagination) do not keep a page going, but a page without any date never stops.
    assert should_stop([_item("2021-03-01"), Link("page", "http://x/index_2.html")], year=2022)
    assert not should_stop([_item(None), Link("report", "http://x/r.html", "2021年法治政府建设年度报告")], year=2022)
    assert not should_stop([], year=2022)


def test_should_stop_when_every_report_is_known() -> None:
    links = [_item("2023-02-01", "http://x/r1.html", "report"), _item("2023-01-05", "http://x/n.html")]
    assert should_stop(links, year=2022, known={"http://x/r1.html"})
    assert not should_stop(links, year=2022, known={"http://x/other.html"})
    # No report on the page: nothing to be known, so only the dates decide.
    assert not should_stop([_item("2023-01-05")], year=2022, known={"http://x/r1.html"})


def test_should_stop_on_a_real_listing_flow() -> None:
    links = listing_links(TRS_LISTING, TRS_URL) + listing_items(TRS_LISTING, TRS_URL)
    assert not should_stop(links, year=2021)
    assert should_stop(links, year=2023)


# ---------------------------------------------------------------------------------------------- one parse per page


@pytest.mark.parametrize(("page", "url"), [(TRS_LISTING, TRS_URL), (JCMS_PAGE, JCMS_URL)])
def test_a_parsed_page_reads_as_its_text(page: str, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spider parses a response once and passes the tree to every reader: they find what the text gives."""
    readers = (listing_links, listing_items, detail_links, dataproxy_requests)
    expected = [read(page, url) for read in readers]
    tree = parse_html(page)
    parsed: list[str] = []
    fromstring = lxml.html.fromstring
    monkeypatch.setattr(
        lxml.html, "fromstring", lambda html, *a, **kw: parsed.append(html) or fromstring(html, *a, **kw)
    )
    assert parse_html(tree) is tree
    assert [read(tree, url) for read in readers] == expected
    assert not [html for html in parsed if "<body>" in html]  # only the records a JCMS page embeds are parsed


# ---------------------------------------------------------------------------------------------- real pages

EXPECTED_ITEMS = {
    "hrfund_announcement": 10,
    "dfa66_announcement": 10,
    "hsqhfunds_announcement": 20,
    "rtfund_xxpl": 15,
    "netease_international_news": 7,
    "netease_rolling_news": 40,
    "tencent_important_news": 10,
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_ITEMS.items()))
def test_real_listing_item_counts(name: str, expected: int) -> None:
    # Bytes, decoded as the spider decodes them (some declare gbk/gb2312 but were saved as UTF-8).
    items = listing_items((REALPAGES / f"{name}.html").read_bytes(), f"https://example.com/{name}/")
    assert len(items) >= expected
    assert all(item.rel == "item" and item.url.startswith(("http://", "https://")) for item in items)
    # Pages with absolute dates in their items give them to every item found.
    if name not in ("netease_international_news", "tencent_important_news"):
        assert sum(1 for item in items if item.date) >= expected


def test_real_listings_have_no_reports() -> None:
    for name in EXPECTED_ITEMS:
        raw = (REALPAGES / f"{name}.html").read_bytes()
        assert by_rel(listing_links(raw, f"https://example.com/{name}/"), "report") == [], name


# ---------------------------------------------------------------------------------------------- layouts seen on portals


def test_gbk_bytes_declared_without_quotes() -> None:
    html = (
        "<html><head><meta charset=gb2312><title>法治政府</title></head><body>"
        '<ul><li><a href="/art/1.html">常平镇2021年法治政府建设年度报告</a><span>2022-01-25</span></li></ul>'
        "</body></html>"
    ).encode("gbk")
    (report,) = by_rel(listing_links(html, "http://cp.gov.cn/col/col1234/index.html"), "report")
    assert (report.title, report.date) == ("常平镇2021年法治政府建设年度报告", "2022-01-25")


def test_definition_list_rows_and_header_clock() -> None:
    html = """<div class="top">今天是2024年5月6日 <a href="/fz/">法治政府建设</a></div>
    <dl><dt><a href="/r1.html">2021年法治政府建设年度报告</a></dt><dd>2022-02-02</dd>
    <dt><a href="/r2.html">2020年法治政府建设年度报告</a></dt><dd>2021-02-03</dd></dl>"""
    links = listing_links(html, "http://w.gov.cn/")
    assert [(link.url, link.date) for link in by_rel(links, "report")] == [
        ("http://w.gov.cn/r1.html", "2022-02-02"),
        ("http://w.gov.cn/r2.html", "2021-02-03"),
    ]
    (column,) = by_rel(links, "column")
    assert column.date is None


def test_home_page_box_heading_is_a_column_not_a_dated_report() -> None:
    html = """<div class="block"><h3><a href="/zfxxgk/ndbg/">政府信息公开年报</a><a href="/zfxxgk/ndbg/">更多</a></h3>
    <ul><li><a href="/n/1.html">关于道路施工的公告</a><span>2024-02-04</span></li></ul></div>
    <div class="block"><h3><a href="/zwdt/">政务动态</a></h3>
    <ul><li><a href="/n/2.html">全区召开会议</a><span>2024-02-01</span></li></ul></div>"""
    links = listing_links(html, "http://p.gov.cn/")
    assert by_rel(links, "report") == []
    assert urls(by_rel(links, "column")) == {"http://p.gov.cn/zfxxgk/ndbg/"}
    assert [i.url for i in listing_items(html, "http://p.gov.cn/")] == [
        "http://p.gov.cn/n/1.html",
        "http://p.gov.cn/n/2.html",
    ]


def test_a_comment_before_a_link_is_no_label() -> None:
    """TRS templates leave comments before links; reading one as a label made the whole detail page fail."""
    html = """<html><body><p>正文</p><p><!-- 相关链接 --><a href="/news/1.html">相关新闻</a></p>
    <p><!-- 附件 -->附件：<a href="/attach/download?fileId=7">报告全文</a></p></body></html>"""
    links = detail_links(html, "http://z.gov.cn/art/2022/1/25/art_1_1.html")
    assert urls(links) == {"http://z.gov.cn/attach/download?fileId=7"}


def test_attachments_written_by_script_or_embedded() -> None:
    html = """<html><body><iframe src="/pdfs/a.pdf"></iframe><script>
    var file_appendix = '<a href="./P020220125386.pdf">某县2021年法治政府建设年度报告.pdf</a>';
    </script></body></html>"""
    links = detail_links(html, "http://w.gov.cn/fz/202201/t1.html")
    assert urls(links) == {"http://w.gov.cn/pdfs/a.pdf", "http://w.gov.cn/fz/202201/P020220125386.pdf"}
    scripted = next(link for link in links if "P0202" in link.url)
    assert (scripted.kind, scripted.year) == ("rule_of_law", 2021)


HOSTILE_LISTING = """<html><body><ul>
<li><a href="javascript:openReport('2021')">某区2021年法治政府建设年度报告</a><span>2022-03-01</span></li>
<li><a href="data:text/html;base64,PHNjcmlwdD4=">某区2021年度法治政府建设情况的报告</a><span>2022-03-02</span></li>
<li><a href="file:///etc/passwd">某区2021年法治政府建设工作报告</a><span>2022-03-03</span></li>
<li><a href="  JavaScript:void(0)">某区2021年法治政府建设报告</a><span>2022-03-04</span></li>
<li><a href="vbscript:x">某区2021年度法治政府建设年度报告</a><span>2022-03-05</span></li>
</ul><p>附件：<a href="file:///C:/report.pdf">报告.pdf</a> <a href="data:application/pdf;base64,JVBE">附件1.pdf</a></p>
</body></html>"""


def test_javascript_data_and_file_links_never_become_requests() -> None:
    page = "http://www.example.gov.cn/fzzfjs/index.html"
    found = urls(listing_links(HOSTILE_LISTING, page)) | urls(listing_items(HOSTILE_LISTING, page))
    found |= {link.url for link in detail_links(HOSTILE_LISTING, page)}
    assert found == set() or all(u.startswith(("http://", "https://")) for u in found)
    assert not any(u.lower().startswith(("javascript:", "data:", "file:", "vbscript:")) for u in found)


def test_should_stop_when_every_report_is_known_from_the_state() -> None:
    """The spider passes `SiteState.known(year)`: listed or fetched by an earlier crawl of the same year."""
    from storage.state import SiteState

    state = SiteState("x")
    state.update("http://x/r1.html", year=2021, sha256="1", queued=True)
    links = [Link("report", "http://x/r1.html", "2021年法治政府建设年度报告", date="2022-02-01")]
    assert should_stop(links, year=2021, known=state.known(2021))
    assert not should_stop(links, year=2022, known=state.known(2022))


# ---------------------------------------------------------------------------------------------- sweep of real listings


MONTH_DAY_LISTING = """<html><body><table class="nav"><tr>
<td><a href="/wsfw/bgxz/">表格下载</a></td><td><a href="/wsfw/gjqc/">公交汽车</a></td>
<td><a href="/wsfw/cydh/">常用电话</a></td>
</tr></table><table>
<tr><td><img src="i.jpg"></td><td><a href="./201710/t20171019_398276.html"><span>招商引资推介会举行</span></a></td>
<td><span>10-19</span></td></tr>
<tr><td><img src="i.jpg"></td><td><a href="./201709/t20170925_396059.html"><span>交办信访件16-10处理情况</span></a></td>
<td><span>09-25</span></td></tr>
<tr><td><img src="i.jpg"></td><td><a href="/art/2017/9/3/art_1_1.html">中医药博览会暨第48届全国...</a></td>
<td>[9/3]</td></tr>
<tr><td><img src="i.jpg"></td><td><a href="/info/1071.html">关于道路施工的公告</a></td><td>8月30日</td></tr>
</table></body></html>"""


def test_month_day_dates_take_their_year_from_the_link() -> None:
    """Old TRS templates print "10-19" only: the year is the one in the article's URL (t20171019), if it has one."""
    items = listing_items(MONTH_DAY_LISTING, "http://www.zhangshu.gov.cn/zwgk/zhxx/index.html")
    assert [(i.title, i.date) for i in items] == [
        ("招商引资推介会举行", "2017-10-19"),
        ("交办信访件16-10处理情况", "2017-09-25"),
        ("中医药博览会暨第48届全国...", "2017-09-03"),
        ("关于道路施工的公告", None),  # an item all the same: its row is dated, only the year is not known
    ]
    assert items[2].truncated


def test_month_day_needs_a_standalone_date() -> None:
    html = """<ul><li><a href="/a/1.html">第一期培训班</a><span>第1-2期</span></li>
    <li><a href="/a/2.html">联系电话</a><span>3-12345678</span></li></ul>"""
    assert listing_items(html, "http://x.gov.cn/") == []
    assert find_date("10-19") is None  # a full date needs its year: month-day stays a row matter


COUNT_PAGE_SCRIPT = """<html><body><table><tr><td>
<a href="./202009/t20200903_2748784.html">某市2019年政府信息公开工作年度报告</a></td>
<td>2020-09-03</td></tr></table><script language="JavaScript">
var currentPage = 1;//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = 3//共多少页
document.write("&nbsp;<a href=\\"index."+"html\\">首页</a>&nbsp;|");
if(countPage>1&&currentPage!=(countPage-1))
document.write("&nbsp;<a href=\\"index"+"_" + nextPage + "."+"html\\"><span>下一页</span></a>");
</script></body></html>"""


def test_trs_count_page_script_gives_the_other_pages() -> None:
    """A TRS template that writes its pager from `var countPage` without calling createPageHTML."""
    links = listing_links(COUNT_PAGE_SCRIPT, "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index_1.html")
    assert urls(by_rel(links, "page")) == {
        "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index.html",
        "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index_2.html",
    }


def test_day_and_year_month_in_separate_elements() -> None:
    """Card templates print the day large and the year-month beside it: `<span>05</span><p>2021-03</p>`."""
    html = """<ul class="list"><li><div class="date"><span>05</span><p>2021-03</p></div>
    <a href="/a/1.html">关于某事的通知</a></li>
    <li><a href="/a/2.html"><div class="t">2021年度法治政府建设情况报告</div>
    <div class="d"><b>28</b><i>2022/02</i></div></a></li>
    <li><div class="date"><span>阅读 5</span></div><a href="/a/3.html">关于另事的通知</a></li></ul>"""
    items = listing_items(html, "http://x.gov.cn/")
    assert [(i.url, i.title, i.date) for i in items] == [
        ("http://x.gov.cn/a/1.html", "关于某事的通知", "2021-03-05"),
        ("http://x.gov.cn/a/2.html", "2021年度法治政府建设情况报告", "2022-02-28"),
    ]


def test_a_date_inside_the_link_is_not_part_of_its_title() -> None:
    html = """<ul><li><a href="/r/1.html"><span class="t">某县2021年法治政府建设年度报告</span>
    <span class="d">2022-01-25</span></a></li>
    <li><a href="/r/2.html"><span>某县2020年法治政府建设年度报告</span><span>[01-20]</span></a></li></ul>"""
    (first, second) = by_rel(listing_links(html, "http://x.gov.cn/fz/"), "report")
    assert (first.title, first.date) == ("某县2021年法治政府建设年度报告", "2022-01-25")
    assert (second.title, second.date) == ("某县2020年法治政府建设年度报告", None)
    assert [i.title for i in listing_items(html, "http://x.gov.cn/fz/")] == [first.title, second.title]


def test_month_day_in_prose_or_a_note_is_no_date() -> None:
    html = """<div><p>2009年移居台湾；8月19日发行<a href="/item/1">若你碰到他</a>，入围金曲奖<sup>[5-6]</sup></p>
    <p>并于6月6日发行《<a href="/item/2">陌生人</a>》专辑</p></div>"""
    assert listing_items(html, "http://baike.example.com/") == []


@pytest.mark.parametrize(
    "pager",
    [
        '<a href="index_1.html"><img src="next.gif" alt="下一页"></a>',
        '<a href="index_1.html">下一页&gt;&gt;</a>',
        '<a href="index_1.html">[下一页]</a>',
        '<a href="index_1.html">【下一页】</a>',
        '<a href="index_1.html">Next »</a>',
        '<a href="index_1.html">下一页 ›</a>',
    ],
)
def test_next_page_labels_with_brackets_arrows_or_images(pager: str) -> None:
    html = f'<html><body><ul><li><a href="/a.html">x</a></li></ul><div class="page">{pager}</div></body></html>'
    links = listing_links(html, "http://x.gov.cn/col/index.html")
    assert urls(by_rel(links, "next")) == {"http://x.gov.cn/col/index_1.html"}


def test_last_and_first_page_labels_are_not_next() -> None:
    html = """<div class="page"><a href="index.html">首页</a><a href="index_9.html">尾页</a>
    <a href="index_8.html">末页&gt;&gt;</a><a href="index.html">上一页</a></div>"""
    assert by_rel(listing_links(html, "http://x.gov.cn/col/index_3.html"), "next") == []


def test_numbered_pager_without_a_next_label() -> None:
    """Page numbers alone (`1 <a>2</a> <a>3</a>`) name the column's other pages, in files or parameters."""
    html = """<ul><li><a href="/a.html">x</a></li></ul><div class="page"><span>1</span>
    <a href="list_2.html">2</a><a href="list_3.html">3</a><a href="/other/list_4.html">4</a><a href="/a/5.html">5</a>
    <a href="iList.jsp?node_id=GK&amp;cur_page=2">2</a></div>"""
    links = listing_links(html, "http://x.gov.cn/col/list.html")
    assert urls(by_rel(links, "page")) | urls(by_rel(links, "next")) == {
        "http://x.gov.cn/col/list_2.html",
        "http://x.gov.cn/col/list_3.html",
    }
    links = listing_links(html, "http://x.gov.cn/col/iList.jsp?node_id=GK&cur_page=1")
    assert urls(by_rel(links, "next")) == {"http://x.gov.cn/col/iList.jsp?node_id=GK&cur_page=2"}


def test_a_column_link_to_the_listing_itself_is_no_column() -> None:
    """TRS breadcrumbs and menus link the current column as "./": its folder is the page being read."""
    html = """<td class="pos"><a href="../../">首页</a> &gt;&gt; <a href="./">信息公开年报</a></td>
    <td><a href="../fzzf/">法治政府建设</a></td>"""
    links = listing_links(html, "http://www.ordos.gov.cn/egb/xxgk/xxgknb/index.html")
    assert urls(by_rel(links, "column")) == {"http://www.ordos.gov.cn/egb/xxgk/fzzf/"}


def test_review_cases_month_day_pieces_inside_titles_fractions_and_impossible_days() -> None:
    """A month-day inside the title's own markup is the title's; "(1/2)" beside a link dated 01-05 by its URL is
    no date; "02-30" is no day."""
    url = "http://x.gov.cn/col/"
    rows = (
        '<li><a href="/art/2021/7/15/t20210715_1.html">2021年<font>1-6</font>月财政收支情况</a>'
        "<span>2021-07-15</span></li>"
        '<li><a href="/t20210105_1.html">某县2020年度报告</a>(1/2)</li>'
        '<li><a href="/t20210228_1.html">某县报告</a><span>02-30</span></li>'
    )
    items = {i.url.rsplit("/", 1)[1]: i for i in listing_items(f"<ul>{rows}</ul>".encode(), url)}
    assert items["t20210715_1.html"].title == "2021年1-6月财政收支情况"
    assert items["t20210715_1.html"].date == "2021-07-15"
    assert items["t20210105_1.html"].date is None
    assert items["t20210228_1.html"].date is None


def test_page_parameters_of_other_columns_are_not_this_columns_pages() -> None:
    """JSP portals link every column as list.jsp?node_id=X&cur_page=1: only this column's pages follow."""
    url = "http://x.gov.cn/col/iList.jsp?node_id=GK&cur_page=2"
    page = (
        '<div class="menu"><a href="iList.jsp?node_id=ZWDT&cur_page=1">政务动态</a>'
        '<a href="iList.jsp?node_id=TZGG&cur_page=1">通知公告</a></div>'
        '<div class="pager"><a href="iList.jsp?node_id=GK&cur_page=1">上一页</a>'
        '<a href="iList.jsp?node_id=GK&cur_page=3">下一页</a></div>'
    )
    pages = {link.url for link in listing_links(page.encode(), url) if link.rel in ("next", "page")}
    assert pages == {
        "http://x.gov.cn/col/iList.jsp?node_id=GK&cur_page=1",
        "http://x.gov.cn/col/iList.jsp?node_id=GK&cur_page=3",
    }


def test_count_page_scripts_need_a_written_file_name_and_may_count_from_one() -> None:
    from crawler.pagination import count_page_links

    url = "http://x.gov.cn/col/index.html"
    variable = (
        'var currentPage = 0; var countPage = 5; var n = "index"; s = "<a href=\\"" + n + "_" + p + "." + "html\\">";'
    )
    assert count_page_links(variable, url) == []
    from_one = 'var currentPage = 1; var countPage = 3; s = "<a href=\\"index" + "_" + p + "." + "html\\">下一页</a>";'
    assert [link.url for link in count_page_links(from_one, url)] == [
        "http://x.gov.cn/col/index_1.html",
        "http://x.gov.cn/col/index_2.html",
    ]


def test_second_review_cases_badges_creation_dates_and_volatile_page_parameters() -> None:
    url = "http://x.gov.cn/col/"
    rows = (
        '<li><a href="./202201/t20220125_1.html"><span>某县2021年度政府信息公开工作年度报告</span>'
        "<span>01-25</span><em>置顶</em></a></li>"
        '<li><a href="./202201/t20220125_2.html">某县通知</a><span>01-26</span></li>'  # listed a day after creation
        '<li><a href="/202101/t20210105_1.html">某县2020年度报告</a>(1/2)</li>'
    )
    items = {i.url.rsplit("/", 1)[1]: i for i in listing_items(f"<ul>{rows}</ul>".encode(), url)}
    assert items["t20220125_1.html"].date == "2022-01-25"
    assert "01-25" not in items["t20220125_1.html"].title
    assert items["t20220125_2.html"].date == "2022-01-26"
    assert items["t20210105_1.html"].date is None
    here = "http://x.gov.cn/list.jsp?node_id=5&cur_page=2&totalpage=20"
    pager = '<a href="list.jsp?node_id=5&cur_page=3&totalpage=21">下一页</a>'
    pager += '<a href="list.jsp?channel=ZW&cur_page=1">政务</a>'  # another column, named by another parameter
    pages = [link.url for link in listing_links(pager.encode(), here) if link.rel in ("next", "page")]
    assert pages == ["http://x.gov.cn/list.jsp?node_id=5&cur_page=3&totalpage=21"]


def test_a_spaced_number_inside_a_title_is_part_of_it() -> None:
    page = '<ul><li><a href="/t20210715_1.html">2021年 <font>1-6</font> 月财政收支情况</a></li></ul>'
    assert listing_items(page.encode(), "http://x.gov.cn/col/") == []  # no date: not a dated item
