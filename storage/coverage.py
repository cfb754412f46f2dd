"""The coverage table in the store: `coverage/{kind}/{year}.parquet`, one row per unit that owes the report.

Plain columns (nianbao.coverage.COLUMNS), typed for DuckDB: `published` a DATE, `on_time` a BOOLEAN, `year` a
BIGINT, the rest strings; readable with `read_parquet('coverage/*/2024.parquet')`.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from nianbao.coverage import COLUMNS
from storage import layout
from storage.store import Store

TYPES = {"year": pa.int64(), "published": pa.date32(), "on_time": pa.bool_()}
SCHEMA = pa.schema([(c, TYPES.get(c, pa.string())) for c in COLUMNS])


def write_coverage(store: Store, kind: str, year: int, rows: list[dict[str, Any]]) -> str:
    """Write the table (replacing the previous one of this kind and year); return its key."""
    typed = [{**row, "published": date.fromisoformat(row["published"]) if row["published"] else None} for row in rows]
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(typed, schema=SCHEMA), buffer)
    key = layout.coverage(kind, year)
    store.put_bytes(key, buffer.getvalue())
    return key


def read_coverage(store: Store, kind: str, year: int) -> list[dict[str, Any]]:
    """The rows, `published` back as an ISO string; FileNotFoundError when no harvest wrote this table."""
    rows = pq.read_table(io.BytesIO(store.get_bytes(layout.coverage(kind, year)))).to_pylist()
    return [{**row, "published": row["published"].isoformat() if row["published"] else None} for row in rows]
