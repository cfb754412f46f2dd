"""The statistical tables of an information-disclosure report (政府信息公开工作年度报告) as data.

    read_figures(body, fmt, report_year=..., traditional=...) -> Figures(values, format, flags, tables)

`nianbao/figures.py` holds the format's cells and their printed labels (data, shared with storage);
`grids.py` reads tables out of HTML, DOCX and PDF; `engine.py` maps cells to keys by their labels; `checks.py`
runs the sums the format implies. Called by `workers.extract.extract` only for information-disclosure reports,
so other pages cost nothing more.
"""

from __future__ import annotations

import logging

from workers.extract.figures.engine import Figures, figures_from_grids
from workers.extract.figures.grids import Cell, Grid, docx_grids, html_grids_from_text, ofd_grids, pdf_grids

__all__ = ["Figures", "grids_of", "read_figures", "simplified_grids"]

logger = logging.getLogger(__name__)

# Flag when a file's tables could not be read at all (a broken PDF page, a DOCX python-docx refuses).
UNREADABLE = "figure_tables_unreadable"


def grids_of(body: bytes | str, fmt: str, max_pages: int = 500) -> list[Grid]:
    """The tables of one body: `fmt` is 'html' (body: the decoded text), 'docx', 'pdf' or 'ofd'; others have none."""
    if fmt == "html":
        return html_grids_from_text(body if isinstance(body, str) else body.decode("utf-8", "replace"))
    if fmt == "docx" and isinstance(body, bytes):
        return docx_grids(body)
    if fmt == "pdf" and isinstance(body, bytes):
        return pdf_grids(body, max_pages)
    if fmt == "ofd" and isinstance(body, bytes):
        from workers.extract.options import Options

        return ofd_grids(body, Options(max_pdf_pages=max_pages))
    return []


def simplified_grids(grids: list[Grid]) -> list[Grid]:
    """Traditional labels (明報 copies, /gate/big5/ pages) converted once, for the Simplified patterns."""
    from nianbao.normalise import to_simplified

    texts = [cell.text for grid in grids for row in grid for cell in row]
    converted = iter(to_simplified("\n".join(t.replace("\n", " ") for t in texts)).split("\n"))
    cache: dict[int, Cell] = {}
    out = []
    for grid in grids:
        new_grid = []
        for row in grid:
            new_row = []
            for cell in row:
                text = next(converted)
                new_row.append(cache.setdefault(id(cell), Cell(text, cell.ident)))
            new_grid.append(new_row)
        out.append(new_grid)
    return out


def read_figures(
    body: bytes | str, fmt: str, *, report_year: int | None, traditional: bool = False, max_pages: int = 500
) -> Figures:
    """The figures of one report body; a body whose tables cannot be read is flagged."""
    try:
        grids = grids_of(body, fmt, max_pages)
    except Exception as e:  # pdfplumber/pdfminer and python-docx raise many types on broken files
        logger.info("tables of a %s body unreadable: %s: %s", fmt, type(e).__name__, e)
        return Figures(None, None, [UNREADABLE], [])
    if traditional and grids:
        grids = simplified_grids(grids)
    return figures_from_grids(grids, report_year)
