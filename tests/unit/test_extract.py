"""HTML extraction end to end: seed reports inside a government-portal template, and the real pages."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pytest

from nianbao.dates import arabic_dates
from nianbao.normalise import is_traditional, strip_pinyin, to_simplified
from workers.extract import Options, detect_format, extract
from workers.extract.html import parse, prune
from workers.extract.metadata import find_title, labelled_date, signature_date, text_metadata

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "replica" / "seeds"
REALPAGES = ROOT / "tests" / "fixtures" / "realpages"

FURNITURE = (
    "今天是",
    "您现在所在的位置",
    "当前位置",
    "字体",
    "扫一扫在手机打开当前页",
    "分享到",
    "上一篇",
    "下一篇",
    "相关链接",
    "版权所有",
    "ICP备",
    "公网安备",
    "网站标识码",
    "技术支持",
    "网站地图",
    "联系我们",
)


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text("utf-8")


def portal_page(title: str, body: str, *, site: str = "常平镇人民政府", info: str = "", charset: str = "utf-8") -> str:
    """A page shaped like a county portal: header clock, nav, breadcrumbs, share bar, related links, footer."""
    paragraphs = "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in body.splitlines() if line.strip())
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}">
<title>{html.escape(title)}_{site}</title></head><body>
<div class="top">今天是2024年5月6日 星期一 <a href="/">首页</a> <a href="/wza">无障碍</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
<li><a href="/fzzf">法治政府</a></li><li><a href="/hdjl">互动交流</a></li></ul></div>
<div class="crumbs">您现在所在的位置：<a>首页</a> &gt; <a>专题</a> &gt; <a>法治政府</a></div>
<div class="main"><h1>{html.escape(title)}</h1>
<div class="info"><span>{info}</span> 【字体：<a>大</a> <a>中</a> <a>小</a>】 <a>打印</a></div>
<div class="TRS_Editor">{paragraphs}</div>
<div class="bdshare">分享到：<a>微信</a> <a>微博</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="pn"><p>上一篇：<a>关于开展安全生产检查的通知</a></p><p>下一篇：<a>2021年第四季度工作动态</a></p></div>
<div class="xglj"><h3>相关链接</h3><ul><li><a>中国政府网</a></li><li><a>广东省人民政府</a></li></ul></div>
</div>
<div class="footer"><p>版权所有：东莞市人民政府办公室 网站标识码：4419000098</p>
<p>粤ICP备19114884号 粤公网安备 44190002000375号</p><p>技术支持：开普云 <a>网站地图</a> <a>联系我们</a></p></div>
</body></html>"""


def bigram_f1(got: str, truth: str) -> float:
    """F1 of character bigrams without whitespace and punctuation (as bench/extract_quality.py scores)."""
    from collections import Counter

    def grams(text: str) -> Counter[str]:
        s = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")
        return Counter(s[i : i + 2] for i in range(len(s) - 1))

    a, b = grams(got), grams(truth)
    overlap = sum((a & b).values())
    return 2 * overlap / (sum(a.values()) + sum(b.values())) if overlap else 0.0


def body_of(text: str, start: str) -> str:
    """The report text from its first body sentence on (seed files begin with the portal's own lines)."""
    return text[text.index(start) :]


def assert_clean(text: str) -> None:
    for marker in FURNITURE:
        assert marker not in text, marker


def test_changping_report_from_a_gbk_portal_page() -> None:
    title = "常平镇2021年法治政府建设年度报告"
    text = body_of(seed("000"), "2021年是中国共产党成立100周年")
    page = portal_page(title, text, info="发布时间：2022-01-25 15:43 来源：本网", charset="gbk")
    page = page.replace("\xa0", " ").replace("•", "·")
    record = extract(page.encode("gb18030"), url="https://www.dg.gov.cn/cpz/fzzf/content/post_1.html")
    assert record["encoding"] == "gb18030"
    assert record["extractor"] in ("trafilatura", "container")
    assert "法治政府工作蹄疾步稳,亮点纷呈" in record["text"]
    assert "加强法治文化品牌建设,继续创新普法方法和载体" in record["text"]
    assert_clean(record["text"])
    assert record["title"] == title
    assert record["published"] == "2022-01-25"  # not the header clock 2024-05-06
    assert record["report_kind"] == "rule_of_law"
    assert record["report_year"] == 2021
    # 来源 is 本网, no signature: the title's prefix, a bare division name, means that division's government.
    assert record["issuer"] == "常平镇人民政府"
    assert record["text_simplified"] is None
    assert record["pinyin_removed"] == 0


def test_seed_navigation_and_footer_lines_are_dropped_from_text() -> None:
    """Seed 000 as it came off the page: its own breadcrumb, share bar and footer lines inside the body."""
    record = extract(portal_page("常平镇2021年法治政府建设年度报告", seed("000")).encode("utf-8"))
    assert "认真学习贯彻习近平法治思想" in record["text"]
    assert_clean(record["text"])
    assert "您访问的链接即将离开" not in record["text"]


def test_traditional_report_with_inline_pinyin() -> None:
    text = seed("001")
    title = text.splitlines()[0].strip()
    body = "\n".join(text.splitlines()[2:])
    record = extract(portal_page(title, body, site="湘潭縣人民政府", info="發布時間:2022-01-12 14:46").encode("utf-8"))
    assert record["pinyin_removed"] > 300
    assert "(zhèn)" not in record["text"]
    assert "(shè)" not in record["title"]
    assert "石鼓鎮堅持以習近平法治思想為指導" in record["text"]
    assert "(2021—2025年)" in record["text"]  # real parentheses stay
    assert "traditional" in record["flags"]
    assert record["text_simplified"] is not None
    assert "石鼓镇坚持以习近平法治思想为指导" in record["text_simplified"]
    assert record["report_kind"] == "rule_of_law"
    assert record["report_year"] == 2021
    assert record["published"] == "2022-01-12"
    assert record["issuer"] == "湘潭縣石鼓鎮人民政府"  # the signature line (no 来源 field)
    assert "全部留言" not in record["text"]


def test_panyu_report_issuer_from_source_and_year_from_title() -> None:
    text = seed("002")
    title = "广州市番禺区人民政府关于2021年度法治政府建设情况的报告"
    body = body_of(text, "2021年,番禺区委、区政府")
    info = "来源:广州市番禺区人民政府 发布时间:2021-12-13 16:07:17 阅读次数:-"
    record = extract(portal_page(title, body, site="番禺区", info=info).encode("utf-8"))
    assert record["issuer"] == "广州市番禺区人民政府"
    assert record["published"] == "2021-12-13"
    assert record["report_year"] == 2021
    assert "建立协作配合、快捷高效、便民利民的纠纷化解工作平台" in record["text"]
    assert "穗好办" not in record["text"]
    assert "阅读次数" not in record["text"]


@pytest.mark.parametrize(("author", "issuer"), [("马娟", "常平镇人民政府"), ("东莞市司法局", "东莞市司法局")])
def test_meta_author_is_an_issuer_only_when_it_names_an_organ(author: str, issuer: str) -> None:
    """gov.cn and many portals put the editor's name in <meta name="author">; the title's prefix wins over it."""
    page = portal_page("常平镇2021年法治政府建设年度报告", body_of(seed("000"), "2021年"))
    page = page.replace("<title>", f'<meta name="author" content="{author}"><title>', 1)
    assert extract(page.encode("utf-8"))["issuer"] == issuer


def test_year_from_opening_sentence_and_signature_date() -> None:
    """No year in the title, no publication label: the opening sentence names the year, the end the date."""
    body = body_of(seed("004"), "2024年,独流镇党委") + "\n静海区独流镇人民政府\n2025年1月20日"
    page = portal_page("独流镇法治政府建设情况报告", body, site="静海区人民政府")
    record = extract(page.encode("utf-8"))
    assert record["report_year"] == 2024
    assert record["published"] == "2025-01-20"
    assert record["issuer"] == "静海区独流镇人民政府"


def test_page_number_lines_of_pasted_word_documents_are_dropped() -> None:
    text = seed("003")
    record = extract(portal_page(text.splitlines()[0], "\n".join(text.splitlines()[1:])).encode("utf-8"))
    assert "— 5 —" not in record["text"]
    assert record["report_year"] == 2021
    assert record["title"] == "垫江县人民政府桂溪街道办事处2021年法治政府建设年度报告"


def test_header_clock_is_never_the_date() -> None:
    text = "今天是2024年5月6日 星期一\n首页\n关于印发某某的通知\n正文内容。"
    assert labelled_date(text) is None
    assert signature_date("……特此报告。\n今天是2024年5月6日 星期一") is None
    assert labelled_date("发布日期：2022年3月1日") == "2022-03-01"
    page = portal_page("某镇2023年法治政府建设年度报告", "2023年,我镇认真贯彻落实法治政府建设各项部署。" * 20)
    assert extract(page.encode("utf-8"))["published"] != "2024-05-06"


def test_tree_pruning_drops_furniture_elements_not_the_body() -> None:
    body = body_of(seed("000"), "2021年是中国共产党成立100周年")
    tree = prune(parse(portal_page("常平镇2021年法治政府建设年度报告", body)))
    remaining = tree.text_content()
    assert "网站标识码" not in remaining
    assert "相关链接" not in remaining
    assert "扫一扫在手机打开当前页" not in remaining
    assert "法治政府工作蹄疾步稳" in remaining


def test_tables_are_kept_as_rows() -> None:
    table = (
        "<table><tr><th>项目</th><th>数量</th></tr><tr><td>行政复议案件</td><td>12件</td></tr>"
        "<tr><td>行政诉讼案件</td><td>5件</td></tr></table>"
    )
    body = body_of(seed("000"), "2021年是中国共产党成立100周年")
    page = portal_page("常平镇2021年法治政府建设年度报告", body).replace(
        '</div>\n<div class="bdshare"', table + '</div>\n<div class="bdshare"'
    )
    text = extract(page.encode("utf-8"))["text"]
    assert "行政复议案件" in text and "12件" in text


def test_container_fallback_when_trafilatura_returns_little(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table-layout page whose body is split over <br>s in a #zoom container, trafilatura giving up."""
    import workers.extract.html as html_module

    monkeypatch.setattr(html_module, "_trafilatura", lambda tree, options, focus="precision": "桂溪街道")
    sentences = body_of(seed("003"), "2021年,桂溪街道").splitlines()[:12]
    body = "<br>".join(html.escape(s) for s in sentences)
    page = (
        "<html><head><title>桂溪街道2021年法治政府建设年度报告</title></head><body><table><tr><td>"
        f"<a>首页</a></td></tr><tr><td><div id='zoom'>{body}</div></td></tr></table></body></html>"
    )
    record = extract(page.encode("utf-8"), options=Options(min_text_chars=200))
    assert record["extractor"] == "container"
    assert "首页" not in record["text"]
    assert "开展法治政府建设示范创建评估" in record["text"]


def test_pinyin_annotations_and_real_parentheses() -> None:
    text, count = strip_pinyin("石鼓鎮(zhèn)建設（shè）(一)村(社区)(2021—2025年)(PDF)導 (dǎo)")
    assert count == 2
    assert text == "石鼓鎮建設(一)村(社区)(2021—2025年)(PDF)導 (dǎo)"


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("二〇二二年一月二十五日", "2022年1月25日"),
        ("二○二一年十二月三十一日", "2021年12月31日"),
        ("二〇二二年十月十日印发", "2022年10月10日印发"),
        ("２０２２－０１－２５", "2022-01-25"),
        ("二〇二一年度法治政府建设", "二〇二一年度法治政府建设"),  # a year alone is not a date
    ],
)
def test_dates_in_chinese_numerals_and_fullwidth_digits_read_as_digits(written: str, digits: str) -> None:
    assert arabic_dates(written) == digits


def test_a_signature_date_in_chinese_numerals_is_the_publication_date() -> None:
    """Official documents sign "二〇二二年一月二十五日" under the issuer; a report PDF has no other date."""
    meta = text_metadata(
        "某镇2021年法治政府建设年度报告\n2021年，我镇坚持依法行政。\n某县某镇人民政府\n二〇二二年一月二十五日"
    )
    assert (meta.published, meta.issuer, meta.report_year) == ("2022-01-25", "某县某镇人民政府", 2021)
    assert labelled_date("发布时间：２０２２－０１－２５") == "2022-01-25"


@pytest.mark.parametrize(
    "head",
    [
        "<title>广州市番禺区人民政府-关于2021年度法治政府建设情况的报告</title>",  # the site first, a tight hyphen
        "<title>首页 &gt; 政务公开 &gt; 关于2021年度法治政府建设情况的报告</title>",  # a breadcrumb
        "<title>番禺区人民政府门户网站</title>",  # only the site: the title is in a block of the page
    ],
)
def test_the_report_title_is_found_wherever_the_page_writes_it(head: str) -> None:
    page = (
        f"<html><head>{head}</head><body><div class='nav'><a href='/a'>2020年度法治政府建设报告</a></div>"
        "<div class='title'>关于2021年度法治政府建设情况的报告</div><div id='zoom'><p>"
        + "2021年，番禺区坚持依法行政，推进法治政府建设。" * 8
        + "</p></div></body></html>"
    )
    record = extract(page.encode("utf-8"))
    assert (record["title"], record["report_kind"], record["report_year"]) == (
        "关于2021年度法治政府建设情况的报告",
        "rule_of_law",
        2021,
    )


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


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("一图读懂 | 2021年政府信息公开工作年度报告_某某县人民政府", "一图读懂"),  # an explainer stays one
        ("某县2022年法治政府建设工作要点-法治政府建设年度报告-某县人民政府", "某县2022年法治政府建设工作要点"),
        (
            "某县人民政府 &gt; 信息公开 &gt; 政府信息公开年报 &gt; 2021年某县政府信息公开工作年度报告",
            "2021年某县政府信息公开工作年度报告",  # the longest part that names a report, not the column
        ),
    ],
)
def test_a_title_part_is_taken_only_when_the_whole_title_names_a_report(head: str, title: str) -> None:
    assert find_title(parse(f"<html><head><title>{head}</title></head><body><p>x</p></body></html>")) == title


def test_a_site_named_page_takes_its_heading_not_a_sentence_naming_a_report() -> None:
    body = "<h1>我县召开2022年第一次县政府常务会议</h1><p>会议审议通过了《某县2021年法治政府建设年度报告》。</p>"
    assert find_title(parse(f"<html><head><title>某县人民政府</title></head><body>{body}</body></html>")) == (
        "我县召开2022年第一次县政府常务会议"
    )
    nested = (
        "<div><div class='title'>某区2021年政府信息公开工作年度报告</div>"
        "<div>发布时间：2022-01-25 来源：某区人民政府办公室</div></div>"
    )
    page = f"<html><head><title>某区人民政府门户网站</title></head><body>{nested}</body></html>"
    assert find_title(parse(page)) == "某区2021年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("block", "title"),
    [
        ("<table><tr><td class='title'>我县召开防汛工作会议</td></tr></table>", "我县召开防汛工作会议"),
        ("<div id='biaoti'>我县召开防汛工作会议</div>", "我县召开防汛工作会议"),
        ("<span id='lblTitle'>我县召开防汛工作会议</span>", "我县召开防汛工作会议"),
        # Not the title: the site's or a column's name, a subtitle, a link, a sentence.
        ("<div class='site-title'>某县人民政府门户网站</div>", "某县人民政府门户网站"),
        ("<div class='subtitle'>副标题内容在这里写着</div>", "某县人民政府门户网站"),
        ("<div class='title'><a href='/x'>另一篇文章的标题</a></div>", "某县人民政府门户网站"),
        ("<div class='title'>会议要求各单位做好防汛工作。</div>", "某县人民政府门户网站"),
    ],
)
def test_a_site_named_page_without_headings_takes_the_block_named_title(block: str, title: str) -> None:
    """Old CMSs title every page with the site's name and write the article's title in <td class="title">."""
    page = (
        f"<html><head><title>某县人民政府门户网站</title></head><body>{block}<p>{'正文内容。' * 30}</p></body></html>"
    )
    assert find_title(parse(page)) == title


def test_traditional_detection_and_simplified_copy() -> None:
    traditional, simplified = strip_pinyin(seed("001"))[0], seed("000")
    assert is_traditional(traditional) and is_traditional(traditional, to_simplified(traditional))
    assert not is_traditional(simplified) and not is_traditional(simplified, to_simplified(simplified))
    assert to_simplified("湘潭縣石鼓鎮發佈時間") == "湘潭县石鼓镇发布时间"


@pytest.mark.parametrize(
    ("body", "url", "ctype", "fmt"),
    [
        (b"%PDF-1.4\n", "", None, "pdf"),
        (b"<html></html>", "https://x.gov.cn/a.pdf", "text/html", "html"),
        (b"PK\x03\x04....[Content_Types].xml....", "", "application/octet-stream", "docx"),
        (b"PK\x03\x04....OFD.xml....", "", None, "ofd"),
        (b"\xd0\xcf\x11\xe0rest", "https://x.gov.cn/a.wps", None, "wps"),
        (b"\xd0\xcf\x11\xe0rest", "https://x.gov.cn/a.doc", None, "doc"),
        (b"<p>x</p>", "", "text/html; charset=gbk", "html"),
    ],
)
def test_detect_format(body: bytes, url: str, ctype: str | None, fmt: str) -> None:
    assert detect_format(body, url, ctype) == fmt


# ---- the real pages (scores are reported in the final report; these floors keep them from regressing) ----


def test_trafilatura_zh_snippets() -> None:
    cases = json.loads((REALPAGES / "trafilatura-zh" / "evaldata_subset.json").read_text("utf-8"))
    passed = total = 0
    for url, case in cases.items():
        record = extract((REALPAGES / "trafilatura-zh" / case["file"]).read_bytes(), url=url)
        for snippet in case["with"]:
            total += 1
            passed += snippet in record["text"]
        for snippet in case["without"]:
            total += 1
            passed += snippet not in record["text"]
    assert passed >= 35, f"{passed}/{total}"


def test_trafilatura_zh_dates_and_titles() -> None:
    cases = json.loads((REALPAGES / "trafilatura-zh" / "evaldata_subset.json").read_text("utf-8"))
    for url, case in cases.items():
        if "nhk" in case["file"] or "date" not in case:
            continue  # Japanese control page
        record = extract((REALPAGES / "trafilatura-zh" / case["file"]).read_bytes(), url=url)
        assert record["published"] == case["date"], case["file"]
        assert case["title"].strip().startswith(record["title"]), case["file"]


def test_htmldate_zh_dates() -> None:
    cases = json.loads((REALPAGES / "htmldate-zh" / "expected_dates.json").read_text("utf-8"))
    right = sum(
        extract((REALPAGES / "htmldate-zh" / c["file"]).read_bytes(), url=url)["published"] == c["date"]
        for url, c in cases.items()
    )
    assert right == len(cases)


@pytest.mark.parametrize("name", ["gmw", "pixnet", "qq", "youth"])
def test_readability_zh(name: str) -> None:
    folder = REALPAGES / "readability-zh" / name
    record = extract((folder / "source.html").read_bytes())
    expected = parse((folder / "expected.html").read_text("utf-8")).text_content()
    assert bigram_f1(record["text"], expected) >= 0.93  # qq: readability keeps its editor and poll lines
    title = json.loads((folder / "expected-metadata.json").read_text("utf-8"))["title"]
    assert title.startswith(record["title"]) and len(record["title"]) >= 4
    assert record["encoding"] == "utf-8"
    assert ("traditional" in record["flags"]) == (name == "pixnet")


def test_government_detail_pages() -> None:
    shanxi = extract((REALPAGES / "gov-detail" / "shanxi.html").read_bytes())
    assert "山西品牌丝路行首次登陆巴西" in shanxi["text"]
    gzggw = extract((REALPAGES / "gov-detail" / "gzggw.html").read_bytes())
    assert "全县固定资产投资完成246.79亿元" in gzggw["text"]
    assert gzggw["published"] == "2016-11-22"
    assert "浏览次数" not in gzggw["text"]
    cmse = extract((REALPAGES / "gov-detail" / "cmse.html").read_bytes())
    assert "首次手动控制交会对接试验" in cmse["text"]
    other = extract((REALPAGES / "gov-detail" / "other.html").read_bytes())
    assert "text_too_short" in other["flags"]  # the body is loaded by script; nothing to invent


_CHARSET_DECLARATION = re.compile(rb"charset\s*=\s*[\"']?\s*[\w-]+", re.I)


def _utf8_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


# The real detail pages published in UTF-8 (the GB2312 one is decoded as it is by the other tests). The 58 pages
# of zh-extraction-dev are scored by bench/extract_quality.py instead (six extractions each would add a minute).
_UTF8_REALPAGES = [
    p
    for p in sorted(REALPAGES.glob("*/*.htm*")) + sorted(REALPAGES.glob("readability-zh/*/source.html"))
    if p.parent.name not in ("listing", "zh-extraction-dev") and _utf8_text(p) is not None
]


@pytest.mark.parametrize("path", _UTF8_REALPAGES, ids=lambda p: p.name if p.name != "source.html" else p.parent.name)
def test_a_real_page_in_a_chinese_legacy_encoding_gives_what_its_utf8_original_gives(path: Path) -> None:
    """Portals serve GBK declared gbk, undeclared, or declared UTF-8, and Traditional pages in Big5 declared
    gb2312: each re-encoding of a real page yields the text, title, date and issuer of the UTF-8 original."""
    text = _utf8_text(path)
    assert text is not None
    want = extract(path.read_bytes(), url="http://example.gov.cn/a.html")
    legacy = [("gb18030", text.encode("gb18030"), ("gbk", "", "utf-8"))]
    if is_traditional(want["text"][:3000]):
        legacy.append(("big5hkscs", text.encode("big5hkscs", "xmlcharrefreplace"), ("big5", "", "gb2312")))
    for codec, body, declarations in legacy:
        for declared in declarations:
            page = _CHARSET_DECLARATION.sub(f"charset={declared}".encode() if declared else b"", body)
            got = extract(page, url="http://example.gov.cn/a.html")
            assert got["encoding"] == codec, (codec, declared)
            for field in ("text", "title", "published", "issuer"):
                assert got[field] == want[field], (codec, declared, field)
