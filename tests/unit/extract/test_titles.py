"""Title rules: which heading, block or <title> part is the report's title."""

from __future__ import annotations

from tests.unit.extract.pages import page, paragraphs
from workers.extract import extract


def test_a_page_titled_with_its_column_name_takes_the_report_title_it_shows() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<div class="se_nav"><h3>首页 - 通知公告</h3></div>
<div class="xq"><h5>某某县2021年法治政府建设年度报告</h5><div class="ly">发布时间：2022-01-20</div>
<div class="detailCon">{paragraphs()}</div></div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["title"] == "某某县2021年法治政府建设年度报告"
    assert record["report_kind"] == "rule_of_law" and record["report_year"] == 2021


def test_a_column_titled_page_with_its_own_heading_is_not_the_report_it_names() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>关于做好年度报告报送工作的通知</h1><p>各单位：请按时报送。</p><p>某某县2021年法治政府建设年度报告</p>
{paragraphs()}</body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["title"] != "某某县2021年法治政府建设年度报告"
    assert record["report_kind"] is None


def test_a_title_suffix_after_a_plain_space_goes_when_the_page_shows_the_title_without_it() -> None:
    """A <title> like "…调研工作 东区办事处_中山网": the office name after a space; the page shows the title alone."""
    title = "某某局召开2021年法治政府建设工作会议"
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title} 东区办事处_某某网</title></head><body><table><tr><td>现在位置：首页 &gt;&gt; 东区新闻</td></tr>
<tr><td><div align="center"><span class="Title"><b>{title}</b></span><br>来源于：东区办事处</div></td></tr>
<tr><td>{paragraphs()}</td></tr></table></body></html>"""
    assert extract(page.encode("gb18030"))["title"] == title
    # A title the page shows whole keeps its last word.
    spaced = "某某局召开法治政府建设 工作推进会"
    page = f"""<html><head><meta charset="utf-8"><title>{spaced}_某某网</title></head><body>
<h1>{spaced}</h1><div class="content">{paragraphs()}
<p>会议指出，{spaced.split()[0]}要再上新台阶。</p></div></body></html>"""
    assert extract(page.encode("utf-8"))["title"] == spaced


def test_a_breadcrumb_ending_in_the_report_title_is_not_the_title() -> None:
    crumb = "<div class='crumb'>首页 &gt; 法治政府 &gt; 某某县2021年法治政府建设年度报告</div>"
    body = f"{crumb}<div class='title'>某某县2021年法治政府建设年度报告</div>{paragraphs()}"
    assert extract(page("某某县人民政府", body))["title"] == "某某县2021年法治政府建设年度报告"


def test_a_title_suffix_that_carries_the_reports_kind_is_not_a_site_suffix() -> None:
    """A space-separated <title> suffix that carries the report's kind ("… 2021年度政务公开年报") stays."""
    body = f"<div>某某区教育局2021年度政务公开年报</div>{paragraphs()}<p>某某区教育局</p>"
    assert extract(page("某某区教育局 2021年度政务公开年报", body))["report_kind"] == "info_disclosure"


def test_a_logo_heading_gives_way_to_the_title_block() -> None:
    """A site-named <h1> (the portal's logo text) over a <div class="title">: the block is the report's title."""
    html = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>某某县人民政府门户网站</h1><div class="title">某某县2021年政府信息公开工作年度报告</div>
{paragraphs()}</body></html>"""
    assert extract(html.encode("utf-8"))["report_kind"] == "info_disclosure"
