"""html.PRUNING_RULES: named rules applied by one top-down walk; `prune` can count what each rule dropped.

Each page here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

from collections import Counter

from tests.unit.extract.pages import REPORT, paragraphs
from workers.extract.html import PRUNING_RULES, parse, prune, pruned_elements

TEASERS = "".join(
    f"<li><a href='/n{i}.html'>某某县召开第{i}次安全生产工作会议</a><p>会议研究部署了下一阶段的工作。</p></li>"
    for i in range(5)
)
COMMENTS = "".join(f"<div class='c'>网友{i} 2023-05-0{i} 10:1{i} 说得好，支持！</div>" for i in range(1, 5))
BOX = "<table><tr><td>索引号：</td><td>001/2022-01</td><td>发文机关：</td><td>某某县人民政府</td></tr>" + (
    "<tr><td>成文日期：</td><td>2022-01-10</td><td>主题分类：</td><td>法治</td></tr></table>"
)
PAGE = f"""<html><head><title>某某县2021年法治政府建设年度报告</title></head><body>
<div class="share">分享到：微信 微博</div>{BOX}
<h1>某某县2021年法治政府建设年度报告</h1><div class="con">{paragraphs()}</div>
<div class="box"><h3>推荐阅读</h3><ul><li><a href="/a.html">另一篇文章的标题一</a></li>
<li><a href="/b.html">另一篇文章的标题二</a></li></ul></div>
<ul class="more">{TEASERS}</ul><div class="comments">{COMMENTS}</div>
<div class="footer">版权所有：某某县人民政府 网站标识码：0000000001</div></body></html>"""


def test_each_rule_is_counted_by_its_name() -> None:
    hits: Counter[str] = Counter()
    text = prune(parse(PAGE), hits).text_content()
    assert hits == {"furniture": 2, "disclosure_box": 1, "related_list": 1, "story_stream": 1, "comment_thread": 4}
    assert set(hits) == {rule.__name__ for rule in PRUNING_RULES}
    assert all(line in text for line in REPORT)
    for gone in ("分享到", "索引号", "推荐阅读", "安全生产", "网友", "版权所有"):
        assert gone not in text, gone


def test_an_element_dropped_is_not_looked_into() -> None:
    """A footer holding a related list goes as furniture: the list inside is not judged again."""
    page = f"""<html><body><div class="con">{paragraphs()}</div><div id="footer">
<div><h3>相关链接</h3><ul><li><a href="/a.html">某某市人民政府网</a></li><li><a href="/b.html">某某省政府网</a>
</li></ul></div></div></body></html>"""
    assert [(el.get("id"), rule) for el, rule in pruned_elements(parse(page))] == [("footer", "furniture")]


def test_furniture_named_by_its_class_goes_inside_a_short_block_without_boilerplate_text() -> None:
    """A short block whose text holds no boilerplate is not searched again below it, but its children's class and
    id still are."""
    page = f"""<html><body><div class="con">{paragraphs()}</div>
<div class="tools">某某县 <span class="print">打印</span></div></body></html>"""
    assert [(el.get("class"), rule) for el, rule in pruned_elements(parse(page))] == [("print", "furniture")]
