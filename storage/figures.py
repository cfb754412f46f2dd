"""The figures of the information-disclosure reports as a table: one row per report, one column per cell.

`figures/info_disclosure/{year}.parquet` (key: storage.layout.figures) holds every current report of the year,
with its figures (null where the report leaves a cell blank or has no tables), the format version, the flags
(failed checks, or why there are no figures) and where the figures came from. Counts are BIGINT and amounts
(万元) DOUBLE, so DuckDB sums and filters them without a cast.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from nianbao.figures import all_keys
from storage import layout
from storage.manifest import current_documents
from storage.store import Store

KIND = "info_disclosure"
COLUMNS = ["doc_id", "site", "division", "report_year", "title", "url", "key", "figures_format", "figures_flags",
           "figures_source"]  # fmt: skip
FIELDS = list(all_keys())  # both versions' cells: a 2019-format report leaves the 2021-only columns null
# Cells in 万元 with decimals; every other cell is a count.
AMOUNTS = tuple(key for key in FIELDS if key.endswith("amount"))
SCHEMA = pa.schema(
    [(c, pa.int64() if c == "report_year" else pa.list_(pa.string()) if c == "figures_flags" else pa.string())
     for c in COLUMNS]
    + [(key, pa.float64() if key in AMOUNTS else pa.int64()) for key in FIELDS]
)  # fmt: skip


def _count(value: Any) -> int | None:
    """A count cell as an integer; a count printed with a fraction is no count (the document keeps it as read)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, float) and value.is_integer() else None


def figure_row(key: str, doc: dict[str, Any]) -> dict[str, Any]:
    figures = doc.get("figures") or {}
    source = doc.get("figures_source") or {}
    row = {c: doc.get(c) for c in COLUMNS[:6]}
    row |= {
        "key": key,
        "figures_format": doc.get("figures_format"),
        "figures_flags": list(doc.get("figures_flags") or []),
    }
    row["figures_source"] = source.get("format")
    for field in FIELDS:
        value = figures.get(field)
        row[field] = (float(value) if value is not None else None) if field in AMOUNTS else _count(value)
    return row


def figure_rows(store: Store, year: int, site: str | None = None) -> list[dict[str, Any]]:
    """One row per current information-disclosure report of `year` (of one site when given)."""
    rows = [figure_row(key, doc) for key, doc in current_documents(store, KIND, year)]
    return [row for row in rows if site is None or row["site"] == site]


def write_figures(store: Store, year: int) -> tuple[str, int]:
    """Rebuild the figures table of one year from the stored documents; return (key, rows)."""
    table = pa.Table.from_pylist(figure_rows(store, year), schema=SCHEMA)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    key = layout.figures(KIND, year)
    store.put_bytes(key, buffer.getvalue())
    return key, table.num_rows


def read_figures(store: Store, year: int) -> pa.Table:
    return pq.read_table(io.BytesIO(store.get_bytes(layout.figures(KIND, year))))


def national_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """For operators: reports, reports with figures, the total of every field some report prints, and the reports
    whose checks failed (with the checks)."""
    with_figures = [row for row in rows if row["figures_format"]]
    printed = [field for field in FIELDS if any(row[field] is not None for row in with_figures)]
    totals = {field: sum(row[field] or 0 for row in with_figures) for field in printed}
    failed = [
        {"site": row["site"], "title": row["title"], "url": row["url"], "flags": row["figures_flags"]}
        for row in with_figures
        if row["figures_flags"]
    ]
    reasons = Counter(flag for row in rows if not row["figures_format"] for flag in row["figures_flags"])
    return {
        "reports": len(rows),
        "with_figures": len(with_figures),
        "failed_checks": failed,
        "without_figures": dict(reasons),
        "totals": {field: (round(v, 6) if field in AMOUNTS else v) for field, v in totals.items()},
    }
