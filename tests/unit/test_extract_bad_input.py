"""Hostile and broken bodies end as ExtractError with a reason a person can act on, never a crash or a hang.

The Celery task files an ExtractError under failures/ (re-drivable); any other exception would be retried and
then filed as a crash. Each case also runs under a time bound so that a pathological input cannot stall a
worker until its hard time limit.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import pytest

from workers.extract import DecodeError, ExtractError, decode, extract

# Every bad input must be dealt with in well under this (the worker's soft limit is minutes, not seconds).
MAX_SECONDS = 10.0
REPORT = "常平镇2021年法治政府建设年度报告。我镇坚持党对法治建设的领导，认真学习贯彻习近平法治思想。" * 8


@pytest.fixture(autouse=True)
def _time_bound() -> Iterator[None]:
    start = time.monotonic()
    yield
    assert time.monotonic() - start < MAX_SECONDS


def refused(body: bytes, match: str, **kwargs: object) -> str:
    with pytest.raises(ExtractError, match=match) as info:
        extract(body, **kwargs)  # type: ignore[arg-type]
    reason = str(info.value)
    assert len(reason) > 10
    return reason


# ---- HTML ------------------------------------------------------------------------------------------------


def test_malformed_html_is_repaired_not_crashed() -> None:
    """Unclosed and misnested tags, stray closers, a broken comment: lxml repairs them and the text comes out."""
    body = (
        "<html><head><title>常平镇2021年法治政府建设年度报告_常平镇</title><body><div><p>" + REPORT + "<b><i></b></i>"
        "</td></tr></table><p>第二段<div></span>" + REPORT + "<!-- unclosed comment <p>"
    ).encode("utf-8")
    record = extract(body)
    assert "认真学习贯彻习近平法治思想" in record.text
    assert record.report_year == 2021


@pytest.mark.parametrize(
    "body",
    [b"<", b"<<<<>>>>", b"<!-- -->", b"<?xml version='1.0'?>", b"</html>", b"<html></html>"],
    ids=["lt", "brackets", "comment", "xml-decl", "closer", "empty-html"],
)
def test_markup_without_a_document_is_an_extract_error_or_empty(body: bytes) -> None:
    try:
        record = extract(body, content_type="text/html")
    except ExtractError as e:
        assert str(e)
    else:
        assert len(record.text) <= len(body)
        assert "text_too_short" in record.flags


def test_hundred_thousand_nested_divs() -> None:
    """libxml2 stops at its depth limit (256); no recursion in our code may overflow on what it keeps."""
    body = ("<html><body>" + "<div>" * 100_000 + REPORT + "</div>" * 100_000 + "</body></html>").encode()
    try:
        record = extract(body)
    except ExtractError as e:
        assert "nest" in str(e) or "depth" in str(e) or "HTML" in str(e)
    else:
        assert isinstance(record.text, str)


def test_deep_nesting_below_the_parser_limit_is_extracted() -> None:
    """250 levels: within libxml2's limit, deeper than a naive recursion is comfortable with."""
    body = ("<html><body>" + "<div><span>" * 120 + REPORT + "</span></div>" * 120 + "</body></html>").encode()
    record = extract(body)
    assert "认真学习贯彻习近平法治思想" in record.text


def test_binary_served_as_html() -> None:
    noise = bytes((i * 7919 + 13) % 256 for i in range(20_000))  # deterministic, full of control bytes
    refused(noise, "not a text document", content_type="text/html; charset=utf-8")
    refused(b"\x89PNG\r\n\x1a\n" + noise, "PNG", content_type="text/html")
    refused(b"\x1f\x8b\x08\x00" + noise, "gzip", content_type="text/html")


def test_unknown_charset_label_is_detected_and_recorded() -> None:
    """Not a failure: the page decodes by detection, and the repair says the label was unknown."""
    page = f'<html><head><meta charset="x-gbk-2000"><title>报告</title></head><body><p>{REPORT}</p></body></html>'
    record = extract(page.encode("gbk"), content_type="text/html; charset=x-unknown-cs")
    assert record.encoding == "gb18030"
    assert any("unknown charset label" in r for r in record.repairs)
    assert "认真学习贯彻习近平法治思想" in record.text


def test_mixed_encodings_gbk_page_with_a_utf8_fragment() -> None:
    """A GBK page into which a CMS pasted UTF-8 bytes: the page is GBK, the fragment is repaired."""
    fragment = "常平镇司法所负责解释本报告，欢迎社会各界监督"
    body = (
        f"<html><head><meta charset=gb2312><title>报告</title></head><body><p>{REPORT}</p><p>".encode("gbk")
        + fragment.encode("utf-8")
        + f"</p><p>{REPORT}</p></body></html>".encode("gbk")
    )
    decoded = decode(body)
    assert decoded.encoding == "gb18030"
    assert fragment in decoded.text
    assert any("utf-8 fragment" in r for r in decoded.repairs)
    assert fragment in extract(body).text


def test_decode_error_is_an_extract_error() -> None:
    assert issubclass(DecodeError, ExtractError)


# ---- PDF -------------------------------------------------------------------------------------------------


def minimal_pdf(encrypt: bool) -> bytes:
    """A valid one-page PDF written by hand; with `encrypt`, an /Encrypt dictionary (standard security handler,
    RC4 40-bit) whose user-password check fails for the empty password, so a reader must ask for one."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    if encrypt:
        o_entry = "<" + "11" * 32 + ">"
        u_entry = "<" + "22" * 32 + ">"  # not the RC4 of the padding under the empty password's key
        objects.append(f"<< /Filter /Standard /V 1 /R 2 /O {o_entry} /U {u_entry} /P -4 >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R"
    if encrypt:
        trailer += f" /Encrypt {len(objects)} 0 R /ID [<{'ab' * 16}> <{'ab' * 16}>]"
    out.write(f"trailer\n{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_hand_written_pdf_opens_when_not_encrypted() -> None:
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(minimal_pdf(encrypt=False))) == 1
    record = extract(minimal_pdf(encrypt=False))
    assert record.extractor == "pdf"


def test_encrypted_pdf() -> None:
    import pypdfium2 as pdfium

    body = minimal_pdf(encrypt=True)
    with pytest.raises(pdfium.PdfiumError, match=r"(?i)password"):
        pdfium.PdfDocument(body)  # pdfium itself refuses it: the file is really encrypted
    refused(body, r"encrypted PDF: a password is required", content_type="application/pdf")


def test_truncated_pdf() -> None:
    body = minimal_pdf(encrypt=False)
    refused(body[: len(body) // 2], "truncated PDF")
    refused(body[:-6] + b"garbage-after-the-cut", "truncated PDF")


def test_pdf_with_a_broken_body_but_an_eof_marker() -> None:
    refused(b"%PDF-1.7\n" + b"\x00garbage" * 200 + b"\n%%EOF\n", "unreadable PDF")


# ---- zip containers --------------------------------------------------------------------------------------


def bomb(kind: str, size: int = 64 * 1024 * 1024) -> bytes:
    """A small zip with one member of `size` zero bytes (about 1000× compression)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        if kind == "docx":
            z.writestr("[Content_Types].xml", "<Types/>")
            member = "word/document.xml"
        else:
            z.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
            member = "Doc_0/Pages/Page_0/Content.xml"
        with z.open(member, "w", force_zip64=True) as out:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                out.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["docx", "ofd"])
def test_zip_bomb(kind: str) -> None:
    body = bomb(kind)
    assert len(body) < 1024 * 1024
    reason = refused(body, "zip bomb|limit", url=f"https://x.gov.cn/a.{kind}")
    assert "zip" in reason


def test_zip_member_that_lies_about_its_size() -> None:
    """A central directory claiming a tiny member that inflates to much more: reading stops at the claim."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", "<OFD/>" * 10)
    data = bytearray(buffer.getvalue())
    # Corrupt the CRC so that the member's content and its header disagree.
    at = data.find(b"PK\x01\x02")
    data[at + 16 : at + 20] = b"\xde\xad\xbe\xef"
    refused(bytes(data), "OFD|zip", url="https://x.gov.cn/a.ofd")


def test_ofd_billion_laughs() -> None:
    lol = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    payload = lol + "]><ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'>&lol9;</ofd:OFD>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", payload)
    refused(buffer.getvalue(), "OFD.xml is not acceptable XML", url="https://x.gov.cn/a.ofd")


def test_ofd_external_entity() -> None:
    payload = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><OFD>&e;</OFD>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("OFD.xml", payload)
    reason = refused(buffer.getvalue(), "not acceptable XML", url="https://x.gov.cn/a.ofd")
    assert "root:" not in reason


def test_truncated_docx_and_ofd() -> None:
    for kind in ("docx", "ofd"):
        body = bomb(kind, size=1024 * 1024)
        refused(body[: len(body) // 3], "zip", url=f"https://x.gov.cn/a.{kind}")
