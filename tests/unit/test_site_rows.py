"""A site's row of a harvest, from its crawl summary and its captures' outcomes (flows.summary.site_row), and the
records as they cross stages: a capture's outcome as the Celery task's JSON, the run summary as `runs/` stores it."""

from __future__ import annotations

import json

from flows.summary import site_row
from nianbao.records import CaptureOutcome, CrawlSummary, RunSummary, SiteRow
from nianbao.sites import Site

SITE = Site(code="gd-panyu", name="广州市番禺区人民政府", division="440113", level="district",
            start_urls=["http://127.0.0.11/"])  # fmt: skip


def test_a_row_counts_what_became_of_each_capture() -> None:
    crawl = CrawlSummary(
        SITE.code, 2021, host="127.0.0.11", pages=9, captures=6, unchanged=1,  # one report page answered 304
        fetch_failed=[{"url": "http://127.0.0.11/a.pdf", "reason": "timeout"}], seconds=2.5,
    )  # fmt: skip
    outcomes = [
        CaptureOutcome("new", "http://127.0.0.11/1.html", figures=True),
        CaptureOutcome("changed", "http://127.0.0.11/2.html"),
        CaptureOutcome("unchanged", "http://127.0.0.11/3.html"),
        CaptureOutcome("wrapper", "http://127.0.0.11/4.html", attachments=["http://127.0.0.11/4.pdf"]),
        CaptureOutcome("failed", "http://127.0.0.11/5.html", "no text extracted"),
        CaptureOutcome("failed", reason="extraction still running after 1800s"),  # a task that never answered
    ]
    row = site_row(SITE, crawl, outcomes)
    # The wrapper is no report of its own; the 304 is one, unchanged.
    assert (row.reports, row.reports_found, row.new, row.changed, row.unchanged, row.stored) == (6, 5, 1, 1, 2, 4)
    assert row.failed == 3 and row.with_figures == 1
    assert [f["reason"] for f in row.failures] == [
        "timeout", "no text extracted", "extraction still running after 1800s"
    ]  # fmt: skip
    assert (row.host, row.pages, row.seconds, row.error, row.blocked) == ("127.0.0.11", 9, 2.5, "", "")


def test_a_site_that_could_not_be_crawled_is_one_failure_on_its_own_host() -> None:
    row = site_row(SITE, CrawlSummary.failed(SITE.code, 2021, "crawl process exited with -9"))
    assert (row.error, row.failed, row.reports, row.pages) == ("crawl process exited with -9", 1, 0, 0)
    assert row.host == SITE.host and not row.refusing


def test_a_captures_outcome_crosses_celery_as_json() -> None:
    outcome = CaptureOutcome(
        "failed", "http://x/1.html", "no text", failure_key="failures/2021/s/c.json", stage="extract"
    )
    assert CaptureOutcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome
    # An answer with fewer keys (a worker of an earlier release) still reads.
    assert CaptureOutcome.from_dict({"status": "new", "url": "http://x/2.html"}).figures is False


def test_the_run_summary_reads_back_as_it_was_stored() -> None:
    row = site_row(SITE, CrawlSummary(SITE.code, 2021, pages=5, captures=1), [CaptureOutcome("new", "http://x/1")])
    summary = RunSummary(run_id="r1", year=2021, kinds=["rule_of_law"], store="/data", sites=[row],
                         manifests={"manifests/rule_of_law/2021.parquet": 1})  # fmt: skip
    stored = json.loads(json.dumps(summary.to_dict(), sort_keys=True))  # as Store.put_json writes it
    assert stored["sites"][0]["site"] == SITE.code and "run_key" not in stored
    assert RunSummary.from_dict(stored) == summary
    # A row stored before `reports` was counted: its reports are the fetched ones.
    old = {k: v for k, v in stored["sites"][0].items() if k not in ("reports", "host", "statuses", "refusing")}
    assert SiteRow.from_dict(old).reports == SiteRow.from_dict(old).reports_found == 1
