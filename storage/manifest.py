"""Parquet manifests (one row per current Document of a kind and year) and run summaries."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from storage import layout
from storage.store import Store

# Columns of the manifest; `text` stays in the documents, the manifest points to them.
COLUMNS = [
    "doc_id",
    "site",
    "division",
    "kind",
    "report_year",
    "title",
    "published",
    "issuer",
    "on_time",
    "url",
    "sha256",
    "encoding",
    "extractor",
    "fetched_at",
    "text_chars",
    "key",
]


def manifest_rows(store: Store, kind: str, year: int) -> list[dict[str, Any]]:
    rows = []
    for key in store.keys(layout.docs_prefix(kind, year)):
        if not layout.is_current_doc(key):
            continue
        doc = store.get_json(key)
        row = {c: doc.get(c) for c in COLUMNS}
        row["text_chars"] = len(doc.get("text") or "")
        row["key"] = key
        rows.append(row)
    return rows


def write_manifest(store: Store, kind: str, year: int) -> tuple[str, int]:
    """Rebuild the manifest of one kind and year from the stored documents; return (key, rows)."""
    rows = manifest_rows(store, kind, year)
    schema = pa.schema(
        [
            (
                c,
                pa.int64() if c in ("report_year", "text_chars") else pa.bool_() if c == "on_time" else pa.string(),
            )
            for c in COLUMNS
        ]
    )
    table = pa.Table.from_pylist(rows, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    key = layout.manifest(kind, year)
    store.put_bytes(key, buffer.getvalue())
    return key, len(rows)


def read_manifest(store: Store, kind: str, year: int) -> pa.Table:
    return pq.read_table(io.BytesIO(store.get_bytes(layout.manifest(kind, year))))
