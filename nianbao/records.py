"""The records that cross stages (ARCHITECTURE.md, "The records that cross stages").

They are plain dataclasses so that every stage can build them from bytes and JSON without importing another
stage; `to_dict` / `from_dict` are the wire format of Celery messages and stored JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Self


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Capture(_Record):
    """One fetched report candidate (a detail page or an attachment) and where its body lies."""

    site: str
    year: int
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    sha256: str
    content_type: str
    warc_key: str
    warc_offset: int
    warc_length: int = 0  # the response record's length; 0: read from the offset on
    discovered_from: str = ""
    anchor_text: str = ""
    kind: str | None = None
    guessed_year: int | None = None
    listed_date: str | None = None  # the date the listing shows: the portal's publication date
    attachment: bool = False  # an attachment (PDF, DOCX…) of the detail page `discovered_from`
    attachments: list[str] = field(default_factory=list)  # attachment URLs found on this detail page


@dataclass
class Document(_Record):
    """One extracted report. `doc_id` is stable for a canonical URL; `sha256` tells versions apart."""

    doc_id: str
    sha256: str
    site: str
    division: str  # the publisher's own division (nianbao.units.attribute), not always the site's
    kind: str | None
    report_year: int | None
    title: str
    published: str | None
    issuer: str | None
    text: str
    url: str
    text_simplified: str | None = None
    encoding: str | None = None
    confidence: float | None = None
    repairs: list[str] = field(default_factory=list)
    extractor: str = ""
    attachments: list[str] = field(default_factory=list)
    warc_key: str = ""
    warc_offset: int = 0
    fetched_at: str = ""
    on_time: bool | None = None  # by its kind's deadline for its level (nianbao.reports.is_on_time)
    flags: list[str] = field(default_factory=list)
    level: str = ""  # the publisher's level: province, city, county, township, department, national
    # Information-disclosure reports: the statistical tables' cells (workers/extract/figures), by dotted key.
    figures: dict[str, int | float | None] | None = None
    figures_format: str | None = None  # "2019" | "2021": the version of the national format the tables follow
    figures_flags: list[str] = field(default_factory=list)  # failed checks, or why there are no figures
    figures_source: dict[str, Any] | None = None  # {"format": "html"|"pdf"|"docx", "tables": [indexes]}
    # Which finder gave the title, the date and the issuer (workers/extract/metadata.py's *_FINDERS, or
    # "anchor_text" / "listed_date" when the crawler's knowledge won): provenance, not content (a report whose
    # bytes are the same is unchanged whatever these say).
    title_by: str | None = None
    published_by: str | None = None
    issuer_by: str | None = None


@dataclass
class CrawlSummary(_Record):
    """What one site's crawl hands to the flow (one JSON line of `python -m crawler.crawl` each): counts, the
    capture tasks to wait for, the fetch failures it recorded, and `error` when the site could not be crawled."""

    site: str
    year: int
    error: str | None = None
    crawl_id: str = ""
    warc_key: str = ""
    host: str = ""
    pages: int = 0  # responses received (robots.txt and retries included)
    requests: int = 0  # requests sent
    response_bytes: int = 0
    captures: int = 0
    task_ids: list[str] = field(default_factory=list)
    # The capture of each task (task_ids' order), for the flow to send again a task that Redis lost (workers.queue)
    dispatched: list[dict[str, Any]] = field(default_factory=list)
    fetch_failed: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}, recorded in failures/
    blocked: str | None = None  # a JavaScript challenge stopped the site
    # finished, closespider_pagecount, closespider_timeout, blocked, robots_unreachable, shutdown
    finish_reason: str | None = None
    robots_forbidden: int = 0
    unchanged: int = 0  # not modified, or the same bytes as the state holds
    not_modified: int = 0
    conditional: int = 0  # conditional requests sent
    # Requests not sent because the state holds what they would learn, by reason (crawler.revalidation):
    # report_not_due, attachment_not_due, listing_not_due (walked on from the state), robots_kept (a day)
    skipped: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # by reason: offsite, query_variants, site_closed …
    statuses: dict[str, int] = field(default_factory=dict)  # 2xx, 3xx, 4xx, 5xx, timeouts, download_errors
    throttled: int = 0  # 429/503 answers that slowed the host down
    refused_by_host: int = 0  # requests the host still refused (429/503) after the waits and retries
    force: bool = False
    seconds: float = 0.0

    @classmethod
    def failed(cls, site: str, year: int, error: str) -> CrawlSummary:
        """The summary of a site whose crawl could not run or finish: the flow shows it as the site's error."""
        return cls(site=site, year=year, error=error)


@dataclass
class CaptureOutcome(_Record):
    """What became of one capture: the `extract` task's answer (JSON over Celery), which the flow counts into the
    site's row. A failure is also what `storage.failures.record_failure` returns, for a capture that could not be
    extracted or, at the crawl, a page that could not be fetched (`stage` "fetch")."""

    status: str  # new, changed, unchanged (the Document stored), wrapper (a page around attachments), failed
    url: str = ""  # the capture's; empty when the task never answered (a timeout, a crash)
    reason: str = ""  # why it failed
    doc_id: str | None = None
    kind: str | None = None
    year: int | None = None
    figures: bool = False  # an information-disclosure report whose tables were read
    attachments: list[str] = field(default_factory=list)  # a wrapper's: they are the documents
    failure_key: str = ""  # the failure record in failures/, re-drivable
    stage: str = ""  # a failure's stage: fetch or extract


@dataclass
class SiteRow(_Record):
    """One site's line of a harvest (built by flows.summary.site_row from its crawl summary and its captures'
    outcomes): the run summary's rows, a spread harvest's batch files, the artifacts, the CLI's table and the
    crawl outcomes coverage reads. The fields in the order an operator reads them.

    `reports` counts every report page the run met: those fetched and extracted, and those the site's state let it
    skip (a 304, or the same bytes: `unchanged` at the crawl). `reports_found` are the fetched ones only, the
    captures sent to extraction.
    """

    site: str
    name: str = ""
    level: str = ""
    reports: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0  # not modified or the same bytes at the crawl, or the same document at extraction
    failed: int = 0  # pages not fetched, captures not extracted, and 1 for a site that could not be crawled
    blocked: str = ""  # the JavaScript challenge that stopped the crawl
    error: str = ""  # why the site could not be crawled
    stored: int = 0  # new + changed + unchanged
    with_figures: int = 0  # information-disclosure reports whose tables were read
    pages: int = 0
    reports_found: int = 0
    seconds: float = 0.0
    host: str = ""
    statuses: dict[str, int] = field(default_factory=dict)  # what the host answered: 2xx … 5xx, timeouts
    robots_forbidden: int = 0
    throttled: int = 0
    refusing: bool = False  # the host still refused (429/503) after the waits and retries
    failures: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}: fetch, then extraction

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        # Rows stored before `reports` was counted have only the fetched ones.
        return super().from_dict({"reports": data.get("reports_found", 0), **data})


@dataclass
class RunSummary(_Record):
    """What one harvest did (`runs/{run_id}.json`): its parameters, a row per site, what each host answered, and
    the tables it wrote. The flow returns it; the CLI prints it; `nianbao status` and the dataset site read it."""

    run_id: str
    year: int
    kinds: list[str] = field(default_factory=list)
    store: str = ""
    registry: str = ""
    finished_at: str = ""  # when the sites were done, before the tables were written
    sites: list[SiteRow] = field(default_factory=list)
    hosts: list[dict[str, Any]] = field(default_factory=list)  # per host (flows.summary.host_rows)
    refusing_hosts: list[str] = field(default_factory=list)
    manifests: dict[str, int] = field(default_factory=dict)  # key → rows, with the figures table's
    figures: dict[str, Any] | None = None  # national totals and failed checks (storage.figures.national_summary)
    coverage: dict[str, dict[str, Any]] = field(default_factory=dict)  # per kind: key, status counts, rates

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return super().from_dict({**data, "sites": [SiteRow.from_dict(row) for row in data.get("sites", [])]})
