"""Make the replica's attachments with real tools: python-docx for DOCX, LibreOffice for the PDF.

Run through `python -m replica.build --attachments`. The results are committed under
`attachments/`, so building the site tree never needs LibreOffice; without `soffice` on PATH the PDF is
left as it is.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from replica.content import Doc, seed_body, seed_lines

log = logging.getLogger(__name__)

CJK_FONT = "Noto Serif CJK SC"  # from fonts-noto-cjk; embedded by LibreOffice so the PDF text is real
FIXED_TIME = datetime(2022, 1, 18, 9, 0, 0)


def _page_number_footer(document: docx.document.Document) -> None:
    """ "— N —" page numbers, as official documents (公文) print them."""
    para = document.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    para._p.append(field)
    para.add_run(" —")


def write_docx(path: Path, title: str, paragraphs: list[str], signature: list[str]) -> None:
    """A report as a Word file: centred title, indented body, signature at the right."""
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = CJK_FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(20)
    for text in paragraphs:
        para = document.add_paragraph(text)
        para.paragraph_format.first_line_indent = Pt(28)
    for text in signature:
        document.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_number_footer(document)
    document.core_properties.author = "办公室"
    document.core_properties.created = FIXED_TIME
    document.core_properties.modified = FIXED_TIME
    document.save(str(path))


def to_pdf(docx_path: Path, pdf_path: Path) -> bool:
    """Convert with `soffice --headless --convert-to pdf`; False when LibreOffice is absent."""
    soffice = shutil.which("soffice")
    if not soffice:
        log.warning("soffice not found: keeping %s as it is", pdf_path)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
             "--outdir", tmp, str(docx_path)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        shutil.move(Path(tmp) / (docx_path.stem + ".pdf"), pdf_path)
    return True


def make_attachments(out_dir: Path) -> None:
    """guixi-2021.pdf (seed 003, the only copy of that report) and duliu-2024.docx (seed 004)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    guixi_title = seed_lines("003")[0].strip()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "guixi-2021.docx"
        write_docx(source, guixi_title, seed_body("003"), ["垫江县人民政府桂溪街道办事处", "2022年1月18日"])
        to_pdf(source, out_dir / "guixi-2021.pdf")
    write_docx(out_dir / "duliu-2024.docx", "独流镇2024年法治政府建设年度报告", seed_body("004"),
               ["静海区独流镇人民政府", "2025年2月12日"])  # fmt: skip


def soffice_convert(source: Path, target_ext: str, out_dir: Path, infilter: str | None = None) -> Path:
    """`soffice --headless --convert-to target_ext source` into out_dir (a private profile per run)."""
    soffice = shutil.which("soffice")
    if not soffice:
        raise RuntimeError("soffice not found: install LibreOffice (Debian: libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory() as tmp:
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless"]
        command += [f"--infilter={infilter}"] if infilter else []
        command += ["--convert-to", target_ext, "--outdir", str(out_dir), str(source)]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
    return out_dir / f"{source.stem}.{target_ext.split(':')[0]}"


def make_figure_attachments(out_dir: Path, docs: list[Doc]) -> None:
    """The figures site's PDF and DOCX reports (`docs`, built by build.figure_report): the Word-style HTML of
    figures.py opened in LibreOffice Writer and saved as DOCX (merged cells stay merged), the PDF printed from it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        page = (
            '<html><head><meta charset="utf-8"><style>body{font-family:"Noto Serif CJK SC"}</style></head><body>'
            f'<h1 style="text-align:center">{doc.title}</h1>\n{doc.body_html}\n'
            f'<p style="text-align:right">{doc.issuer}</p><p style="text-align:right">{doc.published}</p></body></html>'
        )
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / f"{doc.key}.html"
            source.write_text(page, encoding="utf-8")
            converted = soffice_convert(source, "docx:MS Word 2007 XML", Path(tmp), "HTML (StarWriter)")
            if doc.format == "docx":
                shutil.copy(converted, out_dir / f"{doc.key}.docx")
            else:
                shutil.copy(soffice_convert(converted, "pdf", Path(tmp)), out_dir / f"{doc.key}.pdf")
