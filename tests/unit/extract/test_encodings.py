"""Encodings decided by evidence (nianbao.encoding_rules: HZ_*, SCRIPT_*, GB_*, CANTONESE_CHARS, HKSCS_*, LATIN1_*),
each class decoding exactly.

The files are made with Python's own codecs, the way their sites wrote them.
"""

from __future__ import annotations

import pytest

from tests.unit.extract.pages import seed
from workers.extract import DecodeError, decode, extract

REPORT = "我镇坚持党对法治建设的领导，认真学习贯彻习近平法治思想，现将二零二一年法治政府建设工作情况报告如下。"
CANTONESE = "佢哋喺度講緊嘢，我哋唔知佢想點，冇人知。呢個係香港嘅新聞，啲人都好關心㗎。"
JAPANESE = "元兵庫県明石市長の泉房穂氏が二十日、東京都知事選への立候補を表明した安芸高田市長について批判した。"
KOREAN = "대한민국 정부는 매년 정보공개 연차보고서를 발표합니다. 서울특별시는 행정 정보를 시민에게 공개하고 있습니다."
TAIWANESE = "臺灣省政府資訊公開年度報告，本年度依法辦理政府資訊公開工作情形如下。"


def page(text: str, charset: str | None = None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>page</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("charset", [None, "hz-gb-2312", "gb2312", "utf-8"])
def test_hz_escapes_are_decoded(charset: str | None) -> None:
    body = page(REPORT, charset).encode("hz")
    assert body.isascii() and b"~{" in body
    decoded = decode(body)
    assert decoded.encoding == "hz"
    assert REPORT in decoded.text


def test_ascii_that_merely_writes_tilde_brace_stays_ascii() -> None:
    body = page("x = a ~{ b ~} c; see ~{http~}").encode("ascii")
    decoded = decode(body)
    assert decoded.encoding != "hz" and "~{ b ~}" in decoded.text


@pytest.mark.parametrize("charset", [None, "big5", "gb2312", "utf-8"])
@pytest.mark.parametrize("text", [CANTONESE, "佢哋喺度", "呢個係香港嘅新聞，啲人都好關心㗎"])
def test_big5_hkscs_with_hkscs_only_characters_is_not_read_as_gb18030(charset: str | None, text: str) -> None:
    with pytest.raises(UnicodeEncodeError):
        text.encode("big5")  # HKSCS-only code points: 哋, 㗎 …
    decoded = decode(page(text, charset).encode("big5hkscs"))
    assert decoded.encoding == "big5hkscs"
    assert text in decoded.text


@pytest.mark.parametrize("text", ["欢迎光临本站", "联系我们", "政府信息公开", "首页 新闻 公告", "关于印发通知"])
@pytest.mark.parametrize("wrapped", [True, False])
def test_a_short_gb2312_text_is_not_taken_for_korean_or_japanese(text: str, wrapped: bool) -> None:
    body = (page(text) if wrapped else text).encode("gb2312")
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert text in decoded.text


@pytest.mark.parametrize("codec", ["shift_jis", "euc_jp"])
def test_undeclared_japanese_keeps_its_japanese_codec(codec: str) -> None:
    decoded = decode(page(JAPANESE).encode(codec))
    assert JAPANESE in decoded.text


@pytest.mark.parametrize("charset", [None, "iso-2022-jp"])
@pytest.mark.parametrize(
    ("text", "codec"), [(JAPANESE, "iso2022_jp"), (REPORT, "iso2022_jp_2"), (KOREAN, "iso2022_kr")]
)
def test_seven_bit_iso_2022_text_is_decoded(charset: str | None, text: str, codec: str) -> None:
    body = page(text, charset).encode(codec)
    assert body.isascii() and b"\x1b" in body
    assert text in decode(body).text


def test_ascii_with_terminal_escape_codes_stays_ascii() -> None:
    body = page("build \x1b[31mfailed\x1b[0m at step 3").encode("ascii")
    assert "\x1b[31mfailed" in decode(body).text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [REPORT, JAPANESE, "Annual report on government information disclosure"])
def test_utf16_without_a_byte_order_mark_is_decoded(codec: str, text: str) -> None:
    body = page(text).encode(codec)
    assert not body.startswith((b"\xff\xfe", b"\xfe\xff"))
    decoded = decode(body)
    assert decoded.encoding == codec and text in decoded.text


def test_a_binary_body_with_many_nuls_is_still_refused() -> None:
    body = b"\x00\x00\x05\x06" * 256  # NULs at both byte parities: no UTF-16 text
    with pytest.raises(DecodeError):
        decode(body)


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Правительство ежегодно публикует доклад о доступе к информации. Граждане могут направить запрос. " * 6,
         "koi8_r"),
        ("รัฐบาลเผยแพร่รายงานประจำปีเกี่ยวกับการเข้าถึงข้อมูลข่าวสารของประชาชนและหน่วยงานราชการ " * 6, "tis_620"),
    ],
)  # fmt: skip
def test_undeclared_text_that_is_no_chinese_keeps_the_detectors_codec(text: str, codec: str) -> None:
    # Their letters read as GB18030 pairs are Han characters, however implausible: the detector's guess stands.
    assert text.strip() in decode(page(text).encode(codec)).text


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "koi8-r"])
def test_chinese_declared_as_a_single_byte_codec_is_still_read_as_chinese(charset: str) -> None:
    assert REPORT in decode(page(REPORT, charset).encode("gbk")).text


@pytest.mark.parametrize("charset", [None, "euc-kr", "ks_c_5601-1987"])
@pytest.mark.parametrize("codec", ["euc_kr", "cp949"])
def test_korean_without_han_keeps_its_korean_codec(charset: str | None, codec: str) -> None:
    # Plausibility measures Chinese: Hangul alone scores nothing, and the Big5 reading of its bytes scored higher.
    decoded = decode(page(KOREAN, charset).encode(codec))
    assert KOREAN in decoded.text


@pytest.mark.parametrize("charset", ["euc-kr", "shift_jis"])
@pytest.mark.parametrize(("text", "codec"), [(REPORT, "gbk"), (TAIWANESE, "big5")])
def test_chinese_declared_korean_or_japanese_is_still_read_as_chinese(charset: str, text: str, codec: str) -> None:
    decoded = decode(page(text, charset).encode(codec))
    assert text in decoded.text


@pytest.mark.parametrize(
    "text", ["São Paulo Ã© uma cidade, ÃƒÂ© também.", "编码错误示例：Ã©tÃ© 表示 été 被错误解码。", "Ã‰cole ÃŸ 和 Ã¼ber"]
)
def test_utf8_that_really_contains_a_tilde_is_not_repaired(text: str) -> None:
    decoded = decode(page(text, "utf-8").encode("utf-8"))
    assert text in decoded.text
    assert decoded.repairs == []


def test_chinese_utf8_read_as_cp1252_is_still_repaired_run_by_run() -> None:
    # As Windows reads it: cp1252, and its five undefined bytes as the Latin-1 control characters.
    garbled = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in REPORT.encode("utf-8"))
    body = page(f"São Paulo Ã© uma cidade. {garbled}", "utf-8").encode("utf-8")
    decoded = decode(body)
    assert "São Paulo Ã© uma cidade." in decoded.text
    assert "现将二零二一年法治政府建设工作情况报告如下" in decoded.text
    assert decoded.repairs == ["mojibake: utf-8 read as latin-1, repaired"]


def test_a_whole_page_in_hz_extracts() -> None:
    body = page("\n".join([REPORT] * 5)).replace("<p>", "<div class='content'><p>").encode("hz")
    assert REPORT in extract(body).text


def test_utf8_read_as_latin1_mojibake_is_repaired() -> None:
    text = page(seed("000"), "utf-8")
    body = text.encode("utf-8").decode("latin-1").encode("utf-8")
    decoded = decode(body)
    assert "我镇坚持党对法治建设的领导,认真学习贯彻习近平法治思想" in decoded.text
    assert "mojibake: utf-8 read as latin-1, repaired" in decoded.repairs
