"""Page patterns found by a second sweep of real Chinese pages nobody tuned for (synthetic pages of the same shape)."""

from __future__ import annotations

from workers.extract import extract

REPORT = (
    "2021年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党中央、国务院关于法治政府建设的决策部署。",
    "一是健全依法决策机制，重大行政决策全部经过合法性审查，全年审查规范性文件十二件。",
    "二是深化行政执法改革，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度。",
    "三是加强普法宣传教育，开展法治宣传活动三十余场次，发放宣传资料五千余份，群众法治意识明显增强。",
    "2022年，我局将继续深入学习贯彻习近平法治思想，统筹推进法治政府建设各项工作，为全县经济社会发展提供有力法治保障。",
)


def paragraphs() -> str:
    return "\n".join(f"<p>{line}</p>" for line in REPORT)


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
    text = extract(page.encode("utf-8"))["text"]
    for line in REPORT:
        assert line in text
    for junk in ("香港警方", "港铁", "某某日报", "责任编辑"):
        assert junk not in text, junk


def test_an_editors_line_above_the_body_keeps_the_body() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设工作报告</title></head><body>
<div class="article"><h1>某某局2021年法治政府建设工作报告</h1><div>责任编辑：李四</div>
{paragraphs()}</div></body></html>"""
    text = extract(page.encode("utf-8"))["text"]
    for line in REPORT:
        assert line in text


def test_centred_captions_stay_in_the_text() -> None:
    """trafilatura drops <center> text; CMSs centre image captions with it."""
    page = f"""<html><head><meta charset="utf-8"><title>某某局2021年法治政府建设工作报告</title></head><body>
<article><h1>某某局2021年法治政府建设工作报告</h1><div class="single-content">{paragraphs()}
<center style="text-align: center;"><strong></strong></center><center><strong>法治宣传活动现场</strong><br></center>
<p>{REPORT[0]}</p></div></article></body></html>"""
    text = extract(page.encode("utf-8"))["text"]
    assert "法治宣传活动现场" in text


def test_a_title_suffix_after_a_plain_space_goes_when_the_page_shows_the_title_without_it() -> None:
    """A <title> like "…调研工作 东区办事处_中山网": the office name after a space; the page shows the title alone."""
    title = "某某局召开2021年法治政府建设工作会议"
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title} 东区办事处_某某网</title></head><body><table><tr><td>现在位置：首页 &gt;&gt; 东区新闻</td></tr>
<tr><td><div align="center"><span class="Title"><b>{title}</b></span><br>来源于：东区办事处</div></td></tr>
<tr><td>{paragraphs()}</td></tr></table></body></html>"""
    assert extract(page.encode("gb18030"))["title"] == title
    # A title the page shows whole keeps its last word.
    spaced = "某某局召开法治政府建设 工作推进会"
    page = f"""<html><head><meta charset="utf-8"><title>{spaced}_某某网</title></head><body>
<h1>{spaced}</h1><div class="content">{paragraphs()}
<p>会议指出，{spaced.split()[0]}要再上新台阶。</p></div></body></html>"""
    assert extract(page.encode("utf-8"))["title"] == spaced


def _page(title: str, body: str) -> bytes:
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'.encode()


def test_fourth_review_cases_signature_after_the_editor_title_suffix_with_the_kind_and_the_label_group() -> None:
    # "编辑：… 审核：…" above the issuer and the signature date: the signature stays, and dates the report.
    body = f"<h1>某某县2021年法治政府建设年度报告</h1>{paragraphs()}<p>编辑：张三 审核：李四</p>"
    record = extract(_page("某某县2021年法治政府建设年度报告", body + "<p>某某县人民政府</p><p>2022年1月20日</p>"))
    assert record["published"] == "2022-01-20" and record["text"].rstrip().endswith("2022年1月20日")
    # A space-separated <title> suffix that carries the report's kind is not a site suffix.
    body = f"<div>某某区教育局2021年度政务公开年报</div>{paragraphs()}<p>某某区教育局</p>"
    assert extract(_page("某某区教育局 2021年度政务公开年报", body))["report_kind"] == "info_disclosure"
    # An article dated only by 更新时间: a related list's 发布时间 further down is not its date.
    related = "".join(f"<li><a href='/{i}.html'>另一篇文章标题{i}</a> 发布时间：2023-01-05</li>" for i in range(3))
    body = f"<h1>某某局工作动态</h1><div class='info'>更新时间：2022-01-25</div>{paragraphs()}<ul>{related}</ul>"
    assert extract(_page("某某局工作动态", body))["published"] == "2022-01-25"


def test_a_breadcrumb_ending_in_the_report_title_is_not_the_title() -> None:
    crumb = "<div class='crumb'>首页 &gt; 法治政府 &gt; 某某县2021年法治政府建设年度报告</div>"
    body = f"{crumb}<div class='title'>某某县2021年法治政府建设年度报告</div>{paragraphs()}"
    assert extract(_page("某某县人民政府", body))["title"] == "某某县2021年法治政府建设年度报告"
