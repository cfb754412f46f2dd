"""Layout rules: forms are unwrapped and layout tables become paragraphs, so the body is found."""

from __future__ import annotations

from tests.unit.extract.pages import REPORT, paragraphs
from workers.extract import extract


def test_a_page_wrapped_in_a_form_keeps_its_body() -> None:
    """ASP.NET portals wrap the whole page in <form id="form1">, VSB (博达) sites the article in a named form."""
    page = f"""<html><head><meta charset="utf-8"><title>2021年法治政府建设工作报告-某某局</title></head><body>
<form name="form1" method="post" action="./show.aspx" id="form1"><input type="hidden" name="__VIEWSTATE" value="x">
<div class="nav"><a href="/">首页</a> <a href="/a">机构概况</a></div>
<h1>2021年法治政府建设工作报告</h1><div>发布时间：2022-01-20</div>
<form name="_newscontent_fromname"><div id="vsb_content">{paragraphs()}</div></form>
<div class="footer">版权所有：某某局</div></form></body></html>"""
    record = extract(page.encode("utf-8"))
    for line in REPORT:
        assert line in record["text"]
    assert record["published"] == "2022-01-20"


def test_a_page_laid_out_in_nested_tables_comes_out_as_paragraphs_without_toolbar_rows() -> None:
    """Old portals lay the whole page out in tables; the body cell holds the paragraphs."""
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设年度报告</title></head><body>
<table width="1000"><tr><td><table><tr><td><a>添加收藏夹</a> | <a>设为首页</a> | 关于我们</td></tr></table></td></tr>
<tr><td><table><tr><td>位置：<a>首页</a> &gt; <a>通知公告</a></td></tr>
<tr><td align="center"><b>某某局2021年法治政府建设年度报告</b></td></tr>
<tr><td>来源：某某局 | 发布时间：2022-01-20 | 浏览次数：215</td></tr>
<tr><td><table border="1"><tr><td>{paragraphs()}
<table><tr><th>项目</th><th>数量</th></tr><tr><td>行政复议案件</td><td>12件</td></tr></table></td></tr></table></td></tr>
</table></td></tr></table></body></html>"""
    text = extract(page.encode("utf-8"))["text"]
    lines = text.splitlines()
    for line in REPORT:
        assert line in lines  # a paragraph a line, not all in one table cell
    assert "行政复议案件 | 12件" in text.replace("| 行政复议案件", "行政复议案件")  # the data table stays a table
    for furniture in ("添加收藏夹", "位置", "浏览次数", "|  |"):
        assert furniture not in text, furniture


def test_scripts_styles_and_controls_are_no_text_and_blocks_are_lines() -> None:
    """rules.HIDDEN_TAGS are not text a reader sees; rules.BLOCK_TAGS each start a line, a row's cells split by |."""
    from workers.extract.html import parse, prune_scripts, tree_text

    page = """<html><head><style>p { color: red }</style><script>var x = "脚本";</script></head><body>
<div>第一段<span>仍在第一段</span></div><select><option>选项</option></select><p>第二段</p>
<table><tr><td>甲</td><td>乙</td></tr></table></body></html>"""
    assert tree_text(prune_scripts(parse(page))).splitlines() == ["第一段仍在第一段", "第二段", "甲 | 乙"]
