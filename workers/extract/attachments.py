"""Text of report attachments: PDF (pypdfium2), DOCX (python-docx), OFD (GB/T 33190 zip of XML), DOC/WPS.

Every reader checks limits before it parses (size, pages, zip members, expansion and ratio), so a hostile or
broken file fails with a reason instead of taking a worker down. A PDF whose text layer is garbage — CID-keyed
fonts without a ToUnicode map, common in PDFs printed from WPS — is returned flagged `pdf_text_unreadable`,
not as text.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from typing import Any

from nianbao.charsets import plausibility
from nianbao.errors import ExtractError
from workers.extract.extracted import Extracted
from workers.extract.metadata import text_metadata
from workers.extract.options import Options

logger = logging.getLogger(__name__)

# A PDF text layer is readable Chinese when its CJK characters are plausible text (see charsets.plausibility;
# real text scores above 0.6, glyph-index garbage mapped to CJK code points near 0) …
MIN_PDF_PLAUSIBILITY = 0.4
# … and CJK makes up a real share of its non-space characters (garbage from CID fonts is mostly Latin-1,
# control and private-use characters). Reports are Chinese; an English PDF is not one of ours anyway.
MIN_PDF_CJK_SHARE = 0.2


def _record(text: str, extractor: str, *flags: str) -> Extracted:
    return Extracted.of(text_metadata(text), text, extractor, flags=flags)


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---- PDF ------------------------------------------------------------------------------------------------


def pdf_text_readable(text: str) -> bool:
    """Whether a PDF text layer is real Chinese text rather than glyph ids shown as characters."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return False
    score, cjk = plausibility(text)
    return cjk / len(visible) >= MIN_PDF_CJK_SHARE and score >= MIN_PDF_PLAUSIBILITY


_PAGE_NUMBER = re.compile(r"^[-—－–\s]*(\d{1,4}|第\s*\d{1,4}\s*页(\s*共\s*\d{1,4}\s*页)?)[-—－–\s]*$")
_SENTENCE_END = tuple("。！？；：…”」』）)")
# A line at least this share of the page's usual full line is a wrapped line, not a paragraph's last line.
FULL_LINE_SHARE = 0.8


def unwrap_page(text: str) -> str:
    """One PDF page's text without its printed page number ("— 5 —") and with hard-wrapped lines rejoined.

    PDF text comes line by line as printed; a line that fills the width and ends mid-sentence continues on the
    next line (Chinese needs no space where they join).
    """
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not _PAGE_NUMBER.match(line)]
    if not lines:
        return ""
    widths = sorted(len(line) for line in lines)
    full = widths[int(len(widths) * 0.75)]
    paragraphs = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        if len(previous) >= FULL_LINE_SHARE * full and not previous.endswith(_SENTENCE_END):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


def pdf_text(body: bytes, options: Options) -> str:
    """All pages' text, pages separated by blank lines; raises ExtractError for encrypted or broken files."""
    import pypdfium2 as pdfium

    if b"%%EOF" not in body[-2048:]:
        raise ExtractError("truncated PDF: no %%EOF marker at the end of the file")
    try:
        pdf = pdfium.PdfDocument(body)
    except pdfium.PdfiumError as e:
        reason = str(e)
        if "password" in reason.lower():
            raise ExtractError("encrypted PDF: a password is required to open it") from e
        raise ExtractError(f"unreadable PDF: {reason}") from e
    try:
        if len(pdf) > options.max_pdf_pages:
            raise ExtractError(f"PDF has {len(pdf)} pages, more than the limit of {options.max_pdf_pages}")
        pages = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            pages.append(unwrap_page(textpage.get_text_bounded()))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return _tidy("\n\n".join(pages))


def extract_pdf(body: bytes, options: Options) -> Extracted:
    text = pdf_text(body, options)
    if not text:
        return _record("", "pdf", "pdf_no_text_layer")
    if not pdf_text_readable(text):
        return _record("", "pdf", "pdf_text_unreadable")
    return _record(text, "pdf")


# ---- zip containers (DOCX, OFD) ---------------------------------------------------------------------------


def open_zip(body: bytes, options: Options) -> zipfile.ZipFile:
    """Open a zip after checking it cannot expand beyond the limits (zip bombs, absurd member counts)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as e:
        raise ExtractError(f"broken or truncated zip container: {e}") from e
    infos = archive.infolist()
    if len(infos) > options.max_zip_members:
        raise ExtractError(f"zip has {len(infos)} members, more than the limit of {options.max_zip_members}")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > options.max_unzipped_bytes:
        raise ExtractError(f"zip expands to {total} bytes, more than the limit of {options.max_unzipped_bytes}")
    if total / packed > options.max_zip_ratio:
        raise ExtractError(
            f"zip expands {total / packed:.0f}× (limit {options.max_zip_ratio}×): refusing a likely zip bomb"
        )
    return archive


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError as e:
        raise ExtractError(f"zip member {name!r} is missing") from e
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ExtractError(f"zip member {name!r} is corrupt: {e}") from e


def docx_text(body: bytes, options: Options) -> str:
    """Paragraphs and table rows ("a | b") of a DOCX in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    open_zip(body, options).close()
    try:
        document = docx.Document(io.BytesIO(body))
    except Exception as e:  # python-docx raises several types (KeyError, ValueError, lxml errors) for bad files
        raise ExtractError(f"unreadable DOCX: {type(e).__name__}: {e}") from e
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # merged cells repeat: keep each text once per row
                    value = cell.text.strip()
                    if value and (not cells or cells[-1] != value):
                        cells.append(value)
                lines.append(" | ".join(cells))
    return _tidy("\n".join(lines))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(data: bytes, name: str) -> Any:
    import defusedxml.ElementTree as DET

    try:
        return DET.fromstring(data)
    except Exception as e:  # defusedxml raises for entities and DTDs as well as for malformed XML
        raise ExtractError(f"OFD member {name} is not acceptable XML: {type(e).__name__}: {e}") from e


# Text objects whose baselines differ by less than this (in OFD millimetres) belong to one line.
OFD_LINE_TOLERANCE = 1.5


def _ofd_page_text(root: Any) -> str:
    lines: list[tuple[float, float, str]] = []
    for obj in root.iter():
        if _local(obj.tag) != "TextObject":
            continue
        box = [float(v) for v in (obj.get("Boundary") or "0 0 0 0").split()[:4]]
        for code in obj:
            if _local(code.tag) != "TextCode" or not code.text:
                continue
            x = box[0] + float(code.get("X") or 0)
            y = box[1] + float(code.get("Y") or 0)
            lines.append((y, x, code.text))
    lines.sort()
    out: list[str] = []
    current_y: float | None = None
    for y, _x, text in lines:
        if current_y is None or abs(y - current_y) > OFD_LINE_TOLERANCE:
            out.append("")
            current_y = y
        out[-1] += text
    return "\n".join(out)


def ofd_text(body: bytes, options: Options) -> str:
    """Text of an OFD: OFD.xml → DocRoot (Document.xml) → its pages' Content.xml TextCode elements."""
    return _tidy("\n\n".join(_ofd_page_text(page) for page in ofd_pages(body, options)))


def ofd_pages(body: bytes, options: Options) -> list[Any]:
    """The parsed Content.xml of every page of an OFD, in the document's order."""
    archive = open_zip(body, options)
    names = set(archive.namelist())
    root = _xml(_read_member(archive, "OFD.xml"), "OFD.xml")
    doc_root = next((el.text.strip() for el in root.iter() if _local(el.tag) == "DocRoot" and el.text), None)
    doc_root = (doc_root or "Doc_0/Document.xml").lstrip("/")
    base = os.path.dirname(doc_root)
    page_files: list[str] = []
    if doc_root in names:
        document = _xml(_read_member(archive, doc_root), doc_root)
        for el in document.iter():
            if _local(el.tag) == "Page" and el.get("BaseLoc"):
                loc = el.get("BaseLoc").lstrip("/")
                page_files.append(loc if loc in names else f"{base}/{loc}".lstrip("/"))
    if not page_files:  # no readable Document.xml: take the pages in numeric order
        pattern = re.compile(r"Pages/Page_(\d+)/Content\.xml$")
        found = sorted((int(m.group(1)), n) for n in names if (m := pattern.search(n)))
        page_files = [n for _, n in found]
    if len(page_files) > options.max_pdf_pages:
        raise ExtractError(f"OFD has {len(page_files)} pages, more than the limit of {options.max_pdf_pages}")
    return [_xml(_read_member(archive, name), name) for name in page_files if name in names]


# ---- DOC / WPS via LibreOffice ------------------------------------------------------------------------


def convert_with_soffice(body: bytes, suffix: str, options: Options) -> bytes | None:
    """DOCX bytes converted by LibreOffice from a .doc/.wps, or None when soffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        source = os.path.join(tmp, f"input{suffix}")
        with open(source, "wb") as f:
            f.write(body)
        # A private profile per conversion: concurrent soffice runs sharing one profile block each other.
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        command = [soffice, profile, "--headless", "--convert-to", "docx", "--outdir", tmp, source]
        try:
            subprocess.run(command, capture_output=True, timeout=options.soffice_timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise ExtractError(f"LibreOffice did not convert the {suffix} file within {e.timeout}s") from e
        target = os.path.join(tmp, "input.docx")
        if not os.path.exists(target):
            raise ExtractError(f"LibreOffice could not convert the {suffix} file")
        with open(target, "rb") as f:
            return f.read()


def extract_attachment(body: bytes, fmt: str, options: Options) -> tuple[Extracted, bytes, str]:
    """Record for a non-HTML body of format `fmt` ('pdf', 'docx', 'ofd', 'doc', 'wps'), with the bytes and format
    its tables are read from (a .doc/.wps converted by LibreOffice: the DOCX it became)."""
    if fmt == "pdf":
        return extract_pdf(body, options), body, fmt
    if fmt == "docx":
        return _record(docx_text(body, options), "docx"), body, fmt
    if fmt == "ofd":
        return _record(ofd_text(body, options), "ofd"), body, fmt
    if fmt in ("doc", "wps"):
        converted = convert_with_soffice(body, f".{fmt}", options)
        if converted is None:
            return _record("", fmt, "unsupported_format"), body, fmt
        return _record(docx_text(converted, options), "docx", f"converted_from_{fmt}"), converted, "docx"
    raise ExtractError(f"unsupported attachment format {fmt!r}")
