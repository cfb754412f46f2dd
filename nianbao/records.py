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
    fetch_failed: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}, recorded in failures/
    blocked: str | None = None  # a JavaScript challenge stopped the site
    finish_reason: str | None = None  # finished, closespider_pagecount, closespider_timeout, blocked, shutdown
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
