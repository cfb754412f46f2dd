"""Fewer requests on re-runs (crawler.revalidation): when a known page is asked again, as plain functions of dates;
robots.txt kept a day; a host that refuses slows down."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from crawler.middlewares.politeness import backoff, retry_after_s
from crawler.revalidation import (
    DUE_SLACK,
    MAX_AGE_DAYS,
    REVALIDATE_AFTER,
    due,
    fresh_robots,
    in_season,
    interval,
    record,
)

NOW = datetime(2026, 9, 1, tzinfo=UTC)  # outside any publication season of 2021 reports


def entry(unchanged: int, days_ago: float, stable_days: float = 0.0) -> dict[str, Any]:
    """A state entry asked `days_ago`, then found unchanged `unchanged` times in a row, the same for `stable_days`."""
    checked = NOW - timedelta(days=days_ago)
    return {
        "unchanged": unchanged,
        "checked": checked.isoformat(),
        "since": (checked - timedelta(days=stable_days)).isoformat(),
    }


def test_a_page_fetched_once_is_asked_again_at_the_next_crawl() -> None:
    assert due(entry(0, 0.001), "report", NOW) and due(entry(0, 0.001), "listing", NOW)
    assert due({}, "report", NOW), "never checked: always asked"


def test_a_report_waits_once_seen_twice_the_same_a_listing_once_seen_three_times() -> None:
    assert not due(entry(1, 1), "report", NOW) and not due(entry(1, 1), "attachment", NOW)
    assert due(entry(1, 1), "listing", NOW), "a listing is where new reports appear: it earns trust more slowly"
    assert not due(entry(2, 1), "listing", NOW)


def test_the_wait_is_how_long_the_page_has_stayed_the_same_within_bounds() -> None:
    assert interval(entry(1, 0, stable_days=0), "report") == REVALIDATE_AFTER, "back-to-back runs wait a week"
    assert interval(entry(1, 0, stable_days=30), "report") == timedelta(days=30)
    assert interval(entry(9, 0, stable_days=400), "report") == timedelta(days=MAX_AGE_DAYS["report"])
    assert interval(entry(9, 0, stable_days=400), "attachment") == timedelta(days=MAX_AGE_DAYS["attachment"])
    assert not due(entry(2, 45, stable_days=60), "report", NOW) and due(entry(2, 61, stable_days=60), "report", NOW)


def test_a_monthly_harvest_asks_a_page_unchanged_for_a_long_time_about_once_a_quarter() -> None:
    page: dict[str, Any] = {}
    asked = []
    for month in range(12):
        now = NOW + timedelta(days=30 * month, hours=month % 3)  # a harvest reaches the site at another hour
        asked.append(due(page, "listing", now))
        if asked[-1]:
            page.update(record(page, unchanged=bool(page), now=now))
    assert asked[:3] == [True, True, True], "fetched, then seen the same twice before any wait"
    assert asked[3] is False and sum(asked[3:]) == 3, asked


def test_a_page_due_within_a_day_is_asked_now() -> None:
    page = entry(2, 30 - DUE_SLACK.days, stable_days=30)
    assert due(page, "report", NOW) and not due(entry(2, 28, stable_days=30), "report", NOW)


def test_the_maximum_age_brings_everything_back() -> None:
    for kind in ("report", "attachment", "listing"):
        assert due(entry(50, MAX_AGE_DAYS[kind], stable_days=3650), kind, NOW), kind


def test_in_the_publication_season_every_listing_page_is_asked() -> None:
    assert due(entry(9, 1, stable_days=400), "listing", NOW, season=True)
    assert not due(entry(9, 1, stable_days=400), "report", NOW, season=True), "a report page keeps its wait"


def test_the_season_runs_from_the_report_years_december_to_two_months_after_the_deadline() -> None:
    both = ["rule_of_law", "info_disclosure"]
    assert not in_season(both, "county", 2021, date(2021, 11, 30))
    assert in_season(both, "county", 2021, date(2021, 12, 1))
    assert in_season(both, "county", 2021, date(2022, 5, 31)) and not in_season(both, "county", 2021, date(2022, 6, 1))
    # A department's disclosure report is due on 31 January; its rule-of-law report on 31 March.
    assert not in_season(["info_disclosure"], "department", 2021, date(2022, 4, 15))
    assert in_season(["rule_of_law", "info_disclosure"], "department", 2021, date(2022, 4, 15))
    # A township owes no rule-of-law report, but some publish one: in the season of the kind's latest deadline.
    assert in_season(["rule_of_law"], "township", 2021, date(2022, 5, 1))
    assert in_season(["rule_of_law"], "district", 2021, date(2022, 5, 1)), "a district is a county-level unit"


def test_the_record_counts_unchanged_answers_and_keeps_since_when_the_page_is_the_same() -> None:
    first = record(None, unchanged=False, now=NOW)
    assert first == {"unchanged": 0, "checked": NOW.isoformat(), "since": NOW.isoformat()}
    later = NOW + timedelta(days=30)
    same = record(first, unchanged=True, now=later)
    assert same == {"unchanged": 1, "checked": later.isoformat(), "since": NOW.isoformat()}
    assert record(same, unchanged=False, now=later)["unchanged"] == 0
    older = {"unchanged": 3, "checked": NOW.isoformat()}  # written before `since` was recorded
    assert record(older, unchanged=True, now=later)["since"] == NOW.isoformat()


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
