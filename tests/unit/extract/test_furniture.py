"""Furniture rules: a portal's bars, footers and related-article blocks go (a sentence in them does not keep them),
and so do editors' lines with the teasers after them; the body and its captions stay."""

from __future__ import annotations

from tests.unit.extract.pages import COUNTY_TITLE, REPORT, SECTIONS, body_of, legacy_page, paragraphs, portal_page, seed
from workers.extract import extract
from workers.extract.html import parse, prune


def test_a_block_headed_as_related_articles_goes_however_long_its_teasers() -> None:
    teaser = "，".join(["市政府召开常务会议研究部署安全生产和防汛抗旱工作并听取有关部门工作情况汇报"] * 3)
    related = "".join(f"<p><strong>要闻{i}</strong>{teaser}。<a>【详细】</a></p>" for i in range(4))
    page = f"""<html><head><meta charset="utf-8"><title>2021年法治政府建设工作报告</title></head><body>
<div class="main"><h1>2021年法治政府建设工作报告</h1><div class="con">{paragraphs()}</div>
<div class="box_read"><h2>推荐阅读</h2>{related}</div>
<div class="box_news"><h3>热点排行 &gt;&gt;</h3><ul><li><a>关于开展安全生产检查的通知</a></li></ul></div>
</div></body></html>"""
    text = extract(page.encode("utf-8")).text
    assert REPORT[0] in text and REPORT[-1] in text
    for furniture in ("推荐阅读", "要闻", "热点排行", "安全生产"):
        assert furniture not in text, furniture


def test_a_related_list_heading_over_the_report_itself_keeps_the_report() -> None:
    """A block is a related list only when linked items follow its heading: a layout row or a column box headed
    "热点专题" or "最新文章" may hold the report."""
    for block in (
        f'<div class="con"><h3>热点专题</h3>{paragraphs()}</div>',
        f"<table><tr><td>热点排行</td><td><h1>某某局2021年法治政府建设年度报告</h1>{paragraphs()}</td></tr></table>",
    ):
        page = f'<html><head><meta charset="utf-8"><title>某某局</title></head><body>{block}</body></html>'
        text = extract(page.encode("utf-8")).text
        assert all(line in text for line in REPORT), block[:40]


def test_a_teaser_after_the_editors_line_is_not_the_article() -> None:
    """Reposted (sohu-style) articles end "责任编辑：" and then quote another article's teaser in the same block."""
    teaser = (
        "<p>香港警方：示威行动未发生致命事件</p>"
        "<p>港铁公司车务营运总监表示，因激进示威者的破坏行为，港铁公司于晚间启动疏散程序。</p>"
    )
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设工作报告</title></head><body>
<div class="post"><h2>某某局2021年法治政府建设工作报告</h2><div class="post-body">{paragraphs()}
<p>作者：张三<a href="/">返回首页，查看更多</a></p><p>责任编辑：<span></span></p>
<blockquote>{teaser}</blockquote>,某某日报</div></div></body></html>"""
    text = extract(page.encode("utf-8")).text
    for line in REPORT:
        assert line in text
    for junk in ("香港警方", "港铁", "某某日报", "责任编辑"):
        assert junk not in text, junk


def test_an_editors_line_above_the_body_keeps_the_body() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设工作报告</title></head><body>
<div class="article"><h1>某某局2021年法治政府建设工作报告</h1><div>责任编辑：李四</div>
{paragraphs()}</div></body></html>"""
    text = extract(page.encode("utf-8")).text
    for line in REPORT:
        assert line in text


def test_centred_captions_stay_in_the_text() -> None:
    """trafilatura drops <center> text; CMSs centre image captions with it."""
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设工作报告</title></head><body>
<article><h1>某某局2021年法治政府建设工作报告</h1><div class="single-content">{paragraphs()}
<center style="text-align: center;"><strong></strong></center><center><strong>法治宣传活动现场</strong><br></center>
<p>{REPORT[0]}</p></div></article></body></html>"""
    text = extract(page.encode("utf-8")).text
    assert "法治宣传活动现场" in text


def test_a_latest_articles_heading_over_the_report_and_its_attachment_link_keeps_both() -> None:
    attachment = '<p><a href="/a.pdf">附件：统计表.pdf</a></p>'
    box = f'<div class="con"><h3>最新文章</h3><div class="c">{paragraphs()}{attachment}</div></div>'
    html = f'<html><head><meta charset="utf-8"><title>某某局</title></head><body>{box}</body></html>'
    assert all(line in extract(html.encode("utf-8")).text for line in REPORT)


def test_bars_named_by_their_class_and_short_blocks_of_boilerplate_go_and_prose_naming_them_stays() -> None:
    """rules.FURNITURE_ATTR, BOILERPLATE, BOILERPLATE_MAX_CHARS / _LINE: a share bar, a breadcrumb and a footer go;
    a paragraph of the report that mentions 联系我们 is prose inside it, longer than a line of furniture, and stays."""
    prose = "如对本报告有疑问，请通过网站联系我们栏目或者拨打政务服务热线反映，我们将及时答复并改进工作。" * 3
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设年度报告</title></head><body>
<div class="position">首页 &gt; 政务公开 &gt; 法治政府</div><div class="bdshare">微信 微博</div>
<div class="TRS_Editor">{paragraphs()}<p>{prose}</p></div>
<div class="ft">版权所有：某某局 网站标识码：0000000001 ICP备00000000号</div></body></html>"""
    text = extract(page.encode("utf-8")).text
    assert all(line in text for line in REPORT) and prose in text
    for furniture in ("政务公开", "微博", "版权所有", "网站标识码"):
        assert furniture not in text, furniture


def test_tree_pruning_drops_furniture_elements_not_the_body() -> None:
    body = body_of(seed("000"), "2021年是中国共产党成立100周年")
    tree = prune(parse(portal_page("常平镇2021年法治政府建设年度报告", body)))
    remaining = tree.text_content()
    assert "网站标识码" not in remaining
    assert "相关链接" not in remaining
    assert "扫一扫在手机打开当前页" not in remaining
    assert "法治政府工作蹄疾步稳" in remaining


def test_furniture_with_a_sentence_beside_an_article_stays_out() -> None:
    """Only the report's own container (its heading, its CMS content box) is kept for holding a sentence: a
    footer, a tip or a disclaimer with a sentence in it is still furniture."""
    blocks = (
        "<div class='ft'><p>本网站所有内容，未经书面授权不得转载、摘编或以其他方式使用，违者必究。</p>"
        "<p>版权所有：某某区人民政府 苏ICP备05012345号</p></div>",
        "<div class='tip'><p>温馨提示：如您对本文件有任何疑问，请拨打12345政务服务热线或登录区政府网站咨询。</p>"
        "<p><a href='#'>【打印本页】</a> <a href='#'>【关闭窗口】</a></p></div>",
    )
    article = (
        f"<h1>{COUNTY_TITLE}</h1><div class='TRS_Editor'>" + "".join(f"<p>{line}</p>" for line in SECTIONS) + "</div>"
    )
    for block in blocks:
        text = extract(legacy_page(f"<div class='con'>{article}{block}</div>")).text
        assert text.splitlines() == list(SECTIONS), block
