"""Celery tasks: thin shells that load, call the extraction, and store (workers.documents)."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task

from nianbao.records import Capture
from storage.failures import record_failure
from storage.store import Store, StoreWriteError
from workers.celery import app
from workers.documents import process_capture

log = logging.getLogger(__name__)

_stores: dict[str, Store] = {}


def _store(url: str) -> Store:
    # One Store per worker process and URL; its filesystem is created lazily after the fork.
    if url not in _stores:
        _stores[url] = Store(url)
    return _stores[url]


class ExtractTask(Task):
    def on_failure(self, exc: BaseException, task_id: str, args: tuple, kwargs: dict, einfo: Any) -> None:
        """Retries are spent (the store kept failing, a time limit hit): record the failure so it can be re-driven."""
        capture, store_url, *site = args  # the site's division and level, when the sender gave them
        try:
            reason = f"{type(exc).__name__}: {exc}"
            record_failure(_store(store_url), Capture.from_dict(capture), reason, "extract", *site[:2])
        except OSError:
            log.exception("could not record the failure of %s either", capture.get("url"))


# Transient storage errors (OSError from fsspec/s3fs) are retried with growing delays: 1, 2, 4 … 60 s. A local store
# that refuses the write (full, over quota) is not transient: the task fails at once and the harvest stops on it.
@app.task(
    base=ExtractTask, name="nianbao.extract", autoretry_for=(OSError,), dont_autoretry_for=(StoreWriteError,),
    retry_backoff=True, retry_backoff_max=60, max_retries=6,
)  # fmt: skip
def extract(capture: dict[str, Any], store_url: str, division: str = "", level: str = "") -> dict[str, Any]:
    """Extract one capture into a Document (or a recorded failure). Safe to run twice.

    `division` and `level` are the site's (registry); the document may belong to a unit under it. Returns the
    capture's outcome as JSON (nianbao.records.CaptureOutcome), what the flow counts."""
    return process_capture(_store(store_url), Capture.from_dict(capture), division, level).to_dict()
