"""Page patterns found by sweeping real Chinese pages that nobody tuned for (synthetic pages of the same shape)."""

from __future__ import annotations

from workers.extract import extract

REPORT = (
    "2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署。",
    "一是健全依法决策机制，重大行政决策全部经过合法性审查，全年审查规范性文件十二件。",
    "二是深化行政执法改革，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "三是加强普法宣传教育，开展法治宣传活动三十余场次，发放宣传资料五千余份，群众法治意识明显增强。",
    "四是强化行政权力监督，自觉接受人大监督、政协民主监督和社会舆论监督，按时办结人大代表建议和政协提案。",
    "五是依法化解矛盾纠纷，全年办理行政复议案件十二件，行政诉讼案件五件，行政机关负责人出庭应诉率达到百分之百。",
    "2022年，我局将继续深入学习贯彻习近平法治思想，统筹推进法治政府建设各项工作，为全县经济社会发展提供有力法治保障。",
)


def paragraphs() -> str:
    return "\n".join(f"<p>{line}</p>" for line in REPORT)


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


def test_a_block_headed_as_related_articles_goes_however_long_its_teasers() -> None:
    teaser = "，".join(["市政府召开常务会议研究部署安全生产和防汛抗旱工作并听取有关部门工作情况汇报"] * 3)
    related = "".join(f"<p><strong>要闻{i}</strong>{teaser}。<a>【详细】</a></p>" for i in range(4))
    page = f"""<html><head><meta charset="utf-8"><title>2021年法治政府建设工作报告</title></head><body>
<div class="main"><h1>2021年法治政府建设工作报告</h1><div class="con">{paragraphs()}</div>
<div class="box_read"><h2>推荐阅读</h2>{related}</div>
<div class="box_news"><h3>热点排行 &gt;&gt;</h3><ul><li><a>关于开展安全生产检查的通知</a></li></ul></div>
</div></body></html>"""
    text = extract(page.encode("utf-8"))["text"]
    assert REPORT[0] in text and REPORT[-1] in text
    for furniture in ("推荐阅读", "要闻", "热点排行", "安全生产"):
        assert furniture not in text, furniture


def test_a_page_titled_with_its_column_name_takes_the_report_title_it_shows() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<div class="se_nav"><h3>首页 - 通知公告</h3></div>
<div class="xq"><h5>某某县2021年法治政府建设年度报告</h5><div class="ly">发布时间：2022-01-20</div>
<div class="detailCon">{paragraphs()}</div></div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["title"] == "某某县2021年法治政府建设年度报告"
    assert record["report_kind"] == "rule_of_law" and record["report_year"] == 2021


def test_a_source_that_only_says_the_site_wrote_it_names_no_issuer() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>某某县2021年法治政府建设年度报告</title></head><body>
<h1>某某县2021年法治政府建设年度报告</h1><div class="info">来源：本站原创 作者：办公室 时间：2022-01-20</div>
<div class="con">{paragraphs()}</div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["issuer"] == "某某县人民政府"
    assert record["published"] == "2022-01-20"


def test_a_related_list_heading_over_the_report_itself_keeps_the_report() -> None:
    """A block is a related list only when linked items follow its heading: a layout row or a column box headed
    "热点专题" or "最新文章" may hold the report."""
    for block in (
        f'<div class="con"><h3>热点专题</h3>{paragraphs()}</div>',
        f"<table><tr><td>热点排行</td><td><h1>某某局2021年法治政府建设年度报告</h1>{paragraphs()}</td></tr></table>",
    ):
        page = f'<html><head><meta charset="utf-8"><title>某某局</title></head><body>{block}</body></html>'
        text = extract(page.encode("utf-8"))["text"]
        assert all(line in text for line in REPORT), block[:40]


def test_a_column_titled_page_with_its_own_heading_is_not_the_report_it_names() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>关于做好年度报告报送工作的通知</h1><p>各单位：请按时报送。</p><p>某某县2021年法治政府建设年度报告</p>
{paragraphs()}</body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["title"] != "某某县2021年法治政府建设年度报告"
    assert record["report_kind"] is None


def test_second_review_cases_a_logo_heading_and_an_attachment_link() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>通知公告--某某县人民政府</title></head><body>
<h1>某某县人民政府门户网站</h1><div class="title">某某县2021年政府信息公开工作年度报告</div>
{paragraphs()}</body></html>"""
    assert extract(page.encode("utf-8"))["report_kind"] == "info_disclosure"
    attachment = '<p><a href="/a.pdf">附件：统计表.pdf</a></p>'
    box = f'<div class="con"><h3>最新文章</h3><div class="c">{paragraphs()}{attachment}</div></div>'
    page = f'<html><head><meta charset="utf-8"><title>某某局</title></head><body>{box}</body></html>'
    assert all(line in extract(page.encode("utf-8"))["text"] for line in REPORT)
