"""rules.BOX_LABELS / DISCLOSURE_LABELS: the disclosure box is not text, whatever its layout.

(A report's own list of documents, 名称：… 文号：…, stays text: tests/unit/test_extract_layouts.py.)"""

from __future__ import annotations

import pytest

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


def page(box: str) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in BODY)
    return (
        "<html><head><meta charset='utf-8'><title>全省教育系统师德师风建设专题培训班举办</title></head><body>"
        f"{box}<div class='article'><h1>全省教育系统师德师风建设专题培训班举办</h1>{body}</div></body></html>"
    ).encode()


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_disclosure_box_in_any_layout_is_not_text(layout: str) -> None:
    text = extract(page(LAYOUTS[layout]))["text"]
    assert all(line in text for line in BODY)
    for word in ("索", "号", "发布机构", "生成日期", "公开方式", "主题词", "信息类别", "002482", "360A12", "A01-2024"):
        assert word not in text, (layout, word)
