"""rules.BR_*: a body written as text and <span>s between <br>s is read whole, beside its tables."""

from __future__ import annotations

from workers.extract import extract
from workers.extract.html import br_runs_as_paragraphs, parse, tree_text


def test_runs_between_breaks_become_paragraphs_and_blocks_stay() -> None:
    tree = parse(
        "<html><body><table><tr><td id='cell'><span id='body'><span class='title'>一、项目编号：</span><br>"
        "<span>ZC130800202101632</span><br>本项目代理费总金额：<span>0</span><br>"
        "<div id='t'><table><tr><td>供应商</td><td>金额</td></tr></table></div>"
        "自本公告发布之日起一个工作日内，供应商可以书面形式提出质疑。<br>"
        "</span></td></tr></table><div id='caption'>图片说明<br>第二行</div></body></html>"
    )
    br_runs_as_paragraphs(tree)
    body = tree.get_element_by_id("body")
    assert body.tag == "div"
    assert [child.tag for child in body] == ["p", "p", "p", "div", "p"]
    assert [tree_text(child) for child in body if child.tag == "p"] == [
        "一、项目编号：",
        "ZC130800202101632",
        "本项目代理费总金额：0",
        "自本公告发布之日起一个工作日内，供应商可以书面形式提出质疑。",
    ]
    assert [child.tag for child in tree.get_element_by_id("caption")] == ["br"]  # one break: a caption


def test_a_procurement_notice_in_a_span_keeps_its_text_and_its_table() -> None:
    lines = [
        "一、项目编号：",
        "ZC130800202101632",
        "二、项目名称：",
        "村级信息资源共享支中心电脑项目",
        "三、中标（成交）信息",
    ]
    spans = "".join(f"<span>{line}</span><br>" for line in lines)
    page = (
        "<html><head><meta charset='utf-8'><title>电脑采购项目中标公告</title></head><body><table><tr><td>"
        f"<span class='txt7'>{spans}<div><table><tr><th>供应商名称</th><th>中标金额</th></tr>"
        "<tr><td>承德发金商贸有限公司</td><td>745680</td></tr></table></div>"
        "七、公告期限<br>自本公告发布之日起1个工作日。<br>联系方式：<span>叶晓宇 0314-7566207</span><br></span>"
        "</td></tr></table></body></html>"
    )
    text = extract(page.encode()).text
    for line in [*lines, "承德发金商贸有限公司", "自本公告发布之日起1个工作日。", "0314-7566207"]:
        assert line in text, line
