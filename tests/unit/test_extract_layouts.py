"""Layouts of old portals and news sites (a probe of common page shapes; each page is small and synthetic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workers.extract import extract
from workers.extract.html import parse
from workers.extract.metadata import find_title

REPLICA = Path(__file__).resolve().parents[2] / "replica" / "site"

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
LINKS = "<ul>" + "".join(f"<li><a href='/{i}'>某某动态第{i}则消息</a></li>" for i in range(3)) + "</ul>"
FOOTER = "<div class='foot'>主办：某某县人民政府办公室 版权所有 网站标识码：1234567890</div>"


def page(body: str, head: str = "<title>某某县人民政府</title>") -> bytes:
    return f"<html><head><meta charset='gb2312'>{head}</head><body>{body}</body></html>".encode("gb18030")


def test_short_link_lists_in_the_article_are_text() -> None:
    """Attachments with short names and lists of linked names are the article's, not navigation."""
    files = "".join(f"<li><a href='/f{i}.doc'>{i}.申报表</a></li>" for i in range(1, 4))
    towns = "、".join(f"<a href='/t{i}'>{name}</a>" for i, name in enumerate(("城关镇", "东关镇", "西关镇")))
    body = f"<h1>{TITLE}</h1><div id='zoom'>" + "".join(f"<div>{line}</div>" for line in REPORT)
    body += f"<div>获奖乡镇：</div><div>{towns}</div><div>附件：</div><ul>{files}</ul>"
    body += "<div>某某县人民政府办公室</div><div>2022年3月15日</div></div>"
    text = extract(page(body))["text"]
    assert all(name in text for name in ("城关镇", "东关镇", "西关镇", "1.申报表", "3.申报表"))


def test_a_report_written_into_one_table_cell_with_line_breaks_keeps_its_paragraphs() -> None:
    """Old portals lay the page out in a one-column table and write the report with <br> between paragraphs."""
    cell = "<br>".join("&nbsp;&nbsp;&nbsp;&nbsp;" + line for line in REPORT)
    body = (
        f"<table width='980'><tr><td>{MENU}</td></tr><tr><td class='bt'>{TITLE}</td></tr>"
        f"<tr><td>发布时间：2022-03-16</td></tr><tr><td style='font-size:14px'>{cell}</td></tr></table>{FOOTER}"
    )
    record = extract(page(body))
    assert set(REPORT) <= set(record["text"].splitlines())  # a line each, not one "| … |" row
    assert (record["title"], record["published"]) == (TITLE, "2022-03-16")


def test_a_data_table_whose_cells_list_items_with_line_breaks_stays_a_table() -> None:
    basis = "<br>".join(
        f"{i}.《某某法》第{i}条规定，县级以上人民政府有关部门应当依法履行职责，做好相关工作。" for i in range(1, 5)
    )
    table = (
        "<table border='1'><tr><th>序号</th><th>事项名称</th><th>事项类型</th><th>设定依据</th></tr>"
        f"<tr><td>1</td><td>建设工程规划许可证核发</td><td>行政许可</td><td>{basis}</td></tr></table>"
    )
    body = f"<h1>{TITLE}</h1><div id='zoom'>" + "".join(f"<p>{line}</p>" for line in REPORT) + table + "</div>"
    assert "| 序号 | 事项名称 | 事项类型 | 设定依据 |" in extract(page(body))["text"]


def test_a_site_named_page_prefers_the_report_title_to_a_sidebar_heading() -> None:
    """A short heading labels a box ("最新动态"); the report's title is in a bold centred block."""
    body = (
        f"<table><tr><td><div align='center'><font size='4'><b>{TITLE}</b></font></div>"
        + "".join(f"<p>{line}</p>" for line in REPORT)
        + "</td><td><h3>最新动态</h3>"
        + LINKS
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


BODY = "<p>" + "正文内容正文内容。" * 30 + "</p>"


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
        (f"<div class='side'><h3>最新动态</h3>{LINKS}</div><div align='center'><b>{TITLE}</b></div>", TITLE),
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


def test_a_data_table_with_a_full_width_note_row_stays_a_table() -> None:
    rows = "".join(f"<tr><td>{i}</td><td>某某局</td><td>3</td><td>2</td></tr>" for i in range(1, 4))
    note = "<br>".join(f"{i}.本表数据统计口径为本年度内受理和审结的全部案件，不含上年度结转案件。" for i in range(1, 5))
    table = (
        "<table border='1'><tr><th>序号</th><th>单位</th><th>受理数</th><th>审结数</th></tr>"
        f"{rows}<tr><td colspan='4'>备注：{note}</td></tr></table>"
    )
    body = f"<h1>{TITLE}</h1><div id='zoom'>" + "".join(f"<p>{line}</p>" for line in REPORT) + table + "</div>"
    assert "| 序号 | 单位 | 受理数 | 审结数 |" in extract(page(body))["text"]


def test_a_short_article_is_not_furniture_for_naming_its_neighbours() -> None:
    """A short notice's container holds its 上一篇 link too: a block with a sentence in it is not furniture."""
    notice = (
        "<p>因管道维修，定于2021年3月10日全天停水，请各用户提前做好储水准备。给您带来的不便，敬请谅解。</p>"
        "<p>某某县水务局</p><p>2021年3月8日</p>"
    )
    body = (
        f"<div class='detail'><h1>停水通知</h1><div class='TRS_Editor'>{notice}</div>"
        "<div>上一篇：<a href='/p'>关于某某的通知</a></div></div>"
    )
    record = extract(f"<html><head><title>停水通知_某某县人民政府</title></head><body>{body}</body></html>".encode())
    assert "因管道维修" in record["text"] and "上一篇" not in record["text"]
    assert record["published"] == "2021-03-08"


def test_furniture_with_a_sentence_beside_an_article_stays_out() -> None:
    """Only the report's own container (its heading, its CMS content box) is kept for holding a sentence: a
    footer, a tip or a disclaimer with a sentence in it is still furniture."""
    blocks = (
        "<div class='ft'><p>本网站所有内容，未经书面授权不得转载、摘编或以其他方式使用，违者必究。</p>"
        "<p>版权所有：某某区人民政府 苏ICP备05012345号</p></div>",
        "<div class='tip'><p>温馨提示：如您对本文件有任何疑问，请拨打12345政务服务热线或登录区政府网站咨询。</p>"
        "<p><a href='#'>【打印本页】</a> <a href='#'>【关闭窗口】</a></p></div>",
    )
    article = f"<h1>{TITLE}</h1><div class='TRS_Editor'>" + "".join(f"<p>{line}</p>" for line in REPORT) + "</div>"
    for block in blocks:
        text = extract(page(f"<div class='con'>{article}{block}</div>"))["text"]
        assert text.splitlines() == list(REPORT), block


DISCLOSURE = (
    "<table class='xxgk'><tr><td>索 引 号：</td><td>000014349/2021-00012</td><td>主题分类：</td><td>综合政务</td></tr>"
    "<tr><td>发文机关：</td><td>某某县人民政府办公室</td><td>成文日期：</td><td>2021年03月01日</td></tr>"
    "<tr><td>名\u3000\u3000称：</td><td>关于做好政务公开工作的通知</td></tr>"
    "<tr><td>文\u3000\u3000号：</td><td>某政办发〔2021〕5号</td><td>发布日期：</td><td>2021年03月05日</td></tr></table>"
)


def test_the_disclosure_box_is_metadata_not_text() -> None:
    """Every government article carries an information-disclosure box (索引号, 发文机关, 文号 …): its values are
    metadata (the date is read from it), not report text."""
    body = f"{DISCLOSURE}<h1>{TITLE}</h1><div class='TRS_Editor'>" + "".join(f"<p>{p}</p>" for p in REPORT) + "</div>"
    record = extract(page(body))
    assert record["text"].splitlines() == list(REPORT)
    assert record["published"] == "2021-03-05"
    # A short notice's own box may hold the disclosure table too: the notice stays.
    notice = "<p>因管道维修，定于3月10日全天停水，请各用户提前做好储水准备，给您带来不便，敬请谅解。</p>"
    record = extract(page(f"<div class='detail'>{DISCLOSURE}<h1>停水通知</h1>{notice}</div>"))
    assert "因管道维修" in record["text"] and "索" not in record["text"]


@pytest.mark.parametrize(
    "inside",
    [
        # A report's own list of documents: labels repeat, none is a box's own, and it is inside the report.
        "<div><p>名称：某某县优化营商环境实施方案</p><p>文号：某政发〔2021〕3号</p><p>发布日期：2021年4月1日</p>"
        "<p>名称：某某县乡村振兴规划</p><p>文号：某政发〔2021〕8号</p><p>发布日期：2021年6月1日</p></div>",
        "<table><tr><td>文件名称：某某县殡葬管理办法</td><td>文号：某政发〔2015〕2号</td>"
        "<td>成文日期：2015年1月5日</td></tr></table>",
    ],
)
def test_labelled_lists_in_the_report_are_text(inside: str) -> None:
    body = f"<h1>{TITLE}</h1><div id='zoom'><p>{REPORT[0]}</p>{inside}<p>{REPORT[1]}</p></div>"
    assert "某政发" in extract(page(body))["text"]


def test_a_traditional_disclosure_box_sharing_the_notices_box_goes() -> None:
    box = DISCLOSURE.replace("索 引 号", "索 引 號").replace("主题分类", "主題分類").replace("发文机关", "發文機關")
    notice = "<div class='title'>停水通知</div><div class='content'><p>3月10日全天停水。</p></div>"
    body = f"<div class='detail'>{box}{notice}</div>"
    text = extract(page(body))["text"]
    assert "3月10日全天停水" in text and "000014349" not in text


def test_a_short_notice_laid_out_with_disclosure_labels_is_text() -> None:
    """A notice written into a table of 标题/发文机关/成文日期/正文 rows, its sentence split by spans, is the
    document, not a disclosure box; nor is a short body beside a box and an info line."""
    notice = (
        "<table><tr><td>标题：</td><td>关于公布某某县2021年政府信息公开工作年度报告的通知</td></tr>"
        "<tr><td>发文机关：</td><td>某某县人民政府办公室</td></tr><tr><td>成文日期：</td><td>2022年1月20日</td></tr>"
        "<tr><td>正文：</td><td><p>各乡镇人民政府，县直各单位：</p>"
        "<p>现将<span>《某某县2021年政府信息公开工作年度报告》</span>予以公布，请遵照执行。</p></td></tr></table>"
    )
    assert "予以公布" in extract(page(f"<div class='main'>{notice}</div>"))["text"]
    spans = (
        "<p><span>根据《中华人民共和国政府信息公开条例》</span><span>规定，现将我县2021年政府信息公开工作</span>"
        "<span>年度报告予以公布。</span></p>"
    )
    info = "<div class='info'>发布日期：2022-01-20</div>"
    body = f"<div class='detail'>{DISCLOSURE}{info}<div class='content'>{spans}</div></div>"
    text = extract(page(body))["text"]
    assert "年度报告予以公布" in text and "000014349" not in text
