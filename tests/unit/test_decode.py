"""Decoding: declared charsets checked against the bytes, Big5 vs GB18030 by plausibility, mojibake repair, on seed
and real pages. The rules of nianbao/encoding_rules.py have their tests in tests/unit/extract/test_encodings.py."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from tests.unit.extract import pages
from workers.extract import DecodeError, ExtractError, decode

ROOT = Path(__file__).resolve().parents[2]
REALPAGES = ROOT / "tests" / "fixtures" / "realpages"

BODY_SENTENCE = "我镇坚持党对法治建设的领导,认真学习贯彻习近平法治思想"


def seed(prefix: str) -> str:
    # U+00A0 and "•" are not in GBK; portals that serve GBK write them as entities or spaces.
    return pages.seed(prefix).replace("\xa0", " ").replace("•", "·")


def html_page(text: str, charset: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    paragraphs = "".join(f"<p>{line}</p>\n" for line in text.splitlines() if line.strip())
    return f"<html><head>{meta}<title>报告</title></head><body>{paragraphs}</body></html>"


def test_gbk_page_declared_gbk_is_decoded_as_gb18030() -> None:
    body = html_page(seed("000"), "gbk").encode("gb18030")
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert decoded.declared == "gbk"
    assert BODY_SENTENCE in decoded.text
    assert decoded.repairs == []


def test_gbk_bytes_declared_utf8_are_redecoded_and_the_repair_recorded() -> None:
    body = html_page(seed("000"), "utf-8").encode("gb18030")
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert BODY_SENTENCE in decoded.text
    assert "declared utf-8, bytes are gb18030" in decoded.repairs


def test_http_header_charset_is_checked_too() -> None:
    body = html_page(seed("000"), None).encode("gb18030")
    decoded = decode(body, content_type="text/html; charset=UTF-8")
    assert decoded.encoding == "gb18030"
    assert decoded.declared == "UTF-8"
    assert any("bytes are gb18030" in r for r in decoded.repairs)


def test_utf8_page_declared_gb2312_stays_utf8() -> None:
    # The readability `qq` page declares gb2312 but is UTF-8.
    decoded = decode((REALPAGES / "readability-zh" / "qq" / "source.html").read_bytes())
    assert decoded.encoding == "utf-8"
    assert "declared gb2312, bytes are utf-8" in decoded.repairs
    assert "人工智能迈上新台阶" in decoded.text


def test_real_gb2312_bytes_declared_utf8_page() -> None:
    # The archived he.xinhuanet page is real GB2312 bytes.
    body = (REALPAGES / "trafilatura-zh" / "archive.org.he.xinhuanet.com.25340717.html").read_bytes()
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert "一个约定，信守15年" in decoded.text


def test_big5_is_not_taken_for_gb18030() -> None:
    """Big5 bytes decode as GB18030 without error; plausibility must pick Big5."""
    traditional = opencc.OpenCC("s2t").convert(seed("000"))
    body = html_page(traditional, None).encode("big5hkscs", errors="replace")
    body.decode("gb18030")  # the trap: no error
    decoded = decode(body)
    assert decoded.encoding == "big5hkscs"
    assert "認真學習貫徹習近平法治思想" in decoded.text


def test_big5_bytes_declared_gbk_are_redecoded() -> None:
    traditional = opencc.OpenCC("s2t").convert(seed("000"))
    body = html_page(traditional, "gbk").encode("big5hkscs", errors="replace")
    decoded = decode(body)
    assert decoded.encoding == "big5hkscs"
    assert "declared gbk, bytes are big5hkscs" in decoded.repairs


def test_unknown_charset_label_falls_back_to_detection() -> None:
    body = html_page(seed("000"), "x-no-such-charset").encode("gb18030")
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert BODY_SENTENCE in decoded.text
    assert any("unknown charset label" in r for r in decoded.repairs)


def test_utf8_read_as_gbk_mojibake_is_repaired() -> None:
    sentence = "现将我镇法治政府建设工作情况汇报如下"
    garbled = sentence.encode("utf-8").decode("gb18030")  # 鐜板皢... : lossless for this sentence
    assert garbled != sentence
    body = html_page(seed("000") + "\n" + garbled, "utf-8").encode("utf-8")
    decoded = decode(body)
    assert decoded.text.count(sentence) >= 1
    assert garbled not in decoded.text
    assert "mojibake: utf-8 read as gbk, repaired" in decoded.repairs


def test_bom_wins() -> None:
    decoded = decode("\ufeff<p>法治政府建设</p>".encode("utf-16-le"))
    assert decoded.encoding == "utf-16"
    assert decoded.text == "<p>法治政府建设</p>"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG"),
        (bytes(range(32)) * 64, "control bytes"),
    ],
)
def test_binary_bodies_raise_decode_error(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(body)
    assert issubclass(DecodeError, ExtractError)
    assert issubclass(ExtractError, ValueError)


def test_decode_reports_how() -> None:
    result = decode(html_page(seed("000"), "gb2312").encode("gb18030"), content_type="text/html")
    assert result.encoding == "gb18030"
    assert 0.5 < result.confidence <= 1.0
    assert result.repairs == []
    assert BODY_SENTENCE in result.text


def test_every_realpage_decodes_without_replacement_characters() -> None:
    # zh-extraction-dev pages are as their sites served them, some cut mid-character (cwced-b70f455d: twelve GBK
    # lead bytes without their trail byte before "&quot;"): U+FFFD is right there.
    pages = sorted(REALPAGES.glob("*/*.htm*")) + sorted(REALPAGES.glob("readability-zh/*/source.html"))
    for path in (p for p in pages if p.parent.name != "zh-extraction-dev"):
        decoded = decode(path.read_bytes())
        assert decoded.text.count("\ufffd") < 5, path.name


def test_the_xml_declaration_strip_is_one_for_crawler_and_workers() -> None:
    """lxml refuses a decoded str that keeps its XML declaration; only a leading one is stripped."""
    from nianbao.decode import without_xml_declaration

    assert without_xml_declaration('  <?XML version="1.0" encoding="GBK"?><html>') == "<html>"
    assert without_xml_declaration("<html><?xml ?>") == "<html><?xml ?>"
