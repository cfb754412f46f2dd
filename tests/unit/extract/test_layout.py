"""Layout rules: forms are unwrapped and layout tables become paragraphs, so the body is found; data tables stay tables
(a row a line, its cells split by " | ")."""

from __future__ import annotations

from tests.unit.extract.pages import COUNTY_TITLE, REPORT, SECTIONS, body_of, legacy_page, paragraphs, portal_page, seed
from workers.extract import extract

MENU = (
    "<div class='top'><a href='/'>首页</a> | <a href='/a'>政务公开</a> | <a href='/b'>办事服务</a> | "
    "<a href='/c'>互动交流</a></div>"
)
FOOTER = "<div class='foot'>主办：某某县人民政府办公室 版权所有 网站标识码：1234567890</div>"


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
        assert line in record.text
    assert record.published == "2022-01-20"


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
    text = extract(page.encode("utf-8")).text
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


def test_tables_are_kept_as_rows() -> None:
    table = (
        "<table><tr><th>项目</th><th>数量</th></tr><tr><td>行政复议案件</td><td>12件</td></tr>"
        "<tr><td>行政诉讼案件</td><td>5件</td></tr></table>"
    )
    body = body_of(seed("000"), "2021年是中国共产党成立100周年")
    page = portal_page("常平镇2021年法治政府建设年度报告", body).replace(
        '</div>\n<div class="bdshare"', table + '</div>\n<div class="bdshare"'
    )
    text = extract(page.encode("utf-8")).text
    assert "行政复议案件" in text and "12件" in text


def test_a_report_written_into_one_table_cell_with_line_breaks_keeps_its_paragraphs() -> None:
    """Old portals lay the page out in a one-column table and write the report with <br> between paragraphs."""
    cell = "<br>".join("&nbsp;&nbsp;&nbsp;&nbsp;" + line for line in SECTIONS)
    body = (
        f"<table width='980'><tr><td>{MENU}</td></tr><tr><td class='bt'>{COUNTY_TITLE}</td></tr>"
        f"<tr><td>发布时间：2022-03-16</td></tr><tr><td style='font-size:14px'>{cell}</td></tr></table>{FOOTER}"
    )
    record = extract(legacy_page(body))
    assert set(SECTIONS) <= set(record.text.splitlines())  # a line each, not one "| … |" row
    assert (record.title, record.published) == (COUNTY_TITLE, "2022-03-16")


def test_a_data_table_whose_cells_list_items_with_line_breaks_stays_a_table() -> None:
    basis = "<br>".join(
        f"{i}.《某某法》第{i}条规定，县级以上人民政府有关部门应当依法履行职责，做好相关工作。" for i in range(1, 5)
    )
    table = (
        "<table border='1'><tr><th>序号</th><th>事项名称</th><th>事项类型</th><th>设定依据</th></tr>"
        f"<tr><td>1</td><td>建设工程规划许可证核发</td><td>行政许可</td><td>{basis}</td></tr></table>"
    )
    body = f"<h1>{COUNTY_TITLE}</h1><div id='zoom'>" + "".join(f"<p>{line}</p>" for line in SECTIONS) + table + "</div>"
    assert "| 序号 | 事项名称 | 事项类型 | 设定依据 |" in extract(legacy_page(body)).text


def test_a_data_table_with_a_full_width_note_row_stays_a_table() -> None:
    rows = "".join(f"<tr><td>{i}</td><td>某某局</td><td>3</td><td>2</td></tr>" for i in range(1, 4))
    note = "<br>".join(f"{i}.本表数据统计口径为本年度内受理和审结的全部案件，不含上年度结转案件。" for i in range(1, 5))
    table = (
        "<table border='1'><tr><th>序号</th><th>单位</th><th>受理数</th><th>审结数</th></tr>"
        f"{rows}<tr><td colspan='4'>备注：{note}</td></tr></table>"
    )
    body = f"<h1>{COUNTY_TITLE}</h1><div id='zoom'>" + "".join(f"<p>{line}</p>" for line in SECTIONS) + table + "</div>"
    assert "| 序号 | 单位 | 受理数 | 审结数 |" in extract(legacy_page(body)).text
