"""A failed capture is re-driven as the harvest sent it: its failure record keeps the site's division and level, and
`nianbao failures --redrive` sends them with it (without them the document's publisher is attributed from its text
alone). Bytes in, records out: a local store, the queue replaced by a recorder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import workers.queue
from nianbao.records import Capture
from shell.cli import redrive_failures
from storage.store import Store
from workers.documents import process_capture


class _Answered:
    def get(self, timeout: float, propagate: bool) -> dict[str, Any]:
        return {"status": "new", "url": "http://127.0.0.1/r.html"}


def test_a_failed_capture_is_sent_again_with_its_sites_division_and_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(str(tmp_path / "data"))
    capture = Capture(
        site="town", year=2021, url="http://127.0.0.1/r.html", final_url="http://127.0.0.1/r.html", status=200,
        headers={}, fetched_at="2022-01-21T00:00:00+00:00", sha256="0" * 64, content_type="text/html",
        warc_key="raw/2021/town/missing.warc.gz", warc_offset=0,
    )  # fmt: skip
    outcome = process_capture(store, capture, "441900", "township")  # its WARC is missing: a recorded failure
    assert outcome.status == "failed" and outcome.failure_key
    record = store.get_json(outcome.failure_key)
    assert (record["division"], record["level"]) == ("441900", "township")

    sent: list[tuple[Any, ...]] = []

    def send_extract(*args: Any, **kwargs: Any) -> _Answered:
        sent.append(args)
        return _Answered()

    monkeypatch.setattr(workers.queue, "send_extract", send_extract)
    assert redrive_failures(store, [(outcome.failure_key, record)]) == {"stored": 1, "failed": 0}
    assert sent == [(capture.to_dict(), store.url, "441900", "township")]
    assert not store.exists(outcome.failure_key)  # stored this time: the record goes away
