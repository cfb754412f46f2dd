"""Date rules: labelled dates, signatures, bylines under the heading, URL dates, ROC years, clocks.

Each page here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

import pytest

from tests.unit.extract.pages import page as titled_page
from tests.unit.extract.pages import paragraphs, portal_page
from workers.extract import extract
from workers.extract.metadata import header_date, labelled_date, roc_date, signature_date, text_metadata, url_date

BODY = "<p>" + "为进一步加强法治政府建设，全面推进依法行政，现将有关工作情况报告如下。" * 6 + "</p>"
RELATED = (
    "<div class='related'><h3>相关文章</h3><ul><li><a href='/x1'>另一篇文章标题一</a> 2023-01-05</li>"
    "<li><a href='/x2'>另一篇文章标题二</a> 2022-12-30</li></ul></div>"
)


def page(header: str, body: str = BODY) -> bytes:
    """An article page: a header clock, the title, a header line, the body, related articles and a footer."""
    return (
        "<html><head><meta charset='utf-8'><title>关于开展某某工作的通知_某某区人民政府</title></head><body>"
        "<div class='top'>今天是2024年5月6日 星期一 <a href='/'>首页</a></div>"
        f"<div class='main'><h1>关于开展某某工作的通知</h1><div class='info'>{header}</div>"
        f"<div class='content'>{body}</div></div>{RELATED}"
        "<div class='footer'>版权所有 © 2008-2024 某某区人民政府</div></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("發布日期：110年3月5日", "2021-03-05"),  # Taiwan: a Republic of China year
        ("發佈時間：110/03/05", "2021-03-05"),
        ("日期：民國 99年12月31日", "2010-12-31"),
        ("索引号： | 000014349/2021-00012 | 发文日期： | 2021年03月05日", "2021-03-05"),  # the next table cell
        ("发布日期 | 2021-03-05", "2021-03-05"),
        ("发布时间 2021-03-05 10:19 来源：某某日报", "2021-03-05"),  # no colon, same line
    ],
)
def test_labelled_dates_in_more_forms(text: str, expected: str) -> None:
    assert labelled_date(text, loose_until=len(text)) == expected  # all of it the page's header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("【发布时间】2021-03-05", "2021-03-05"),  # a bracketed label is as plain as a colon
        ("[发布日期] 2021-03-05", "2021-03-05"),
        # Disclosure tables: 生成日期 and 发文日期 are the document's, 公开日期 the publication.
        ("索引号：x 生成日期：2021-03-01 公开日期：2021-03-05", "2021-03-05"),
        ("发文日期：2021-03-01 发稿时间：2021-03-05", "2021-03-05"),
    ],
)
def test_bracketed_labels_and_disclosure_table_labels(text: str, expected: str) -> None:
    assert labelled_date(text) == expected


def test_labels_without_a_colon_count_only_in_the_header_and_only_when_they_name_the_date() -> None:
    """Related lists and comments write "时间 2023-01-05" too; a header's "日期 2024年5月6日 农历…" is a clock."""
    assert labelled_date("发布时间 2021-03-05 来源：某某日报", loose_until=0) is None
    assert labelled_date("另一篇文章 时间 2023-01-05", loose_until=100) is None
    assert labelled_date("日期 2024年5月6日 农历四月廿九", loose_until=100) is None
    body = "".join(f"<p>{'某某工作稳步推进，各项任务全面完成。' * 3}</p>" for _ in range(3))
    page = (
        "<html><head><meta charset='utf-8'><title>某某县2021年法治政府建设年度报告</title></head><body>"
        f"<h1>某某县2021年法治政府建设年度报告</h1><div class='content'>{body}<p>某某县人民政府</p>"
        "<p>2022年1月20日</p></div>"
        "<ul class='related'><li><a href='/a.html'>另一篇文章标题一</a> 发布时间 2023-01-05</li>"
        "<li>网友甲 评论时间 2023-02-01 10:00</li></ul></body></html>"
    )
    assert extract(page.encode(), url="http://x.gov.cn/art/t20220125_1.html").published == "2022-01-20"


def test_a_label_alone_on_its_line_takes_no_date_from_the_next_line_without_a_colon() -> None:
    assert labelled_date("标题 | 发布日期\n2021-03-05 某某文章") is None


def test_a_taiwanese_signature_date() -> None:
    assert signature_date("……特此公告。\n臺北市政府\n中華民國110年3月5日") == "2021-03-05"


def test_unlabelled_taiwanese_dates() -> None:
    assert roc_date("記者王小明／臺北報導 110年3月5日 上午10:19") == "2021-03-05"
    assert roc_date("民國99年1月2日") == "2010-01-02"
    assert roc_date("今天是110年3月5日 星期五") is None  # a header clock
    assert roc_date("共2110年3月5日") is None  # not a three-digit year


def test_an_unlabelled_taiwanese_date_in_the_header_is_the_publication_date() -> None:
    assert extract(page("110年3月5日 上午 10:19 記者王小明")).published == "2021-03-05"


@pytest.mark.parametrize(
    "line",
    [
        "2024年03月05日08:43　来源：人民网",
        "2024年03月05日 08:43:21",
        "2024-03-05 08:43 新华网",
        "[ 2024-3-5 ]",
        "2024年03月05日 星期二 08:43",  # under the title a weekday is the article's
    ],
)
def test_an_unlabelled_date_under_the_title_is_the_publication_date(line: str) -> None:
    """News portals write the date line without a label, in a box whose name says nothing of dates; htmldate,
    asked for the original date, would take the related list's older one."""
    html = (
        "<html><head><meta charset='utf-8'><title>关于开展某某工作的通知_新闻中心</title></head><body>"
        f"<h1>关于开展某某工作的通知</h1><div class='bar'>{line}</div><div id='artibody'>{BODY}</div>"
        "<div class='related'><h3>相关新闻</h3><ul><li><a href='/a'>某某消息一</a> 2023-04-30</li>"
        "<li><a href='/b'>某某消息二</a> 2023-04-29</li></ul></div></body></html>"
    )
    assert extract(html.encode()).published == "2024-03-05"


def test_which_date_under_the_heading_is_the_byline() -> None:
    title = "关于开展某某工作的通知"
    header = f"{title}_某某网\n首页 > 新闻\n2024年05月06日\n{title}\n2010年03月05日08:43 来源：人民网\n"
    assert header_date(header, title) == "2010-03-05"  # under the heading, not above it
    assert header_date(f"{title}_某某网\n2024年05月06日\n{title}\n来源：某某\n", title) is None
    assert header_date(f"{title}_某某网\n{title}\n今天是2024年5月6日 星期一\n", title) is None  # a clock
    # Not a byline: a period, a decision's date, a validity, a deadline, a modification; a date in the title.
    for line in (
        "（2021年1月1日至2021年12月31日）",
        "（2018.1.1－2018.12.31）",
        "（2021年3月5日县政府第5次常务会议通过）",
        "有效期：2019年3月5日-2024年3月4日",
        "报名截止2019年3月20日",
        "最后修改 2020-06-01",
        "2021年3月5日县政府第10次常务会议审议通过",
        "2021年3月5日通過",  # Traditional pages
        "修訂：2021年3月5日",
    ):
        assert header_date(f"{title}_某某网\n{title}\n{line}\n", title) is None, line
    # Bylines: after the issuer, in brackets, before a dash and a source, below metadata lines; a heading on two lines.
    for lines in (
        ["某某县水务局 2023-05-06"],
        ["（2023年5月6日）"],
        ["2023-05-06 - 新华网"],
        ["索引号：123", "分类：通知", "发文字号：无", "2023-05-06 来源：县政府办"],
    ):
        assert header_date("\n".join([f"{title}_某某网", title, *lines]), title) == "2023-05-06", lines
        assert header_date("\n".join([f"{title}_某某网", "关于开展某某", "工作的通知", *lines]), title) == "2023-05-06"
    dated = "某某县召开2019年3月1日安全生产专题会议"
    assert header_date(f"{dated}_某某网\n{dated}\n来源：县政府办\n", dated) is None
    # No heading below the <title> line: a list's dates are no byline.
    assert header_date(f"{title}\n最新动态 2010-03-01 某某\n2010-03-05 来源：某某\n", title) is None


def test_the_byline_is_found_under_a_long_title_and_over_a_short_body() -> None:
    """The body's start is found whatever the title's length (trafilatura may keep it as the first line) and in a
    body of one sentence; a date inside that sentence is what it is about, not the signature."""
    side = "<div class='side'><div>热点新闻</div><ul>" + "".join(
        f"<li><a href='/{i}'>县里召开第{i}次工作推进会议</a><span class='time'>2019-01-1{i}</span></li>"
        for i in range(3)
    )
    title = "关于印发某某县2021年度法治政府建设工作要点和重点任务分工方案的通知"
    html = (
        f"<html><head><title>{title}_某某县人民政府</title></head><body>{side}</ul></div><h1>{title}</h1>"
        f"<div>2021-03-05 10:20 浏览次数：</div><div class='content'>{BODY}</div></body></html>"
    )
    assert extract(html.encode()).published == "2021-03-05"
    notice = "<p>因管道维修，定于2021年3月10日全天停水，请各用户提前做好储水准备，不便之处敬请谅解。</p>"
    html = (
        f"<html><head><title>某某县人民政府</title></head><body>{side}</ul></div><h1>停水通知</h1>"
        f"<div>某某县水务局 2021-03-08</div><div class='content'>{notice}</div></body></html>"
    )
    assert extract(html.encode()).published == "2021-03-08"
    assert signature_date("……特此通知。\n某某县人民政府\n2021年12月30日") == "2021-12-30"
    assert signature_date("因管道维修，定于2021年3月10日全天停水，请提前储水。") is None


@pytest.mark.parametrize(
    "tail",
    [
        "某某县人民政府\n2021年12月30日",
        "| 某某县人民政府 2021年12月30日 |",  # a signature laid out in a table
        "| 某某县人民政府 | 2021年12月30日 |",
        "2021年12月30日（此件公开发布）",
        "2021年12月30日。",
        "2021年12月30日印发",
        "2021年12月30日 — 5 —",  # a PDF's page number
        "特此报告。某某县人民政府 2021年12月30日",
    ],
)
def test_signature_dates_with_what_follows_them_on_the_line(tail: str) -> None:
    assert signature_date("……现将有关情况报告如下。\n" + tail) == "2021-12-30"


def test_a_sidebar_under_the_byline_does_not_date_the_page() -> None:
    byline = "2019-03-05 来源：县政府办</div><div class='side'><h3>最新动态</h3><ul><li><a href='/x'>某某动态</a>"
    assert extract(page(byline + "<span>2024-05-03</span></li></ul>")).published == "2019-03-05"


def test_a_taiwanese_date_in_the_body_is_not() -> None:
    body = "<p>" + "本辦法自110年1月1日起施行，各機關應依規定辦理相關事項並按時報送。" * 4 + "</p>"
    url = "https://www.example.gov.tw/News_Content.aspx?n=1"
    assert extract(page("記者王小明", body=body), url=url).published != "2021-01-01"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.example.gov.cn/xxgk/202103/t20210305_123456.html", "2021-03-05"),  # TRS
        ("http://politics.people.com.cn/n1/2021/0305/c1001-32043587.html", "2021-03-05"),  # people.com.cn
        ("http://www.example.gov.cn/xxgk/202103/t20210230_1.html", None),  # no such day
        ("http://www.example.gov.cn/list.html?d=/t20210305_1", None),  # the query is not the path
    ],
)
def test_dates_that_chinese_cms_write_into_urls(url: str, expected: str | None) -> None:
    assert url_date(url) == expected


def test_a_url_date_wins_over_related_articles_dates() -> None:
    url = "http://www.example.gov.cn/xxgk/202103/t20210305_123456.html"
    assert extract(page("来源：某某日报 浏览次数：100"), url=url).published == "2021-03-05"


def test_a_date_in_the_next_table_cell_of_a_disclosure_table() -> None:
    table = (
        "<table><tr><td>索引号：</td><td>000014349/2021-00012</td>"
        "<td>发文日期：</td><td>2021年03月05日</td></tr></table>"
    )
    assert extract(page(table)).published == "2021-03-05"


def test_a_year_alone_does_not_date_a_page() -> None:
    """htmldate's extensive search reads "2021年" as 1 January 2021: a day the page never shows is no date."""
    body = "<p>" + "2021年，我县深入推进依法行政，法治政府建设取得新成效，各项工作有序开展。" * 4 + "</p>"
    heading = "<h1>某某县2021年法治政府建设年度报告</h1>"
    html = f"<html><head><title>某某县人民政府</title></head><body>{heading}{body}</body></html>"
    assert extract(html.encode(), url="http://example.gov.cn/a/123.html").published is None


def test_a_real_first_of_january_stays_when_the_url_or_markup_spells_it() -> None:
    body = (
        "<p>"
        + "新年前夕，国家主席习近平通过中央广播电视总台和互联网，发表了新年贺词，向全国各族人民致以祝福。" * 2
        + "</p>"
    )
    html = f"<html><head><title>习近平发表新年贺词</title></head><body><h1>习近平发表新年贺词</h1>{body}</body></html>"
    url = "http://www.xinhuanet.com/politics/2021-01/01/c_1126934521.htm"
    assert extract(html.encode(), url=url).published == "2021-01-01"
    timed = html.replace("</h1>", "</h1><time itemprop='datePublished' datetime='2021-01-01T08:00'>1月1日</time>")
    assert extract(timed.encode(), url="http://example.gov.cn/a/1.html").published == "2021-01-01"


@pytest.mark.parametrize(
    ("last", "byline"),
    [
        ("<p>本通知自2021年3月1日起施行。</p>", "2021-02-07 10:21 来源：县政府办"),  # a start, not a signature
        ("<p>请各单位于2021年3月15日前报送。</p>", "2021-02-07 10:21 来源：县政府办"),  # a deadline
        (
            "<p>2021年2月6日，全国政协十一届三次会议在人民大会堂开幕，会议听取了常委会工作报告。</p>",
            "2021年02月07日10:21",
        ),
    ],
)
def test_a_date_in_the_last_sentence_does_not_beat_the_byline(last: str, byline: str) -> None:
    html = (
        f"<html><head><title>某某县人民政府</title></head><body><h1>关于某某事项的通知</h1><div>{byline}</div>"
        f"<div class='c'>{BODY}{last}</div></body></html>"
    )
    assert extract(html.encode()).published == "2021-02-07"


def test_a_byline_the_text_kept_does_not_hide_the_header() -> None:
    """The byline line is the text's first long line: the body starts after it, and it dates the page."""
    byline = "<p>2024年03月05日08:43 | 来源：新华网 | 作者：李斌 | 责任编辑：王小明 | 我要评论</p>"
    head = "<html><head><title>全国政协会议开幕_新闻中心</title></head><body><h1>全国政协会议开幕</h1>"
    html = f"{head}{byline}{BODY}{RELATED}</body></html>"
    assert extract(html.encode()).published == "2024-03-05"


def test_a_signature_after_the_editors_line_stays_and_dates_the_report() -> None:
    """ "编辑：… 审核：…" above the issuer and the signature date: the signature stays, and dates the report."""
    body = f"<h1>某某县2021年法治政府建设年度报告</h1>{paragraphs()}<p>编辑：张三 审核：李四</p>"
    record = extract(
        titled_page("某某县2021年法治政府建设年度报告", body + "<p>某某县人民政府</p><p>2022年1月20日</p>")
    )
    assert record.published == "2022-01-20" and record.text.rstrip().endswith("2022年1月20日")


def test_an_update_label_dates_the_article_before_a_related_lists_publication_labels() -> None:
    """An article dated only by 更新时间: a related list's 发布时间 further down is not its date."""
    related = "".join(f"<li><a href='/{i}.html'>另一篇文章标题{i}</a> 发布时间：2023-01-05</li>" for i in range(3))
    body = f"<h1>某某局工作动态</h1><div class='info'>更新时间：2022-01-25</div>{paragraphs()}<ul>{related}</ul>"
    assert extract(titled_page("某某局工作动态", body)).published == "2022-01-25"


def test_header_clock_is_never_the_date() -> None:
    text = "今天是2024年5月6日 星期一\n首页\n关于印发某某的通知\n正文内容。"
    assert labelled_date(text) is None
    assert signature_date("……特此报告。\n今天是2024年5月6日 星期一") is None
    assert labelled_date("发布日期：2022年3月1日") == "2022-03-01"
    page = portal_page("某镇2023年法治政府建设年度报告", "2023年,我镇认真贯彻落实法治政府建设各项部署。" * 20)
    assert extract(page.encode("utf-8")).published != "2024-05-06"


def test_the_publication_label_wins_over_the_written_date() -> None:
    """An information-disclosure table: 成文日期 (when the document was signed) comes before 发布日期."""
    table = "索引号：11440113/2022-00012 发布机构：某区人民政府 成文日期：2022-01-20 发布日期：2022-01-25 文号：无"
    assert labelled_date(table) == "2022-01-25"
    assert labelled_date("网站更新时间：2024-05-06 日期：2022-01-25") == "2022-01-25"
    assert labelled_date("成文日期：2022-01-10 实施日期：2022-03-01") == "2022-01-10"  # another word's date
    assert labelled_date("今天是2024年5月6日 星期一 发布时间：2022-01-25") == "2022-01-25"
    # A related-articles list further down has labels of its own: the article's date is the first group's.
    assert labelled_date("日期：2022-01-20 " + "正文" * 200 + " 发布时间：2021-01-30") == "2022-01-20"
    assert labelled_date("日期：" + " " * 50_000) is None  # and quickly


def test_a_signature_date_in_chinese_numerals_is_the_publication_date() -> None:
    """Official documents sign "二〇二二年一月二十五日" under the issuer; a report PDF has no other date."""
    meta = text_metadata(
        "某镇2021年法治政府建设年度报告\n2021年，我镇坚持依法行政。\n某县某镇人民政府\n二〇二二年一月二十五日"
    )
    assert (meta.published, meta.issuer, meta.report_year) == ("2022-01-25", "某县某镇人民政府", 2021)
    assert labelled_date("发布时间：２０２２－０１－２５") == "2022-01-25"
