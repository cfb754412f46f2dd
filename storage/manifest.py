"""Parquet manifests (one row per current Document of a kind and year) and run summaries."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
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
    "level",
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
# Typed for DuckDB, pandas and Spark: dates compare and bucket as dates (`published < DATE '2022-04-01'`,
# `year(published)`) without a cast in every query. Columns not named here are strings.
TYPES = {
    "report_year": pa.int64(),
    "text_chars": pa.int64(),
    "on_time": pa.bool_(),
    "published": pa.date32(),
    "fetched_at": pa.timestamp("us", tz="UTC"),
}
SCHEMA = pa.schema([(c, TYPES.get(c, pa.string())) for c in COLUMNS])


def _date(value: Any) -> date | None:
    """A document's ISO `published` string as a date; a value that is not one is left out (the document keeps it)."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _timestamp(value: Any) -> datetime | None:
    """A document's ISO `fetched_at` as an aware datetime; the crawler writes UTC, so a naive one is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


READ_BATCH = 500  # documents fetched at once (concurrently on S3)


def current_documents(store: Store, kind: str, year: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """(key, document) of every current Document of a kind and year, history versions aside."""
    keys = [key for key in store.keys(layout.docs_prefix(kind, year)) if layout.is_current_doc(key)]
    for start in range(0, len(keys), READ_BATCH):
        batch = keys[start : start + READ_BATCH]
        fetched = store.get_many(batch)
        for key in batch:
            yield key, json.loads(fetched[key])


def manifest_rows(store: Store, kind: str, year: int) -> list[dict[str, Any]]:
    rows = []
    for key, doc in current_documents(store, kind, year):
        row = {c: doc.get(c) for c in COLUMNS}
        row["text_chars"] = len(doc.get("text") or "")
        row["key"] = key
        rows.append(row)
    return rows


def write_manifest(store: Store, kind: str, year: int) -> tuple[str, int]:
    """Rebuild the manifest of one kind and year from the stored documents; return (key, rows)."""
    rows = [
        {**row, "published": _date(row["published"]), "fetched_at": _timestamp(row["fetched_at"])}
        for row in manifest_rows(store, kind, year)
    ]
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    key = layout.manifest(kind, year)
    store.put_bytes(key, buffer.getvalue())
    return key, len(rows)


def read_manifest(store: Store, kind: str, year: int) -> pa.Table:
    return pq.read_table(io.BytesIO(store.get_bytes(layout.manifest(kind, year))))
