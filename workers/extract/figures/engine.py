"""Grids of table cells → the report's figures, by the meaning of their labels (schema.py), then the checks.

A grid's rows are read as the format prints them, whatever the markup: a *header row* (two or more labels, no
number) starts the column headings of the rows below it, a *section row* (one label, no number: "（三）不予公开",
"第二十条第（一）项") sets the group the next rows belong to, and a *data row* holds numbers. A number's key is
its row's label (the non-number cells of its row, with the current section) matched against the table's rows,
and its column's heading (that column's cells in the header rows above) against the table's columns.
Nothing depends on a cell's position in one template.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from nianbao import figures as schema
from workers.extract.figures import checks
from workers.extract.figures.grids import Cell, Grid

Number = int | float

# Cells that mean "nothing printed": a blank, dashes, slashes, 无. Their value is null (the contract's "blank").
_BLANK = re.compile(r"^([-—–/\\_.·]+|无|空|/)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
# Units printed beside a number in its cell ("12件", "5949.09万元").
_UNITS = re.compile(r"(件|次|个|项|条|家|人|万元|元)$")
# Numbering in front of a label: 一、 （一） (1) 1. 1、 1． ① and a 第…项 prefix stays (it is a section).
_NUMBERING = re.compile(r"^([一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[①-⑳])")
_FOOTNOTE = re.compile(r"([*※]+|注\d*|\d+\))$")


def parse_value(text: str) -> tuple[bool, Number | None]:
    """(is this a value cell, its number). Full-width digits, thousands separators and units are read."""
    t = unicodedata.normalize("NFKC", text).replace(" ", "").replace(",", "")
    t = _UNITS.sub("", t)
    if _BLANK.match(t):
        return True, None
    if _INTEGER.match(t):
        return True, int(t)
    if _DECIMAL.match(t):
        return True, float(t)
    return False, None


def compact(label: str) -> str:
    """A label as the schema's patterns see it: NFKC, no spaces, no leading numbering or trailing footnote mark."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", label))
    while True:
        stripped = _NUMBERING.sub("", t)
        if stripped == t:
            break
        t = stripped
    return _FOOTNOTE.sub("", t)


@cache
def _pattern(label: schema.Label) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in label.patterns))


# A table's row label repeats for each of its numbers and a column heading for each row: decided once each. The
# labels of the format are few; the bound keeps a worker's memory flat over odd labels of many reports.
PICK_CACHE = 4096


@lru_cache(maxsize=PICK_CACHE)
def _pick(labels: tuple[schema.Label, ...], texts: tuple[str, ...], context: str) -> schema.Label | None:
    """The first label matching the most specific text (the last), then the texts together; its section must show
    in the texts or the context (the section row above)."""
    joined = "".join(texts)
    for text in (texts[-1], joined) if texts else ():
        for label in labels:
            if _pattern(label).search(text) and (label.section is None or label.section in joined + context):
                return label
    return None


def classify(grid: Grid) -> tuple[schema.Table, ...]:
    """Which of the format's tables a grid holds (their signatures' patterns all show in its text): usually one,
    several when a report printed them as one <table>."""
    text = compact("".join(cell.text for row in grid for cell in row))
    return tuple(
        table
        for table in (schema.REQUESTS, schema.APPEALS, schema.ACTIVE)
        if all(any(p in text for p in group) for group in table.signature)
    )


@dataclass
class Mapped:
    """The cells of one or more grids mapped to keys, and what was seen on the way."""

    values: dict[str, Number | None] = field(default_factory=dict)
    versions: set[str] = field(default_factory=set)  # versions of the format that alone print a cell seen
    tables: list[int] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def _distinct(cells: list[Cell]) -> list[Cell]:
    out: list[Cell] = []
    for cell in cells:
        if cell.text and all(cell.ident != seen.ident for seen in out):
            out.append(cell)
    return out


@dataclass
class State:
    """Where the reading of a table stands: the header rows in force and the current section. A table split in
    two (a page break in a PDF, two <table>s) continues under the first part's headings and section."""

    headers: list[list[Cell]] = field(default_factory=list)
    section: str = ""


def map_grid(grid: Grid, table: schema.Table, mapped: Mapped, state: State | None = None) -> State:
    """Add the values of one grid of `table` to `mapped`; return the state at its end."""
    headers = list(state.headers) if state else []
    header_done = bool(headers)  # the next header row starts a new block once data rows (or a first part) came
    section = state.section if state else ""
    for row in grid:
        parsed = [parse_value(cell.text) for cell in row]
        numbers = [v for is_value, v in parsed if is_value and v is not None]
        # "—", "/", "无" in a row make it a data row whose cells are blank (an empty cell alone does not).
        marks = any(is_value and v is None and cell.text for cell, (is_value, v) in zip(row, parsed, strict=True))
        labels = _distinct([cell for cell, (is_value, _) in zip(row, parsed, strict=True) if not is_value])
        if not numbers and not marks:
            if len(labels) >= 2:
                headers = [row] if header_done or not headers else [*headers, row]
                header_done = False
            elif labels:  # a heading of its own: a group of table 三 the next rows belong to
                section = next((s for s in schema.SECTIONS if s in compact(labels[0].text)), section)
            continue
        header_done = True
        texts = [compact(cell.text) for cell in labels]
        own = next((s for s in schema.SECTIONS if s in "".join(texts)), None)
        if table is schema.REQUESTS and own:
            section = own  # the row names its own group (a spanned cell): the rows below it may lose it at a break
        seen: set[int] = set()
        for j, (cell, (is_value, value)) in enumerate(zip(row, parsed, strict=True)):
            if not is_value or (cell.ident in seen and cell.ident >= 0):
                continue
            seen.add(cell.ident)
            heading = [compact(c.text) for c in _distinct([h[j] for h in headers if j < len(h)])]
            _assign(table, texts, heading, section, value, mapped)
    return State(headers, section)


def _assign(
    table: schema.Table, texts: list[str], heading: list[str], section: str, value: Number | None, mapped: Mapped
) -> None:
    if table.either_way:
        both, reverse = (*heading, *texts), (*texts, *heading)
        row, col = _pick(table.rows, both, section), _pick(table.columns, reverse, section)
        if row is None or col is None:
            row, col = _pick(table.rows, reverse, section), _pick(table.columns, both, section)
    else:
        row, col = _pick(table.rows, tuple(texts), section), _pick(table.columns, tuple(heading), section)
    if row is None or col is None:
        return
    key = schema.field_key(table, row.key, col.key)
    if key is None:
        return
    for label in (row, col):  # a cell only one version prints tells the version
        if len(label.formats) == 1:
            mapped.versions.add(label.formats[0])
    if key in mapped.values and mapped.values[key] != value:
        if mapped.values[key] is None:
            mapped.values[key] = value
        elif value is not None:
            mapped.conflicts.append(key)
        return
    mapped.values[key] = value


def _headings_only(grid: Grid) -> list[list[Cell]] | None:
    """The rows of a grid that holds column headings and nothing else (no number), else None."""
    if any(parse_value(cell.text) not in ((True, None), (False, None)) for row in grid for cell in row):
        return None
    rows = [row for row in grid if len(_distinct([c for c in row if not parse_value(c.text)[0]])) >= 2]
    return rows or None


def map_grids(grids: list[Grid]) -> Mapped:
    """Map every grid that is one of the format's tables. A grid right after a part of a table, of its width, that
    no signature recognises or that is the same table, continues it (a table split over two pages or two <table>s:
    the first part's headings and group go on unless it prints its own); a grid of headings alone right before a
    table of the same width gives it its headings (Word split under the header)."""
    mapped = Mapped()
    previous: tuple[schema.Table, int, State] | None = None
    loose: Grid | None = None  # the last grid no signature recognised
    for index, grid in enumerate(grids):
        if not grid or not grid[0]:
            continue
        tables = classify(grid)
        state = None
        if previous is not None and previous[1] == len(grid[0]) and (not tables or previous[0] in tables):
            tables, state = (previous[0], *(t for t in tables if t is not previous[0])), previous[2]
        elif tables and loose is not None and len(loose[0]) == len(grid[0]):
            headings = _headings_only(loose)
            state = State(headings) if headings else None
        if not tables:
            previous, loose = None, grid
            continue
        loose = None
        before = len(mapped.values)
        state = map_grid(grid, tables[0], mapped, state)
        for other in tables[1:]:  # the cells of the others' rows and columns only match their own labels
            map_grid(grid, other, mapped)
        if len(mapped.values) > before:
            mapped.tables.append(index)
        previous = (tables[0], len(grid[0]), state)
    return mapped


def report_format(mapped: Mapped, report_year: int | None) -> str:
    """'2019' or '2021': the cells only one version prints decide; else the report year."""
    if mapped.versions == {"2019"}:
        return "2019"
    if "2021" in mapped.versions:
        return "2021"
    if report_year is not None and report_year < schema.SECOND_FORMAT_YEAR:
        return "2019"
    return "2021"


@dataclass
class Figures:
    """What a report's tables say: `values` (every key of its format; None where blank), the format, flags."""

    values: dict[str, Number | None] | None
    format: str | None
    flags: list[str]
    tables: list[int]

    def source(self, source_format: str) -> dict[str, Any] | None:
        """Where the values were read (the Document's `figures_source`): the body's format and the tables' indexes."""
        return {"format": source_format, "tables": self.tables} if self.values is not None else None


# A report whose tables yield fewer cells than this has no figures: a stray table naming 行政复议 is not the format.
MIN_CELLS = 5


def figures_from_grids(grids: list[Grid], report_year: int | None) -> Figures:
    """The figures of a report from its grids; no tables (or none readable) gives no values and the reason."""
    mapped = map_grids(grids)
    if sum(v is not None for v in mapped.values.values()) < MIN_CELLS and len(mapped.values) < MIN_CELLS:
        before = report_year is not None and report_year < schema.FIRST_FORMAT_YEAR
        return Figures(None, None, [schema.BEFORE_FORMAT if before else schema.NO_TABLES], [])
    fmt = report_format(mapped, report_year)
    values: dict[str, Number | None] = dict.fromkeys(schema.all_keys(fmt))
    values.update({k: v for k, v in mapped.values.items() if k in values})
    flags = checks.failed(values, fmt)
    flags += [f"conflicting_cells.{key}" for key in dict.fromkeys(mapped.conflicts)]
    return Figures(values, fmt, flags, mapped.tables)
