"""Extraction end to end, whole pages only: seed reports inside a government-portal template, format detection, and
the real pages (trafilatura's, htmldate's and readability's Chinese sets, government detail pages, legacy encodings).

A test of one rule is in tests/unit/extract/test_<rule>.py, beside the rule's group in workers/extract/rules.py."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from nianbao.normalise import is_traditional
from tests.unit.extract.pages import body_of, portal_page, seed
from workers.extract import detect_format, extract
from workers.extract.html import parse

ROOT = Path(__file__).resolve().parents[2]
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


def bigram_f1(got: str, truth: str) -> float:
    """F1 of character bigrams without whitespace and punctuation (as bench/extract_quality.py scores)."""
    from collections import Counter

    def grams(text: str) -> Counter[str]:
        s = "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC")
        return Counter(s[i : i + 2] for i in range(len(s) - 1))

    a, b = grams(got), grams(truth)
    overlap = sum((a & b).values())
    return 2 * overlap / (sum(a.values()) + sum(b.values())) if overlap else 0.0


def assert_clean(text: str) -> None:
    for marker in FURNITURE:
        assert marker not in text, marker


def test_changping_report_from_a_gbk_portal_page() -> None:
    title = "常平镇2021年法治政府建设年度报告"
    text = body_of(seed("000"), "2021年是中国共产党成立100周年")
    page = portal_page(title, text, info="发布时间：2022-01-25 15:43 来源：本网", charset="gbk")
    page = page.replace("\xa0", " ").replace("•", "·")
    record = extract(page.encode("gb18030"), url="https://www.dg.gov.cn/cpz/fzzf/content/post_1.html")
    assert record.encoding == "gb18030"
    assert record.extractor in ("trafilatura", "container")
    assert "法治政府工作蹄疾步稳,亮点纷呈" in record.text
    assert "加强法治文化品牌建设,继续创新普法方法和载体" in record.text
    assert_clean(record.text)
    assert record.title == title
    assert record.published == "2022-01-25"  # not the header clock 2024-05-06
    assert record.report_kind == "rule_of_law"
    assert record.report_year == 2021
    # 来源 is 本网, no signature: the title's prefix, a bare division name, means that division's government.
    assert record.issuer == "常平镇人民政府"
    assert record.text_simplified is None
    assert record.pinyin_removed == 0


def test_seed_navigation_and_footer_lines_are_dropped_from_text() -> None:
    """Seed 000 as it came off the page: its own breadcrumb, share bar and footer lines inside the body."""
    record = extract(portal_page("常平镇2021年法治政府建设年度报告", seed("000")).encode("utf-8"))
    assert "认真学习贯彻习近平法治思想" in record.text
    assert_clean(record.text)
    assert "您访问的链接即将离开" not in record.text


def test_traditional_report_with_inline_pinyin() -> None:
    text = seed("001")
    title = text.splitlines()[0].strip()
    body = "\n".join(text.splitlines()[2:])
    record = extract(portal_page(title, body, site="湘潭縣人民政府", info="發布時間:2022-01-12 14:46").encode("utf-8"))
    assert record.pinyin_removed > 300
    assert "(zhèn)" not in record.text
    assert "(shè)" not in record.title
    assert "石鼓鎮堅持以習近平法治思想為指導" in record.text
    assert "(2021—2025年)" in record.text  # real parentheses stay
    assert "traditional" in record.flags
    assert record.text_simplified is not None
    assert "石鼓镇坚持以习近平法治思想为指导" in record.text_simplified
    assert record.report_kind == "rule_of_law"
    assert record.report_year == 2021
    assert record.published == "2022-01-12"
    assert record.issuer == "湘潭縣石鼓鎮人民政府"  # the signature line (no 来源 field)
    assert "全部留言" not in record.text


def test_panyu_report_issuer_from_source_and_year_from_title() -> None:
    text = seed("002")
    title = "广州市番禺区人民政府关于2021年度法治政府建设情况的报告"
    body = body_of(text, "2021年,番禺区委、区政府")
    info = "来源:广州市番禺区人民政府 发布时间:2021-12-13 16:07:17 阅读次数:-"
    record = extract(portal_page(title, body, site="番禺区", info=info).encode("utf-8"))
    assert record.issuer == "广州市番禺区人民政府"
    assert record.published == "2021-12-13"
    assert record.report_year == 2021
    assert "建立协作配合、快捷高效、便民利民的纠纷化解工作平台" in record.text
    assert "穗好办" not in record.text
    assert "阅读次数" not in record.text


def test_year_from_opening_sentence_and_signature_date() -> None:
    """No year in the title, no publication label: the opening sentence names the year, the end the date."""
    body = body_of(seed("004"), "2024年,独流镇党委") + "\n静海区独流镇人民政府\n2025年1月20日"
    page = portal_page("独流镇法治政府建设情况报告", body, site="静海区人民政府")
    record = extract(page.encode("utf-8"))
    assert record.report_year == 2024
    assert record.published == "2025-01-20"
    assert record.issuer == "静海区独流镇人民政府"


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
            passed += snippet in record.text
        for snippet in case["without"]:
            total += 1
            passed += snippet not in record.text
    assert passed >= 35, f"{passed}/{total}"


def test_trafilatura_zh_dates_and_titles() -> None:
    cases = json.loads((REALPAGES / "trafilatura-zh" / "evaldata_subset.json").read_text("utf-8"))
    for url, case in cases.items():
        if "nhk" in case["file"] or "date" not in case:
            continue  # Japanese control page
        record = extract((REALPAGES / "trafilatura-zh" / case["file"]).read_bytes(), url=url)
        assert record.published == case["date"], case["file"]
        assert case["title"].strip().startswith(record.title), case["file"]


def test_htmldate_zh_dates() -> None:
    cases = json.loads((REALPAGES / "htmldate-zh" / "expected_dates.json").read_text("utf-8"))
    right = sum(
        extract((REALPAGES / "htmldate-zh" / c["file"]).read_bytes(), url=url).published == c["date"]
        for url, c in cases.items()
    )
    assert right == len(cases)


@pytest.mark.parametrize("name", ["gmw", "pixnet", "qq", "youth"])
def test_readability_zh(name: str) -> None:
    folder = REALPAGES / "readability-zh" / name
    record = extract((folder / "source.html").read_bytes())
    expected = parse((folder / "expected.html").read_text("utf-8")).text_content()
    assert bigram_f1(record.text, expected) >= 0.93  # qq: readability keeps its editor and poll lines
    title = json.loads((folder / "expected-metadata.json").read_text("utf-8"))["title"]
    assert title.startswith(record.title) and len(record.title) >= 4
    assert record.encoding == "utf-8"
    assert ("traditional" in record.flags) == (name == "pixnet")


def test_government_detail_pages() -> None:
    shanxi = extract((REALPAGES / "gov-detail" / "shanxi.html").read_bytes())
    assert "山西品牌丝路行首次登陆巴西" in shanxi.text
    gzggw = extract((REALPAGES / "gov-detail" / "gzggw.html").read_bytes())
    assert "全县固定资产投资完成246.79亿元" in gzggw.text
    assert gzggw.published == "2016-11-22"
    assert "浏览次数" not in gzggw.text
    cmse = extract((REALPAGES / "gov-detail" / "cmse.html").read_bytes())
    assert "首次手动控制交会对接试验" in cmse.text
    other = extract((REALPAGES / "gov-detail" / "other.html").read_bytes())
    assert "text_too_short" in other.flags  # the body is loaded by script; nothing to invent


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
    if is_traditional(want.text[:3000]):
        legacy.append(("big5hkscs", text.encode("big5hkscs", "xmlcharrefreplace"), ("big5", "", "gb2312")))
    for codec, body, declarations in legacy:
        for declared in declarations:
            page = _CHARSET_DECLARATION.sub(f"charset={declared}".encode() if declared else b"", body)
            got = extract(page, url="http://example.gov.cn/a.html")
            assert got.encoding == codec, (codec, declared)
            for field in ("text", "title", "published", "issuer"):
                assert getattr(got, field) == getattr(want, field), (codec, declared, field)
