"""Attachments: DOCX built with python-docx, OFD built as GB/T 33190 XML, PDFs, limits and refusals."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from workers.extract import ExtractError, Options, extract
from workers.extract.attachments import pdf_text_readable

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "replica" / "seeds"
REPLICA_SITE = ROOT / "replica" / "site"

TITLE = "垫江县人民政府桂溪街道办事处2021年法治政府建设年度报告"


def report_lines() -> list[str]:
    text = next(SEEDS.glob("003_*.txt")).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("—")]


def make_docx(tmp_path: Path) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(report_lines()[0], level=1)
    for line in report_lines()[1:6]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "行政复议案件", "12件"
    table.cell(1, 0).text, table.cell(1, 1).text = "行政诉讼案件", "5件"
    document.add_paragraph("垫江县人民政府桂溪街道办事处")
    document.add_paragraph("2022年3月15日")
    path = tmp_path / "report.docx"
    document.save(str(path))
    return path.read_bytes()


def test_docx_paragraphs_tables_and_metadata(tmp_path: Path) -> None:
    record = extract(make_docx(tmp_path), url="https://x.gov.cn/files/report.docx")
    assert record.extractor == "docx"
    assert record.title == TITLE
    assert "开展法治政府建设示范创建评估" in record.text
    assert "行政复议案件 | 12件" in record.text
    assert record.report_kind == "rule_of_law"
    assert record.report_year == 2021
    assert record.published == "2022-03-15"
    assert record.issuer == "垫江县人民政府桂溪街道办事处"


def make_ofd(lines: list[str]) -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    content = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="20 {30 + i * 8} 170 8" Font="1" Size="4">'
        f'<ofd:TextCode X="0" Y="6">{line}</ofd:TextCode></ofd:TextObject>'
        for i, line in enumerate(lines)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>1</ofd:DocID></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        z.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:Pages>'
            '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        )
        z.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Content><ofd:Layer ID="2">'
            f"{content}</ofd:Layer></ofd:Content></ofd:Page>",
        )
    return buffer.getvalue()


def test_ofd_text_codes_in_reading_order() -> None:
    lines = report_lines()[:4]
    record = extract(make_ofd(lines), url="https://x.gov.cn/a.ofd")
    assert record.extractor == "ofd"
    assert record.text.splitlines()[0] == TITLE
    assert "开展法治政府建设示范创建评估" in record.text
    assert record.report_year == 2021


def test_ofd_with_entity_expansion_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("OFD.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><OFD>&a;</OFD>')
    with pytest.raises(ExtractError, match=r"OFD\.xml"):
        extract(buffer.getvalue(), url="https://x.gov.cn/a.ofd")


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ExtractError, match="zip bomb"):
        extract(buffer.getvalue())
    with pytest.raises(ExtractError, match="limit"):
        extract(buffer.getvalue(), options=Options(max_unzipped_bytes=1024 * 1024))


def test_truncated_docx_is_an_extract_error(tmp_path: Path) -> None:
    body = make_docx(tmp_path)
    with pytest.raises(ExtractError, match="zip"):
        extract(body[: len(body) // 2], url="https://x.gov.cn/a.docx")


def make_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in a standard (Latin) font, made with pypdfium2 — no CJK font in-test."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    font = raw.FPDFText_LoadStandardFont(pdf, b"Helvetica")
    obj = raw.FPDFPageObj_NewTextObj(pdf, b"Helvetica", 12.0)
    assert font and obj
    encoded = (text + "\0").encode("utf-16-le")
    buffer = (raw.c_ushort * (len(encoded) // 2)).from_buffer_copy(encoded)
    raw.FPDFText_SetText(obj, buffer)
    raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 50, 700)
    raw.FPDFPage_InsertObject(page.raw, obj)
    raw.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdf_without_chinese_text_layer_is_flagged_not_returned() -> None:
    body = make_pdf("Annual report 2021: glyph ids without ToUnicode look like this")
    record = extract(body, content_type="application/pdf")
    assert record.extractor == "pdf"
    assert "pdf_text_unreadable" in record.flags
    assert record.text == ""


def test_pdf_readability_check() -> None:
    assert pdf_text_readable("2021年,桂溪街道在县委、县政府的领导下,以习近平新时代中国特色社会主义思想为指导")
    assert not pdf_text_readable("\x03\x11\x1f\x2a ÈÕ±¨ \x05\x06 abc" * 20)
    assert not pdf_text_readable("")


def test_truncated_pdf_is_an_extract_error() -> None:
    body = make_pdf("hello")
    with pytest.raises(ExtractError, match="truncated PDF"):
        extract(body[: len(body) // 2])


def test_encrypted_pdf_is_an_extract_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """No encrypted PDF can be made in-test; pdfium's own error for one is simulated."""
    import pypdfium2 as pdfium

    body = make_pdf("secret")

    def refuse(*args: object, **kwargs: object) -> None:
        raise pdfium.PdfiumError("Failed to load document (PDFium: Incorrect password error).")

    monkeypatch.setattr(pdfium, "PdfDocument", refuse)
    with pytest.raises(ExtractError, match="encrypted PDF"):
        extract(body)


def test_doc_without_soffice_is_flagged_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    record = extract(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, url="https://x.gov.cn/a.doc")
    assert "unsupported_format" in record.flags
    assert record.text == ""


def test_body_size_limit() -> None:
    with pytest.raises(ExtractError, match="exceeds the limit"):
        extract(b"<p>x</p>" * 100, options=Options(max_body_bytes=10))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_chinese_pdf_and_doc_made_by_libreoffice(tmp_path: Path) -> None:
    """A real CJK PDF and a .doc need a CJK font and a converter: LibreOffice, where installed."""
    source = tmp_path / "report.docx"
    source.write_bytes(make_docx(tmp_path))
    for target in ("pdf", "doc"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path),
                str(source),
            ],
            capture_output=True,
            timeout=180,
            check=False,
        )
    pdf = tmp_path / "report.pdf"
    if pdf.exists():
        record = extract(pdf.read_bytes(), url="https://x.gov.cn/report.pdf")
        if "pdf_text_unreadable" not in record.flags:  # no CJK font installed: nothing readable to test
            assert "开展法治政府建设示范创建评估" in record.text.replace("\n", "")
            assert record.report_year == 2021
    doc = tmp_path / "report.doc"
    if doc.exists():
        record = extract(doc.read_bytes(), url="https://x.gov.cn/report.doc")
        assert "converted_from_doc" in record.flags
        assert "开展法治政府建设示范创建评估" in record.text


@pytest.mark.skipif(not REPLICA_SITE.exists(), reason="replica site fixtures not committed yet")
def test_replica_site_attachments() -> None:
    files = [p for p in REPLICA_SITE.rglob("*") if p.suffix.lower() in (".pdf", ".docx")]
    if not files:
        pytest.skip("no PDF/DOCX fixtures under replica/site")
    from replica import ground_truth

    kinds = {t["path"].rsplit("/", 1)[-1]: t["kind"] for t in ground_truth() if t["format"] in ("pdf", "docx")}
    names = {"rule_of_law": "法治政府建设", "info_disclosure": "政府信息公开"}
    for path in files:
        record = extract(path.read_bytes(), url=path.name)
        assert record.extractor in ("pdf", "docx")
        if "pdf_text_unreadable" not in record.flags:
            assert len(record.text) > 200, path.name
            assert record.report_kind == kinds[path.name], path.name
            assert record.report_year is not None and 2015 <= record.report_year <= 2030, path.name
            assert names[kinds[path.name]] in record.title, path.name
