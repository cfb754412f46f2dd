"""Tables out of HTML, DOCX and PDF as grids: rows of cells with every span expanded.

A merged cell (rowspan/colspan, Word's gridSpan/vMerge, a PDF cell drawn over several rulings) fills every
position it covers with the same `Cell`, so a reader of column j sees its header however the table was merged,
and `Cell.ident` tells one spanned cell from two cells that happen to print the same text.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cell:
    text: str
    ident: int


Grid = list[list[Cell]]

# A table with more rows or columns than this is not one of the report's statistical tables (they have ≤ 30
# rows and ≤ 16 columns); the cap keeps a hostile rowspan="100000" from building a huge grid.
MAX_ROWS = 200
MAX_COLS = 40
_SPACES = re.compile(r"\s+")


def _span(value: str | None) -> int:
    if not value:
        return 1
    try:
        return max(1, min(int(str(value).strip() or 1), MAX_ROWS))
    except ValueError:
        return 1


def expand(rows: list[list[tuple[str, int, int]]]) -> Grid:
    """Rows of (text, rowspan, colspan) as HTML lays them out → a rectangular grid of shared `Cell`s."""
    taken: dict[tuple[int, int], Cell] = {}
    ident = 0
    width = 0
    for r, row in enumerate(rows[:MAX_ROWS]):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            cell = Cell(text, ident)
            ident += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    if r + dr < MAX_ROWS and c + dc < MAX_COLS:
                        taken[(r + dr, c + dc)] = cell
            c += colspan
        width = max(width, min(c, MAX_COLS))
    height = min(len(rows), MAX_ROWS)
    blank = Cell("", -1)
    return [[taken.get((r, c), blank) for c in range(width)] for r in range(height)]


# ---- HTML ----------------------------------------------------------------------------------------------------


def _cell_text(element: Any) -> str:
    """A cell's text: its paragraphs and spans joined, whitespace (also &nbsp; and full-width spaces) collapsed."""
    parts = [t for t in element.itertext() if t]
    return _SPACES.sub(" ", "".join(parts).replace("\u3000", " ").replace("\xa0", " ")).strip()


def html_grids(tree: Any) -> list[Grid]:
    """Every innermost <table> of an lxml tree, in document order (layout tables that hold others are skipped)."""
    grids = []
    for table in tree.iter("table"):
        if any(True for _ in table.iterdescendants("table")):
            continue
        rows = []
        for tr in table.iter("tr"):
            cells = [
                (_cell_text(td), _span(td.get("rowspan")), _span(td.get("colspan")))
                for td in tr
                if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")
            ]
            if cells:
                rows.append(cells)
        if rows:
            grids.append(expand(rows))
    return grids


def html_grids_from_text(html: str) -> list[Grid]:
    """The tables of a page's HTML; only the stretch from its first <table to its last </table> is parsed."""
    import lxml.html

    lower = html.lower()
    start, end = lower.find("<table"), lower.rfind("</table>")
    if start < 0 or end < start:
        return []
    try:
        tree = lxml.html.fromstring(f"<div>{html[start : end + len('</table>')]}</div>")
    except (ValueError, TypeError, lxml.etree.ParserError):
        return []
    return html_grids(tree)


# ---- DOCX ----------------------------------------------------------------------------------------------------


def docx_grids(body: bytes) -> list[Grid]:
    """Every table of a DOCX (python-docx resolves gridSpan and vMerge to the merged cell's own object)."""
    import docx

    document = docx.Document(io.BytesIO(body))
    grids = []
    for table in document.tables:
        idents: dict[Any, int] = {}  # keyed by the cell's <w:tc> element itself (it stays alive, so stays unique)
        grid: Grid = []
        for row in table.rows[:MAX_ROWS]:
            cells = []
            for cell in row.cells[:MAX_COLS]:
                ident = idents.setdefault(cell._tc, len(idents))
                cells.append(Cell(_SPACES.sub(" ", cell.text.replace("\u3000", " ")).strip(), ident))
            grid.append(cells)
        if grid:
            grids.append(grid)
    return grids


# ---- PDF -----------------------------------------------------------------------------------------------------

# pdfplumber settings for ruled tables (the format's tables are printed with all borders).
PDF_TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "snap_tolerance": 3}
# Rulings closer than this (points) are one grid line.
PDF_EDGE_TOLERANCE = 2.0


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > PDF_EDGE_TOLERANCE:
            out.append(v)
    return out


def _index(edges: list[float], value: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - value))


def pdf_grids(body: bytes, max_pages: int) -> list[Grid]:
    """The ruled tables of a PDF (pdfplumber), spans rebuilt from the cells' boxes: a merged cell covers several
    column and row rulings, and every position under it gets the same `Cell`."""
    import pdfplumber

    grids = []
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages[:max_pages]:
            for table in page.find_tables(PDF_TABLE_SETTINGS):
                boxes = table.cells
                xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
                ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
                if len(xs) < 2 or len(ys) < 2:
                    continue
                height, width = min(len(ys) - 1, MAX_ROWS), min(len(xs) - 1, MAX_COLS)
                blank = Cell("", -1)
                grid = [[blank] * width for _ in range(height)]
                for ident, (x0, top, x1, bottom) in enumerate(boxes):
                    text = page.crop((x0, top, x1, bottom)).extract_text() or ""
                    cell = Cell(_SPACES.sub("", text), ident)  # a cell's text wraps inside it: no spaces in Chinese
                    for r in range(_index(ys, top), min(_index(ys, bottom), height)):
                        for c in range(_index(xs, x0), min(_index(xs, x1), width)):
                            grid[r][c] = cell
                grids.append(grid)
    return grids
