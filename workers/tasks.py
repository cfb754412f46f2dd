"""Celery tasks: thin shells that load, call the extraction, and store (workers.documents)."""

from __future__ import annotations

from typing import Any

from nianbao.records import Capture
from storage.store import Store
from workers.celery import app
from workers.documents import process_capture

_stores: dict[str, Store] = {}


def _store(url: str) -> Store:
    # One Store per worker process and URL; its filesystem is created lazily after the fork.
    if url not in _stores:
        _stores[url] = Store(url)
    return _stores[url]


@app.task(name="nianbao.extract", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def extract(capture: dict[str, Any], store_url: str, division: str = "") -> dict[str, Any]:
    """Extract one capture into a Document (or a recorded failure). Safe to run twice."""
    return process_capture(_store(store_url), Capture.from_dict(capture), division)
