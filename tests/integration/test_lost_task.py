"""A task message Redis lost (a worker's BRPOP took it as Redis stopped, before the worker recorded it): the flow
finds it neither queued nor held and sends it again under its id, instead of waiting for it until its deadline.

Real Redis, a real kombu consumer taking the message off the queue, and a real Celery worker answering the task.
"""

from __future__ import annotations

import logging
from pathlib import Path

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


def test_a_task_message_redis_lost_is_sent_again_under_its_id(
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
        with Connection(url) as connection:
            message = connection.SimpleQueue("extract").get(timeout=5)
            assert whereabouts(lost.id) == "held"  # taken by a consumer, not yet acknowledged
            message.ack()  # gone from Redis without running: what a worker's BRPOP meets when Redis stops
        assert whereabouts(lost.id) == "nowhere"
        start_celery_workers(url, tmp_path, 1, started)

        # Without the capture to send again, the flow can only wait for the deadline.
        bare = CrawlSummary(site="town", year=2021, task_ids=[lost.id])
        (outcome,) = batches.wait_for_extraction(bare, TOWN, store.url, timeout_s=3)
        assert outcome.status == "failed" and "still running" in outcome.reason

        crawl = CrawlSummary(site="town", year=2021, task_ids=[lost.id], dispatched=[capture])
        with caplog.at_level(logging.WARNING, logger="flows.batches"):
            (outcome,) = batches.wait_for_extraction(crawl, TOWN, store.url, timeout_s=60)
        assert outcome.status == "new", outcome
        assert "was lost by Redis" in caplog.text and capture["url"] in caplog.text
        assert len(list(store.keys("docs/rule_of_law/2021/town/"))) == 1
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(30)
