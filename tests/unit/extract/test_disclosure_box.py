"""rules.BOX_LABELS / DISCLOSURE_LABELS: the disclosure box is not text, whatever its layout, and its date is read;
a report's own list of documents (名称：… 文号：…) and a notice laid out with the same labels stay text."""

from __future__ import annotations

import pytest

from tests.unit.extract.pages import COUNTY_TITLE, SECTIONS, legacy_page
from workers.extract import extract

BODY = (
    "10月17日，全省教育系统师德师风建设专题培训班在省城举办，本次培训聚焦学习贯彻全国教育大会精神。",
    "培训要求进一步加强师德师风建设组织领导，全面完善工作责任机制，共同营造风清气正的教书育人环境。",
    "全省各设区市教育局分管负责人、职能处室负责人共计二百三十人参加培训，会议期间参观了主题展。",
)

LAYOUTS = {
    # label/value rows in two columns, labels spaced out, no colon at all
    "rows_two_columns": "<table><tr><td>索 引 号</td><td>002482330/2020-10091</td><td>公开分类</td><td></td></tr>"
    "<tr><td>发布机构</td><td>省教育厅</td><td>成文日期</td><td>2020-12-29</td></tr>"
    "<tr><td>文　　号</td><td></td><td>主题词</td><td></td></tr></table>",
    # three label cells a row, "label: value" with a space after the colon
    "label_colon_value_cells": "<table class='xxgk'><tr><td>索引号: 002482082/2024-00332</td><td>文件编号: </td>"
    "<td>发布机构: 省教育厅</td></tr><tr><td>生成日期: 2024-10-21</td><td>主题分类: 教育</td>"
    "<td>公开方式: 主动公开</td></tr></table>",
    # the colon in its own cell
    "colon_cell": "<table><tr><td>信息索引</td><td>：</td><td>360A12-07-2024-0008-1</td></tr>"
    "<tr><td>生成日期</td><td>：</td><td>2024-06-04</td></tr><tr><td>发文机构</td><td>：</td><td>教育部办公厅</td></tr>"
    "<tr><td>公开方式</td><td>：</td><td>主动公开</td></tr></table>",
    # label: value lines in a list
    "list_lines": "<ul><li>索取号：A01-2024-003</li><li>信息类别：教育</li><li>发布机构：省教育厅</li>"
    "<li>内容概述：全省师德师风建设专题培训</li></ul>",
}

DISCLOSURE = (
    "<table class='xxgk'><tr><td>索 引 号：</td><td>000014349/2021-00012</td><td>主题分类：</td><td>综合政务</td></tr>"
    "<tr><td>发文机关：</td><td>某某县人民政府办公室</td><td>成文日期：</td><td>2021年03月01日</td></tr>"
    "<tr><td>名\u3000\u3000称：</td><td>关于做好政务公开工作的通知</td></tr>"
    "<tr><td>文\u3000\u3000号：</td><td>某政办发〔2021〕5号</td><td>发布日期：</td><td>2021年03月05日</td></tr></table>"
)


def page(box: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in BODY)
    return (
        "<html><head><meta charset='utf-8'><title>全省教育系统师德师风建设专题培训班举办</title></head><body>"
        f"{box}<div class='article'><h1>全省教育系统师德师风建设专题培训班举办</h1>{body}</div></body></html>"
    ).encode()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_disclosure_box_in_any_layout_is_not_text(layout: str) -> None:
    text = extract(page(LAYOUTS[layout])).text
    assert all(line in text for line in BODY)
    for word in ("索", "号", "发布机构", "生成日期", "公开方式", "主题词", "信息类别", "002482", "360A12", "A01-2024"):
        assert word not in text, (layout, word)


def test_the_disclosure_box_is_metadata_not_text() -> None:
    """Every government article carries an information-disclosure box (索引号, 发文机关, 文号 …): its values are
    metadata (the date is read from it), not report text."""
    body = (
        f"{DISCLOSURE}<h1>{COUNTY_TITLE}</h1><div class='TRS_Editor'>"
        + "".join(f"<p>{p}</p>" for p in SECTIONS)
        + "</div>"
    )
    record = extract(legacy_page(body))
    assert record.text.splitlines() == list(SECTIONS)
    assert record.published == "2021-03-05"
    # A short notice's own box may hold the disclosure table too: the notice stays.
    notice = "<p>因管道维修，定于3月10日全天停水，请各用户提前做好储水准备，给您带来不便，敬请谅解。</p>"
    record = extract(legacy_page(f"<div class='detail'>{DISCLOSURE}<h1>停水通知</h1>{notice}</div>"))
    assert "因管道维修" in record.text and "索" not in record.text


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
    body = f"<h1>{COUNTY_TITLE}</h1><div id='zoom'><p>{SECTIONS[0]}</p>{inside}<p>{SECTIONS[1]}</p></div>"
    assert "某政发" in extract(legacy_page(body)).text


def test_a_traditional_disclosure_box_sharing_the_notices_box_goes() -> None:
    box = DISCLOSURE.replace("索 引 号", "索 引 號").replace("主题分类", "主題分類").replace("发文机关", "發文機關")
    notice = "<div class='title'>停水通知</div><div class='content'><p>3月10日全天停水。</p></div>"
    body = f"<div class='detail'>{box}{notice}</div>"
    text = extract(legacy_page(body)).text
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
    assert "予以公布" in extract(legacy_page(f"<div class='main'>{notice}</div>")).text
    spans = (
        "<p><span>根据《中华人民共和国政府信息公开条例》</span><span>规定，现将我县2021年政府信息公开工作</span>"
        "<span>年度报告予以公布。</span></p>"
    )
    info = "<div class='info'>发布日期：2022-01-20</div>"
    body = f"<div class='detail'>{DISCLOSURE}{info}<div class='content'>{spans}</div></div>"
    text = extract(legacy_page(body)).text
    assert "年度报告予以公布" in text and "000014349" not in text
