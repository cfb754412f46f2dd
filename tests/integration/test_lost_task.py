"""A task message Redis lost (a worker's BRPOP took it as Redis stopped, before the worker recorded it), and one
Redis keeps as unacknowledged for no worker (a worker whose connection dropped forgets what it had reserved): the
flow finds each neither queued nor held by any worker and sends it again under its id, instead of waiting for it
until its deadline (for the second, until the visibility timeout gives it back, 15 min).

Real Redis, a real kombu consumer taking the message off the queue, and a real Celery worker answering the task.
"""

from __future__ import annotations

import logging
from pathlib import Path
from time import monotonic

import pytest
from kombu import Connection

from flows import batches
from nianbao.records import CrawlSummary
from nianbao.sites import Site
from shell.runtime import point_app_at, start_celery_workers, start_redis
from storage.store import Store
from tests.integration.test_runtime import a_capture
from workers.queue import send_extract, whereabouts

pytestmark = pytest.mark.integration
TOWN = Site(code="town", name="某镇人民政府", division="441900", level="township", start_urls=("http://127.0.0.1/",))


def test_a_task_message_lost_or_held_for_no_worker_is_sent_again_under_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(str(tmp_path / "data"))
    capture = a_capture(store).to_dict()
    monkeypatch.setattr(batches, "RESULT_POLL_S", 0.5)
    started: list = []
    try:
        url = start_redis(tmp_path, started)
        monkeypatch.setenv("REDIS_URL", url)
        point_app_at(url)
        lost = send_extract(capture, store.url, TOWN.division, TOWN.level)
        assert whereabouts(lost.id) == "queued"
        forgotten = send_extract(capture, store.url, TOWN.division, TOWN.level)
        with Connection(url) as holder:
            taken = holder.SimpleQueue("extract")
            message = taken.get(timeout=5)
            assert message.headers["id"] == lost.id
            assert whereabouts(lost.id) == "held"  # taken by a consumer, not yet acknowledged
            message.ack()  # gone from Redis without running: what a worker's BRPOP meets when Redis stops
            assert whereabouts(lost.id) == "nowhere"
            # Taken and never acknowledged by a consumer that is no Celery worker: Redis holds it for nobody.
            kept = taken.get(timeout=5)
            assert kept.headers["id"] == forgotten.id
            assert whereabouts(forgotten.id) == "held"  # no worker is there to say otherwise
            start_celery_workers(url, tmp_path, 1, started)
            deadline = monotonic() + 60
            while whereabouts(forgotten.id) != "abandoned":  # once the worker is up and answers
                assert monotonic() < deadline, "the worker never answered whether it holds the task"

            # Without the capture to send again, the flow can only wait for the deadline.
            bare = CrawlSummary(site="town", year=2021, task_ids=[lost.id])
            (outcome,) = batches.wait_for_extraction(bare, TOWN, store.url, timeout_s=3)
            assert outcome.status == "failed" and "still running" in outcome.reason

            for task_id, status in ((lost.id, "new"), (forgotten.id, "unchanged")):
                crawl = CrawlSummary(site="town", year=2021, task_ids=[task_id], dispatched=[capture])
                caplog.clear()
                with caplog.at_level(logging.WARNING, logger="flows.batches"):
                    (outcome,) = batches.wait_for_extraction(crawl, TOWN, store.url, timeout_s=60)
                assert outcome.status == status, outcome
                assert "was lost (neither queued nor held by any worker)" in caplog.text
                assert capture["url"] in caplog.text
            assert len(list(store.keys("docs/rule_of_law/2021/town/"))) == 1
            kept.ack()  # else closing the connection gives it back, and the worker is mid-task when stopped
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(30)
