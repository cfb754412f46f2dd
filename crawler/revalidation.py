"""When a re-run asks again about a page it knows: the revalidation policy, as plain functions of dates.

A harvest runs again and again on the same sites (monthly, or an operator's re-run the same day), and almost
nothing it asks has changed: a report, once published, stays as it is; a report column changes when something is
posted in it. A conditional request costs the server little, but it is still a request at the host's politeness
delay. So a page the state knows well is not asked at every run:

- **Trust is earned by being seen the same.** A report page or attachment seen twice the same (its fetch and one
  "unchanged" answer: a 304, or the same bytes) waits; a listing page only once seen the same three times (its
  fetch and two "unchanged" answers: `UNCHANGED_TRUSTED`), because a listing is where new reports appear. Until
  then it is asked at every run, so a change soon after a fetch is seen at the next run.
- **The wait grows with how long the page has stayed the same** (`interval`): the time from when its current bytes
  were first seen (`since`) to its last check, at least REVALIDATE_AFTER, at most its kind's maximum age
  (MAX_AGE_DAYS). A page that stayed the same for a year is likely to stay so for a while; one that changed last
  week is not. Measured in time, not in runs, the rule gives the same waits whatever the schedule: back-to-back
  re-runs wait a week, a monthly harvest asks a long-unchanged page about once a quarter. A page asked within
  DUE_SLACK of the end of its wait is asked now: a scheduled harvest reaches a site hours earlier or later than
  it did a period before, and should not leave the page for a whole further period.
- **Nothing waits longer than its kind's maximum age**: a changed report is seen within 90 days, a new report on a
  listing page within 90 days, an attachment within 180. `--force` asks everything.
- **In the publication season, listing pages are always asked** (`in_season`): from the report year's December to
  two months after the deadline of the crawl's kinds at the site's level (nianbao.reports.publication_season, from
  kinds.yaml's `due`), new reports appear, and a listing page is where they do.

What the state records (crawler.site, after each answer): `unchanged` (answers "unchanged" in a row), `checked`
(when last asked) and `since` (since when its bytes are the same): `record`. A listing page that is not due is
walked on from the state as if it had answered 304 (crawler.site): its column ends there, the columns it leads to
are asked by their own rule. A robots.txt is kept a day (RFC 9309: 24 hours) in its state entry: `fresh_robots`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nianbao.reports import load_kinds, publication_season

# Kinds of pages: "report" (a report's detail page), "attachment" (its PDF, DOCX …), "listing" (a listing page,
# home page, record set).
UNCHANGED_TRUSTED = {"report": 1, "attachment": 1, "listing": 2}  # answers "unchanged" in a row before any wait
REVALIDATE_AFTER = timedelta(days=7)  # the shortest wait of a trusted page
DUE_SLACK = timedelta(days=1)  # a page due within this long is asked now
# The longest wait, per kind of page: a changed report, or a new one on an unchanged-looking listing, is seen
# within 90 days; attachments change even more rarely. A robots.txt is kept a day.
MAX_AGE_DAYS = {"report": 90.0, "attachment": 180.0, "listing": 90.0, "robots": 1.0}


def interval(entry: dict[str, Any], kind: str) -> timedelta:
    """How long a page (`kind`) whose state entry is `entry` is trusted from its last check without asking."""
    if int(entry.get("unchanged", 0)) < UNCHANGED_TRUSTED[kind] or not entry.get("checked"):
        return timedelta(0)
    checked = datetime.fromisoformat(entry["checked"])
    stable = checked - datetime.fromisoformat(entry.get("since") or entry["checked"])
    return min(max(stable, REVALIDATE_AFTER), timedelta(days=MAX_AGE_DAYS[kind]))


def due(entry: dict[str, Any], kind: str, now: datetime, *, season: bool = False) -> bool:
    """Whether a known page (`kind`) is asked about in a crawl at `now`; a listing page always in the `season`."""
    if kind == "listing" and season:
        return True
    wait = interval(entry, kind)
    return not wait or now + DUE_SLACK >= datetime.fromisoformat(entry["checked"]) + wait


def in_season(kinds: Iterable[str], level: str, year: int, today: date) -> bool:
    """Whether `today` is in the publication season of any of the crawl's kinds of report on `year` at `level`."""
    known = load_kinds()
    for code in kinds:
        opens, closes = publication_season(known[code], level, year)
        if opens <= today.isoformat() <= closes:
            return True
    return False


def record(entry: dict[str, Any] | None, *, unchanged: bool, now: datetime) -> dict[str, Any]:
    """The state's revalidation fields of a page just asked about at `now` (a page first fetched: `unchanged` False)."""
    at = now.isoformat(timespec="seconds")
    if not unchanged or not entry:
        return {"unchanged": 0, "checked": at, "since": at}
    since = entry.get("since") or entry.get("checked") or at  # an entry older than `since`: at least since its check
    return {"unchanged": int(entry.get("unchanged", 0)) + 1, "checked": at, "since": since}


def fresh_robots(entry: dict[str, Any] | None, now: datetime | None = None) -> str | None:
    """The robots.txt kept in a state entry, while it is younger than its maximum age; else None."""
    if not entry or entry.get("robots") is None or not entry.get("checked"):
        return None
    age = (now or datetime.now(UTC)) - datetime.fromisoformat(entry["checked"])
    return str(entry["robots"]) if age < timedelta(days=MAX_AGE_DAYS["robots"]) else None
