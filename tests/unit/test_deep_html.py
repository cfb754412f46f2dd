"""A page nested 20,000 levels deep (a `<div>` or `<font>` opened in a loop) still yields its links, title and text.

libxml2 stops building the tree at depth 256 and drops the rest: the crawler and the extractor parse such a page
again with the wrappers below the limit removed (nianbao.markup.shallow).
"""

from __future__ import annotations

import lxml.html

from crawler.links import parse_html
from crawler.listing import listing_links
from crawler.site import page_title_of
from nianbao.markup import DEPTH_LIMIT, shallow
from workers.extract import extract

TITLE = "测试区2021年法治政府建设年度报告"
DEEP = 20_000


def test_a_listing_20000_divs_deep_still_gives_its_report_link() -> None:
    item = f'<ul><li><a href="/r.html">{TITLE}</a><span>2022-03-01</span></li></ul>'
    html = f"<html><body>{'<div>' * DEEP}{item}{'</div>' * DEEP}</body></html>"
    links = listing_links(parse_html(html), "http://x.gov.cn/list.html")
    assert [(link.rel, link.url) for link in links] == [("report", "http://x.gov.cn/r.html")]


def test_a_report_page_of_unclosed_font_tags_still_gives_its_title() -> None:
    html = f"<html><body>{'<font>' * DEEP}<h1>{TITLE}</h1><p>正文</p></body></html>"
    assert page_title_of(parse_html(html)) == TITLE


def test_a_report_20000_elements_deep_still_yields_its_text() -> None:
    paragraphs = ["一、主要举措和成效。全年审查规范性文件二十三件。", "二、存在的不足和原因。基层执法力量较为薄弱。"]
    body = "".join(f"<p>{line}</p>" for line in paragraphs)
    for page in (
        f"<html><body><h1>{TITLE}</h1>{'<div>' * DEEP}{body}</body></html>",  # unclosed
        f"<html><body><h1>{TITLE}</h1>{'<font>' * DEEP}{body}{'</font>' * DEEP}</body></html>",  # closed
    ):
        record = extract(page.encode("utf-8"), url="http://x.gov.cn/r.html", content_type="text/html; charset=utf-8")
        assert record.title == TITLE
        assert record.text.split("\n") == paragraphs


def test_shallow_keeps_every_text_and_non_wrapper_tag() -> None:
    html = "<div>" * 500 + '<p>甲<a href="/x">乙</a></p><table><tr><td>丙</td></tr></table>' + "</div>" * 500
    flat = lxml.html.fromstring(shallow(html))
    assert flat.text_content() == "甲乙丙"
    assert flat.xpath("//a/@href") == ["/x"] and flat.xpath("//td/text()") == ["丙"]
    assert max(len(list(e.iterancestors())) for e in flat.iter()) <= DEPTH_LIMIT + 5


def test_an_ordinary_page_is_parsed_once_as_it_is() -> None:
    html = "<html><body><div><p>一段</p></div></body></html>"
    assert shallow(html) == html
