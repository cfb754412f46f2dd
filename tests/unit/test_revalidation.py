"""Fewer requests on re-runs: a report seen unchanged is asked again on a growing interval; robots.txt kept a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from crawler.middlewares.politeness import backoff, retry_after_s
from storage.state import MAX_AGE_DAYS, REVALIDATE_AFTER, due, fresh_robots, revalidation_interval

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def entry(unchanged: int, days_ago: float) -> dict[str, object]:
    return {"unchanged": unchanged, "checked": (NOW - timedelta(days=days_ago)).isoformat()}


def test_a_report_fetched_once_is_asked_again_at_the_next_crawl() -> None:
    assert due(entry(0, 0.001), "report", NOW)
    assert due({}, "report", NOW), "never checked: always asked"


def test_seen_twice_the_same_it_waits_an_interval_that_doubles_up_to_the_kinds_maximum_age() -> None:
    intervals = [revalidation_interval(n, "report") for n in range(1, 8)]
    assert intervals[0] == REVALIDATE_AFTER
    assert intervals[1] == 2 * REVALIDATE_AFTER and intervals[2] == 4 * REVALIDATE_AFTER
    assert max(intervals) == timedelta(days=MAX_AGE_DAYS["report"])
    assert not due(entry(1, 1), "report", NOW)
    assert due(entry(1, 8), "report", NOW)
    assert not due(entry(3, 20), "report", NOW) and due(entry(3, 29), "report", NOW)
    assert due(entry(50, MAX_AGE_DAYS["report"] + 1), "report", NOW), "the maximum age brings everything back"


def test_attachments_have_their_own_maximum_age() -> None:
    assert revalidation_interval(50, "attachment") == timedelta(days=MAX_AGE_DAYS["attachment"])


def test_robots_txt_is_kept_for_a_day() -> None:
    kept = {"robots": "User-agent: *\nCrawl-delay: 2\n", "checked": (NOW - timedelta(hours=23)).isoformat()}
    assert fresh_robots(kept, NOW) == kept["robots"]
    assert fresh_robots({**kept, "checked": (NOW - timedelta(hours=25)).isoformat()}, NOW) is None
    assert fresh_robots({"sha256": "x"}, NOW) is None


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_s(b"120") == 120
    assert (
        retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now=datetime(2015, 10, 21, 7, 27, tzinfo=UTC).timestamp()) == 60
    )
    assert retry_after_s(None) is None and retry_after_s(b"soon") is None


def test_a_refusing_host_slows_down_to_its_retry_after_within_the_cap() -> None:
    assert backoff(0.0, 30.0, minimum=2, maximum=120) == 30
    assert backoff(0.0, 3600.0, minimum=2, maximum=120) == 120, "capped"
    assert backoff(0.0, None, minimum=2, maximum=120) == 2
    assert backoff(8.0, None, minimum=2, maximum=120) == 16, "no Retry-After: doubles"
    assert backoff(16.0, 1.0, minimum=2, maximum=120) == 16, "never faster while it refuses"
