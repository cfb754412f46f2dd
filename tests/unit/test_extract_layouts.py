"""Layouts of old portals and news sites (a probe of common page shapes; each page is small and synthetic)."""

from __future__ import annotations

from pathlib import Path

from workers.extract import extract

REPLICA = Path(__file__).resolve().parents[2] / "nianbao" / "replica" / "site"

TITLE = "某某县2021年法治政府建设年度报告"
REPORT = (
    "2021年，我县坚持以习近平新时代中国特色社会主义思想为指导，深入推进依法行政，法治政府建设取得新成效。" * 3,
    "一、主要举措和成效。全面落实重大行政决策程序，严格规范公正文明执法，行政复议体制改革稳步推进。" * 3,
    "二、存在的不足。部分干部法治意识有待增强，基层执法队伍力量较为薄弱，执法规范化水平仍需提升。" * 3,
    "三、下一步工作打算。持续深化法治政府建设，加强行政执法监督，推动法治政府建设再上新台阶。" * 3,
)
MENU = (
    "<div class='top'><a href='/'>首页</a> | <a href='/a'>政务公开</a> | <a href='/b'>办事服务</a> | "
    "<a href='/c'>互动交流</a></div>"
)
FOOTER = "<div class='foot'>主办：某某县人民政府办公室 版权所有 网站标识码：1234567890</div>"


def page(body: str, head: str = "<title>某某县人民政府</title>") -> bytes:
    return f"<html><head><meta charset='gb2312'>{head}</head><body>{body}</body></html>".encode("gb18030")


def test_a_menu_row_is_not_text_when_the_body_has_no_paragraphs() -> None:
    """trafilatura's fast mode keeps a row of short navigation links when the article is in bare <div>s."""
    body = MENU + f"<div class='article'><div class='tit'>{TITLE}</div><div class='con'>"
    body += "".join(f"<div>{line}</div>" for line in REPORT) + "</div></div>" + FOOTER
    record = extract(page(body))
    assert record["text"].splitlines() == list(REPORT)
    assert record["title"] == TITLE


def test_an_attachment_list_is_no_menu() -> None:
    """A list of long link texts (files, articles) is not navigation: only rows of words are."""
    files = "".join(f"<a href='/f{i}.pdf'>某某县2021年法治政府建设年度报告附件{i}.pdf</a> " for i in range(3))
    body = f"<h1>{TITLE}</h1><div id='zoom'>" + "".join(f"<p>{line}</p>" for line in REPORT)
    body += f"<p>{files}</p></div>"
    assert "附件0.pdf" in extract(page(body))["text"]


def test_a_report_written_into_one_table_cell_with_line_breaks_keeps_its_paragraphs() -> None:
    """Old portals lay the page out in a one-column table and write the report with <br> between paragraphs."""
    cell = "<br>".join("&nbsp;&nbsp;&nbsp;&nbsp;" + line for line in REPORT)
    body = (
        f"<table width='980'><tr><td>{MENU}</td></tr><tr><td class='bt'>{TITLE}</td></tr>"
        f"<tr><td>发布时间：2022-03-16</td></tr><tr><td style='font-size:14px'>{cell}</td></tr></table>{FOOTER}"
    )
    record = extract(page(body))
    assert record["text"].splitlines() == list(REPORT)
    assert (record["title"], record["published"]) == (TITLE, "2022-03-16")


def test_a_site_named_page_prefers_the_report_title_to_a_sidebar_heading() -> None:
    """A short heading labels a box ("最新动态"); the report's title is in a bold centred block."""
    body = (
        f"<table><tr><td><div align='center'><font size='4'><b>{TITLE}</b></font></div>"
        + "".join(f"<p>{line}</p>" for line in REPORT)
        + "</td><td><h3>最新动态</h3><ul><li><a href='/1'>某某动态一</a></li><li><a href='/2'>某某动态二</a></li></ul>"
        + "</td></tr></table>"
    )
    assert extract(page(body))["title"] == TITLE


def test_the_text_does_not_repeat_the_title() -> None:
    """trafilatura keeps the page's heading on some pages (this replica page) and not on others; the title is a
    field of its own."""
    path = REPLICA / "changping" / "art" / "2022" / "1" / "25" / "art_1234_5071.html"
    record = extract(path.read_bytes(), url="http://127.0.0.1/art/2022/1/25/art_1234_5071.html")
    assert record["title"] == "常平镇2021年法治政府建设年度报告"
    assert record["text"].startswith("2021年是中国共产党成立100周年")
