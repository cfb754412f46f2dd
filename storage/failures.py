"""Failure records: a capture that could not be fetched or extracted, with the reason, ready to re-drive.

Both stages write them (the crawler for pages it could not fetch, the workers for captures they could not
extract), so nothing a harvest tried is a silent gap: `nianbao failures` lists them, `--redrive` retries.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from typing import Literal

from nianbao.records import Capture, CaptureOutcome
from storage import layout
from storage.store import Store

log = logging.getLogger(__name__)
Stage = Literal["fetch", "extract"]


def capture_id(capture: Capture) -> str:
    return hashlib.sha256(f"{capture.url}\n{capture.sha256}".encode()).hexdigest()[:20]


def record_failure(
    store: Store, capture: Capture, reason: str, stage: Stage = "extract", division: str = "", level: str = ""
) -> CaptureOutcome:
    """Write `failures/{year}/{site}/{capture_id}.json`; return the outcome a task or a crawl reports.

    `division` and `level` are the site's (registry), kept so that a re-drive extracts the capture as the harvest
    would have: the document's publisher is attributed from them."""
    key = layout.failure(capture.year, capture.site, capture_id(capture))
    failed_at = datetime.now(UTC).isoformat(timespec="seconds")
    record = {"reason": reason, "stage": stage, "capture": capture.to_dict(), "failed_at": failed_at}
    store.put_json(key, {**record, "division": division, "level": level})
    log.warning("%s failed for %s: %s", stage, capture.url, reason)
    return CaptureOutcome("failed", capture.url, reason, failure_key=key, stage=stage)
