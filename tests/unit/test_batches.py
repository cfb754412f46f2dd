"""Crawl batches: how the sites of a harvest are shared among crawl processes (flows.batches.plan_batches)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError

from flows.batches import plan_batches, task_answer
from nianbao.sites import Site, lanes


def site(code: str, host: str) -> Site:
    return Site.model_validate(
        {"code": code, "name": code, "division": "110000", "level": "county", "start_urls": [f"http://{host}/"]}
    )


def test_lanes_keep_the_sites_of_one_host_together_in_registry_order() -> None:
    sites = [site("a", "x.gov.cn"), site("b", "y.gov.cn"), site("c", "x.gov.cn")]
    assert [[s.code for s in lane] for lane in lanes(sites)] == [["a", "c"], ["b"]]


def test_batches_spread_over_the_processes_and_never_split_a_host() -> None:
    sites = [site(f"s{i}", f"h{i % 7}.gov.cn") for i in range(20)]  # 7 hosts, 2-3 sites each
    batches = plan_batches(sites, processes=4, most=50, hosts_in_flight=2)
    assert sorted(s.code for b in batches for s in b) == sorted(s.code for s in sites)
    assert 3 <= len(batches) <= 5
    hosts_of = [{s.host for s in b} for b in batches]
    for i, hosts in enumerate(hosts_of):  # a host's sites never in two batches
        assert not any(hosts & other for j, other in enumerate(hosts_of) if j != i)


def test_a_national_harvest_is_cut_into_batches_of_at_most_most_sites() -> None:
    sites = [site(f"s{i}", f"h{i}.gov.cn") for i in range(1000)]
    batches = plan_batches(sites, processes=4, most=50)
    assert len(batches) == 20 and all(len(b) == 50 for b in batches)


def test_only_as_many_processes_as_keep_every_host_in_flight() -> None:
    """One crawler serves hundreds of hosts: fewer, larger batches; a second process only past its hosts."""
    sites = [site(f"s{i}", f"h{i}.gov.cn") for i in range(1000)]
    assert [len(b) for b in plan_batches(sites, processes=4, most=5000, hosts_in_flight=256)] == [250] * 4
    assert [len(b) for b in plan_batches(sites[:200], processes=4, most=5000, hosts_in_flight=256)] == [200]
    assert [len(b) for b in plan_batches(sites[:300], processes=4, most=5000, hosts_in_flight=256)] == [150, 150]


def test_one_host_with_many_sites_stays_one_batch_even_above_the_cap() -> None:
    sites = [site(f"town{i}", "county.gov.cn") for i in range(60)] + [site("other", "other.gov.cn")]
    batches = plan_batches(sites, processes=4, most=50)
    assert [len(b) for b in batches] == [60, 1]


def test_a_single_site_is_one_batch() -> None:
    assert [[s.code for s in b] for b in plan_batches([site("a", "x.gov.cn")])] == [["a"]]


class _Result:
    """A Celery result that answers only after a time-out and a Redis outage (the flow asks through both)."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers, self.asked = answers, 0

    def get(self, timeout: float, propagate: bool) -> Any:
        self.asked += 1
        answer = self.answers.pop(0) if self.answers else CeleryTimeoutError()
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_a_result_is_asked_again_through_time_outs_and_a_redis_outage() -> None:
    from time import monotonic

    result = _Result([CeleryTimeoutError(), RedisConnectionError("restarting"), {"status": "new"}])
    assert task_answer(result, monotonic() + 30) == {"status": "new"}
    assert result.asked == 3
    assert task_answer(_Result([]), monotonic() + 0.05) is None  # still running at the deadline


def test_a_task_found_nowhere_twice_in_a_row_is_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once nowhere (or abandoned) is the instant between a worker taking a message and recording it; twice in a
    row is lost."""
    from time import monotonic

    import workers.queue

    monkeypatch.setattr("flows.batches.RESULT_POLL_S", 0.01)
    for places, sent_on in (
        (["nowhere", "nowhere"], [2]),
        (["nowhere", "held", "nowhere", "queued"], []),
        (["nowhere", RedisConnectionError("restarting"), "nowhere", "nowhere"], [4]),
        (["abandoned", "nowhere"], [2]),  # held for no worker, then restored and lost: unclaimed twice
        (["abandoned", "held", "abandoned", "queued"], []),
    ):
        sent: list[int] = []  # after which ask it was sent again
        result = _Result([CeleryTimeoutError()] * len(places) + [{"status": "new"}])
        result.id = "t1"  # type: ignore[attr-defined]
        asked = iter(places)

        def where(task_id: str, asked: Iterator[Any] = asked) -> str:
            place = next(asked)
            if isinstance(place, Exception):
                raise place
            return place

        monkeypatch.setattr(workers.queue, "whereabouts", where)

        def send_again(result: _Result = result, sent: list[int] = sent) -> None:
            sent.append(result.asked)

        answer = task_answer(result, monotonic() + 30, send_again)
        assert answer == {"status": "new"}
        assert sent == sent_on, places
