"""Tables out of HTML, DOCX, PDF and OFD as grids: rows of cells with every span expanded.

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
# Pages searched for tables: a report runs 5–40 pages and prints its tables in parts 二–四, before its prose ends;
# pdfplumber costs about a tenth of a second a page, so a 500-page file is not worth reading to the end.
PDF_TABLE_PAGES = 60
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


def _chars_by_position(chars: list[dict[str, Any]], xs: list[float], ys: list[float]) -> dict[tuple[int, int], list]:
    """The page's characters binned by the grid position their centre falls in (one pass, not one per cell)."""
    import bisect

    bins: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for ch in chars:
        r = bisect.bisect(ys, (ch["top"] + ch["bottom"]) / 2) - 1
        c = bisect.bisect(xs, (ch["x0"] + ch["x1"]) / 2) - 1
        if 0 <= r < len(ys) - 1 and 0 <= c < len(xs) - 1:
            bins.setdefault((r, c), []).append(ch)
    return bins


def pdf_grids(body: bytes, max_pages: int) -> list[Grid]:
    """The ruled tables of a PDF (pdfplumber), spans rebuilt from the cells' boxes: a merged cell covers several
    column and row rulings, and every position under it gets the same `Cell`."""
    import pdfplumber

    grids = []
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for page in pdf.pages[: min(max_pages, PDF_TABLE_PAGES)]:
            for table in page.find_tables(PDF_TABLE_SETTINGS):
                boxes = table.cells
                xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
                ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
                if len(xs) < 2 or len(ys) < 2:
                    continue
                height, width = min(len(ys) - 1, MAX_ROWS), min(len(xs) - 1, MAX_COLS)
                bins = _chars_by_position(page.chars, xs, ys)
                blank = Cell("", -1)
                grid = [[blank] * width for _ in range(height)]
                for ident, (x0, top, x1, bottom) in enumerate(boxes):
                    rows = range(_index(ys, top), min(_index(ys, bottom), height))
                    cols = range(_index(xs, x0), min(_index(xs, x1), width))
                    chars = [ch for r in rows for c in cols for ch in bins.get((r, c), ())]
                    chars.sort(key=lambda ch: (round(ch["top"]), ch["x0"]))  # line by line, left to right
                    # A cell's text wraps inside it: joined without spaces, as Chinese is written.
                    cell = Cell(_SPACES.sub("", "".join(ch["text"] for ch in chars)), ident)
                    for r in rows:
                        for c in cols:
                            grid[r][c] = cell
                grids.append(grid)
    return grids


# ---- OFD -----------------------------------------------------------------------------------------------------

# OFD coordinates are millimetres: rulings closer than this are one line, and a line is horizontal or vertical
# when it leans less than this.
OFD_TOLERANCE = 0.5
# The text of a TextCode sits above its baseline: its middle is this share of the font size higher.
OFD_TEXT_MIDDLE = 0.35
Segment = tuple[float, float, float]  # (position across, start along, end along)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _box(element: Any) -> list[float]:
    return [float(v) for v in (element.get("Boundary") or "0 0 0 0").split()[:4]]


def _segments(path: Any) -> tuple[list[Segment], list[Segment]]:
    """The horizontal (y, x0, x1) and vertical (x, y0, y1) lines an OFD PathObject draws (M, L and C commands)."""
    x0, y0 = _box(path)[:2]
    tokens = (path.findtext("{*}AbbreviatedData") or "").split()
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    current = start = (0.0, 0.0)
    i = 0
    while i < len(tokens):
        op = tokens[i]
        target: tuple[float, float] | None = None
        try:
            if op in ("M", "L"):
                point = (x0 + float(tokens[i + 1]), y0 + float(tokens[i + 2]))
                i += 3
                if op == "M":
                    current = start = point
                    continue
                target = point
            elif op == "C":
                target, i = start, i + 1
            else:
                i += 1  # curves and arcs draw no ruling
                continue
        except (IndexError, ValueError):
            break
        (ax, ay), (bx, by) = current, target
        if abs(ay - by) < OFD_TOLERANCE and abs(ax - bx) >= OFD_TOLERANCE:
            horizontal.append((ay, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) < OFD_TOLERANCE and abs(ay - by) >= OFD_TOLERANCE:
            vertical.append((ax, min(ay, by), max(ay, by)))
        current = target
    return horizontal, vertical


def _covers(lines: list[Segment], across: float, along: float) -> bool:
    return any(abs(p - across) < OFD_TOLERANCE and a - OFD_TOLERANCE <= along <= b + OFD_TOLERANCE for p, a, b in lines)


def _ofd_page_grids(page: Any) -> list[Grid]:
    """The ruled tables of one OFD page: the rulings' positions make a lattice; two neighbouring positions are one
    (merged) cell when no ruling runs between them; each TextCode goes to the position its middle falls in."""
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    texts: list[tuple[float, float, str]] = []
    for element in page.iter():
        name = _local(element.tag)
        if name == "PathObject":
            h, v = _segments(element)
            horizontal += h
            vertical += v
        elif name == "TextObject":
            bx, by = _box(element)[:2]
            size = float(element.get("Size") or 0)
            for code in element:
                if _local(code.tag) == "TextCode" and code.text:
                    x = bx + float(code.get("X") or 0)
                    y = by + float(code.get("Y") or 0) - size * OFD_TEXT_MIDDLE
                    texts.append((y, x, code.text))
    ys = _edges([y for y, _, _ in horizontal])
    runs: list[list[int]] = []  # consecutive row bands that vertical rulings cross: one table each
    for r in range(len(ys) - 1):
        middle = (ys[r] + ys[r + 1]) / 2
        if any(a <= middle <= b for _, a, b in vertical):
            if runs and runs[-1][-1] == r - 1:
                runs[-1].append(r)
            else:
                runs.append([r])
    grids = [_ofd_table(ys[run[0] : run[-1] + 2], horizontal, vertical, texts) for run in runs]
    return [grid for grid in grids if grid]


def _ofd_table(ys: list[float], horizontal: list[Segment], vertical: list[Segment], texts: list) -> Grid:
    import bisect

    middles = [(ys[r] + ys[r + 1]) / 2 for r in range(len(ys) - 1)]
    xs = _edges([x for x, a, b in vertical if any(a <= m <= b for m in middles)])
    height, width = min(len(middles), MAX_ROWS), min(len(xs) - 1, MAX_COLS)
    if width < 1:
        return []
    centres = [(xs[c] + xs[c + 1]) / 2 for c in range(width)]
    parent = list(range(height * width))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(height):
        for c in range(width):
            if c + 1 < width and not _covers(vertical, xs[c + 1], middles[r]):
                parent[find(r * width + c + 1)] = find(r * width + c)
            if r + 1 < height and not _covers(horizontal, ys[r + 1], centres[c]):
                parent[find((r + 1) * width + c)] = find(r * width + c)
    pieces: dict[int, list[tuple[float, float, str]]] = {}
    for y, x, text in texts:
        r, c = bisect.bisect(ys, y) - 1, bisect.bisect(xs, x) - 1
        if 0 <= r < height and 0 <= c < width:
            pieces.setdefault(find(r * width + c), []).append((round(y, 1), x, text))
    cells = {root: Cell(_SPACES.sub("", "".join(t for *_, t in sorted(found))), root) for root, found in pieces.items()}
    return [
        [cells.get(find(r * width + c), Cell("", find(r * width + c))) for c in range(width)] for r in range(height)
    ]


def ofd_grids(body: bytes, options: Any) -> list[Grid]:
    """The ruled tables of every page of an OFD (GB/T 33190), in reading order."""
    from workers.extract.attachments import ofd_pages

    return [grid for page in ofd_pages(body, options)[:PDF_TABLE_PAGES] for grid in _ofd_page_grids(page)]
