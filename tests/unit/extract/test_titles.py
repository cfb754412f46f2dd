"""Title rules: which heading, block or <title> part is the report's title, and the text does not repeat it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.extract.pages import COUNTY_TITLE, SECTIONS, legacy_page, page, paragraphs
from workers.extract import extract
from workers.extract.html import parse
from workers.extract.metadata import find_title

REPLICA = Path(__file__).resolve().parents[3] / "replica" / "site"
LINKS = "<ul>" + "".join(f"<li><a href='/{i}'>某某动态第{i}则消息</a></li>" for i in range(3)) + "</ul>"
BODY = "<p>" + "正文内容正文内容。" * 30 + "</p>"


def test_a_page_titled_with_its_column_name_takes_the_report_title_it_shows() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<div class="se_nav"><h3>首页 - 通知公告</h3></div>
<div class="xq"><h5>某某县2021年法治政府建设年度报告</h5><div class="ly">发布时间：2022-01-20</div>
<div class="detailCon">{paragraphs()}</div></div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record.title == "某某县2021年法治政府建设年度报告"
    assert record.report_kind == "rule_of_law" and record.report_year == 2021


def test_a_column_titled_page_with_its_own_heading_is_not_the_report_it_names() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>关于做好年度报告报送工作的通知</h1><p>各单位：请按时报送。</p><p>某某县2021年法治政府建设年度报告</p>
{paragraphs()}</body></html>"""
    record = extract(page.encode("utf-8"))
    assert record.title != "某某县2021年法治政府建设年度报告"
    assert record.report_kind is None


def test_a_title_suffix_after_a_plain_space_goes_when_the_page_shows_the_title_without_it() -> None:
    """A <title> like "…调研工作 东区办事处_中山网": the office name after a space; the page shows the title alone."""
    title = "某某局召开2021年法治政府建设工作会议"
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title} 东区办事处_某某网</title></head><body><table><tr><td>现在位置：首页 &gt;&gt; 东区新闻</td></tr>
<tr><td><div align="center"><span class="Title"><b>{title}</b></span><br>来源于：东区办事处</div></td></tr>
<tr><td>{paragraphs()}</td></tr></table></body></html>"""
    assert extract(page.encode("gb18030")).title == title
    # A title the page shows whole keeps its last word.
    spaced = "某某局召开法治政府建设 工作推进会"
    page = f"""<html><head><meta charset="utf-8"><title>{spaced}_某某网</title></head><body>
<h1>{spaced}</h1><div class="content">{paragraphs()}
<p>会议指出，{spaced.split()[0]}要再上新台阶。</p></div></body></html>"""
    assert extract(page.encode("utf-8")).title == spaced


def test_a_breadcrumb_ending_in_the_report_title_is_not_the_title() -> None:
    crumb = "<div class='crumb'>首页 &gt; 法治政府 &gt; 某某县2021年法治政府建设年度报告</div>"
    body = f"{crumb}<div class='title'>某某县2021年法治政府建设年度报告</div>{paragraphs()}"
    assert extract(page("某某县人民政府", body)).title == "某某县2021年法治政府建设年度报告"


def test_a_title_suffix_that_carries_the_reports_kind_is_not_a_site_suffix() -> None:
    """A space-separated <title> suffix that carries the report's kind ("… 2021年度政务公开年报") stays."""
    body = f"<div>某某区教育局2021年度政务公开年报</div>{paragraphs()}<p>某某区教育局</p>"
    assert extract(page("某某区教育局 2021年度政务公开年报", body)).report_kind == "info_disclosure"


def test_a_logo_heading_gives_way_to_the_title_block() -> None:
    """A site-named <h1> (the portal's logo text) over a <div class="title">: the block is the report's title."""
    html = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>某某县人民政府门户网站</h1><div class="title">某某县2021年政府信息公开工作年度报告</div>
{paragraphs()}</body></html>"""
    assert extract(html.encode("utf-8")).report_kind == "info_disclosure"


@pytest.mark.parametrize(
    "head",
    [
        "<title>广州市番禺区人民政府-关于2021年度法治政府建设情况的报告</title>",  # the site first, a tight hyphen
        "<title>首页 &gt; 政务公开 &gt; 关于2021年度法治政府建设情况的报告</title>",  # a breadcrumb
        "<title>番禺区人民政府门户网站</title>",  # only the site: the title is in a block of the page
    ],
)
def test_the_report_title_is_found_wherever_the_page_writes_it(head: str) -> None:
    page = (
        f"<html><head>{head}</head><body><div class='nav'><a href='/a'>2020年度法治政府建设报告</a></div>"
        "<div class='title'>关于2021年度法治政府建设情况的报告</div><div id='zoom'><p>"
        + "2021年，番禺区坚持依法行政，推进法治政府建设。" * 8
        + "</p></div></body></html>"
    )
    record = extract(page.encode("utf-8"))
    assert (record.title, record.report_kind, record.report_year) == (
        "关于2021年度法治政府建设情况的报告",
        "rule_of_law",
        2021,
    )


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("一图读懂 | 2021年政府信息公开工作年度报告_某某县人民政府", "一图读懂"),  # an explainer stays one
        ("某县2022年法治政府建设工作要点-法治政府建设年度报告-某县人民政府", "某县2022年法治政府建设工作要点"),
        (
            "某县人民政府 &gt; 信息公开 &gt; 政府信息公开年报 &gt; 2021年某县政府信息公开工作年度报告",
            "2021年某县政府信息公开工作年度报告",  # the longest part that names a report, not the column
        ),
    ],
)
def test_a_title_part_is_taken_only_when_the_whole_title_names_a_report(head: str, title: str) -> None:
    assert find_title(parse(f"<html><head><title>{head}</title></head><body><p>x</p></body></html>")) == title


def test_a_site_named_page_takes_its_heading_not_a_sentence_naming_a_report() -> None:
    body = "<h1>我县召开2022年第一次县政府常务会议</h1><p>会议审议通过了《某县2021年法治政府建设年度报告》。</p>"
    assert find_title(parse(f"<html><head><title>某县人民政府</title></head><body>{body}</body></html>")) == (
        "我县召开2022年第一次县政府常务会议"
    )
    nested = (
        "<div><div class='title'>某区2021年政府信息公开工作年度报告</div>"
        "<div>发布时间：2022-01-25 来源：某区人民政府办公室</div></div>"
    )
    page = f"<html><head><title>某区人民政府门户网站</title></head><body>{nested}</body></html>"
    assert find_title(parse(page)) == "某区2021年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("block", "title"),
    [
        ("<table><tr><td class='title'>我县召开防汛工作会议</td></tr></table>", "我县召开防汛工作会议"),
        ("<div id='biaoti'>我县召开防汛工作会议</div>", "我县召开防汛工作会议"),
        ("<span id='lblTitle'>我县召开防汛工作会议</span>", "我县召开防汛工作会议"),
        # Not the title: the site's or a column's name, a subtitle, a link, a sentence.
        ("<div class='site-title'>某县人民政府门户网站</div>", "某县人民政府门户网站"),
        ("<div class='subtitle'>副标题内容在这里写着</div>", "某县人民政府门户网站"),
        ("<div class='title'><a href='/x'>另一篇文章的标题</a></div>", "某县人民政府门户网站"),
        ("<div class='title'>会议要求各单位做好防汛工作。</div>", "某县人民政府门户网站"),
    ],
)
def test_a_site_named_page_without_headings_takes_the_block_named_title(block: str, title: str) -> None:
    """Old CMSs title every page with the site's name and write the article's title in <td class="title">."""
    page = (
        f"<html><head><title>某县人民政府门户网站</title></head><body>{block}<p>{'正文内容。' * 30}</p></body></html>"
    )
    assert find_title(parse(page)) == title


def test_a_site_named_page_prefers_the_report_title_to_a_sidebar_heading() -> None:
    """A short heading labels a box ("最新动态"); the report's title is in a bold centred block."""
    body = (
        f"<table><tr><td><div align='center'><font size='4'><b>{COUNTY_TITLE}</b></font></div>"
        + "".join(f"<p>{line}</p>" for line in SECTIONS)
        + "</td><td><h3>最新动态</h3>"
        + LINKS
        + "</td></tr></table>"
    )
    assert extract(legacy_page(body)).title == COUNTY_TITLE


def test_the_text_does_not_repeat_the_title() -> None:
    """trafilatura keeps the page's heading on some pages (this replica page) and not on others; the title is a
    field of its own."""
    path = REPLICA / "changping" / "art" / "2022" / "1" / "25" / "art_1234_5071.html"
    record = extract(path.read_bytes(), url="http://127.0.0.1/art/2022/1/25/art_1234_5071.html")
    assert record.title == "常平镇2021年法治政府建设年度报告"
    assert record.text.startswith("2021年是中国共产党成立100周年")


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (
            f"<div class='left'><div class='box-title'>县政府领导活动报道</div>{LINKS}</div><h1>停水通知</h1>",
            "停水通知",
        ),
        ("<div class='title'>某某县人民政府信息公开专栏</div><h1>政府工作报告</h1>", "政府工作报告"),
        ("<div class='side'><p>某某县2022年政府信息公开工作年度报告</p></div><h1>政府工作报告</h1>", "政府工作报告"),
        (f"<div class='side'><h3>最新动态</h3>{LINKS}</div><h1>政府工作报告</h1>", "政府工作报告"),
        (
            f"<div class='side'><h3>最新动态</h3>{LINKS}</div><div align='center'><b>{COUNTY_TITLE}</b></div>",
            COUNTY_TITLE,
        ),
    ],
)
def test_a_site_named_page_takes_its_own_heading_not_a_boxs_label(body: str, title: str) -> None:
    """A heading over a list of links labels a sidebar box; a short heading of the page's own is its title."""
    html = f"<html><head><title>某某县人民政府</title></head><body>{body}{BODY}</body></html>"
    assert find_title(parse(html)) == title


def test_a_toolbar_under_the_heading_does_not_make_it_a_label() -> None:
    tools = "<div class='tools'>字号：<a>大</a> <a>中</a> <a>小</a> <a>打印</a> <a>关闭</a></div>"
    body = f"<h1>关于做好春季防火工作的通知</h1>{tools}<div class='content'>{BODY}<h3>一、主要工作情况</h3>{BODY}</div>"
    html = f"<html><head><title>某某县人民政府门户网站</title></head><body>{body}</body></html>"
    assert find_title(parse(html)) == "关于做好春季防火工作的通知"
