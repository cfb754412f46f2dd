"""From a Capture to a stored Document or a recorded failure: the work of one `extract` task.

Idempotent by design: the document key depends only on the canonical URL (doc_id), and a body whose sha256 is
already stored changes nothing, so a task redelivered by Redis or retried after a crash writes nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO
from typing import Any

from nianbao.records import Capture, CaptureOutcome, Document
from nianbao.reports import is_on_time, load_kinds
from nianbao.units import attribute
from nianbao.urls import canonical_url
from storage import layout
from storage.failures import record_failure
from storage.store import Store
from storage.warc import read_response
from workers.extract import Extracted, ExtractError, extract

log = logging.getLogger(__name__)

# A detail page whose own text is shorter than this and which links attachments is only a wrapper around them:
# the attachments become the documents.
MIN_WRAPPER_TEXT = 200


def doc_id_for(url: str) -> str:
    """Stable for a report: the same canonical URL as the crawler's state keys (nianbao.urls)."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:20]


def build_document(capture: Capture, found: Extracted, division: str, level: str = "") -> Document:
    """Merge what the extractor found with what the crawler knew (anchor text, kind and year guesses), give the
    report to its own unit (a district's report in its city's column is the district's) and judge it on time
    against that unit's deadline: the one place a Document's `on_time` is decided."""
    kinds = load_kinds()
    kind = found.report_kind or capture.kind
    year = found.report_year or capture.guessed_year
    title, title_by = found.title, found.title_by
    published, published_by = found.published, found.published_by
    if (capture.attachment or not title) and capture.anchor_text:
        title, title_by = capture.anchor_text, "anchor_text"
    if (capture.attachment or not published) and capture.listed_date:
        # An attachment's own dates are signature dates; the portal published it on the listed date.
        published, published_by = capture.listed_date, "listed_date"
    unit = attribute(title, found.issuer, division, level, year) if division else None
    flags = [*found.flags, *([unit.note] if unit and unit.note else [])]
    level = unit.level if unit else level
    return Document(
        doc_id=doc_id_for(capture.url),
        sha256=capture.sha256,
        site=capture.site,
        division=unit.division if unit else division,
        level=level,
        kind=kind,
        report_year=year,
        title=title,
        published=published,
        issuer=found.issuer,
        text=found.text,
        text_simplified=found.text_simplified,
        url=capture.url,
        encoding=found.encoding,
        confidence=found.confidence,
        repairs=list(found.repairs),
        extractor=found.extractor,
        attachments=list(capture.attachments),
        warc_key=capture.warc_key,
        warc_offset=capture.warc_offset,
        fetched_at=capture.fetched_at,
        on_time=is_on_time(kinds[kind], level, year, published) if kind in kinds else None,
        flags=flags,
        title_by=title_by,
        published_by=published_by,
        issuer_by=found.issuer_by,
        **_figures(kind, found),
    )


def _figures(kind: str | None, found: Extracted) -> dict[str, Any]:
    """The figure fields of an information-disclosure report (an attachment may learn its kind only here)."""
    if kind != "info_disclosure":
        return {}
    return {
        "figures": found.figures,
        "figures_format": found.figures_format,
        "figures_flags": list(found.figures_flags),
        "figures_source": found.figures_source,
    }


def store_document(store: Store, document: Document) -> str:
    """Write the document; keep an earlier version aside when the report changed. Returns new|changed|unchanged."""
    kind = document.kind or "unknown"
    year = document.report_year or "unknown"
    key = layout.doc(kind, year, document.site, document.doc_id)
    if store.exists(key):
        previous = store.get_json(key)
        if previous.get("sha256") == document.sha256:
            return "unchanged"
        history = layout.doc_version(kind, year, document.site, document.doc_id, previous.get("sha256", "0"))
        store.put_json(history, previous)
        store.put_json(key, document.to_dict())
        return "changed"
    store.put_json(key, document.to_dict())
    return "new"


def process_capture(store: Store, capture: Capture, division: str = "", level: str = "") -> CaptureOutcome:
    """Load the capture's body from its WARC record, extract it, store the Document or the failure."""

    def failed(reason: str) -> CaptureOutcome:
        return record_failure(store, capture, reason, "extract", division, level)

    try:
        if capture.warc_length:
            end = capture.warc_offset + capture.warc_length
            record = store.get_range(capture.warc_key, capture.warc_offset, end)
            _headers, body = read_response(BytesIO(record), 0)
        else:
            with store.open(capture.warc_key) as stream:
                _headers, body = read_response(stream, capture.warc_offset)
    except (FileNotFoundError, ValueError) as e:
        # Missing or corrupt for good; any other OSError (a store answering 500) propagates and is retried.
        return failed(f"cannot read the capture from {capture.warc_key}: {e}")
    try:
        found = extract(body, url=capture.final_url or capture.url, content_type=capture.content_type or None)
    except ExtractError as e:
        return failed(str(e))
    document = build_document(capture, found, division, level)
    if not capture.attachment and capture.attachments and len(document.text) < MIN_WRAPPER_TEXT:
        return CaptureOutcome("wrapper", capture.url, attachments=capture.attachments)
    if not document.text.strip():
        return failed(f"no text extracted (flags: {', '.join(document.flags) or 'none'})")
    if document.kind is None or document.kind not in load_kinds():
        return failed("not recognised as a report of any configured kind")
    status = store_document(store, document)
    return CaptureOutcome(
        status, capture.url, doc_id=document.doc_id, kind=document.kind, year=document.report_year,
        figures=document.figures is not None,
    )  # fmt: skip
