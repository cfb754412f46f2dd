"""The extraction's result: one frozen record per body, which `workers.documents.build_document` turns into a Document.

Frozen because the steps after the first reading (normalisation, the figures) return a new record with
`dataclasses.replace` instead of changing the one they were given; it stays inside the workers (the Document, in
nianbao.records, is what crosses to storage), so it lives here and not among the kernel's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the record is imported with the package; the metadata finders (lxml) only when extracting
    from nianbao.decode import Decoded
    from workers.extract.metadata import Metadata


@dataclass(frozen=True, kw_only=True)
class Extracted:
    """Text and metadata of one page or attachment, with how each was obtained.

    The fields keep the order `nianbao extract` prints them in: what the page says, which finder said it, how its
    bytes were decoded, then what normalisation and the statistical tables added.
    """

    title: str
    text: str
    published: str | None
    issuer: str | None
    report_kind: str | None
    report_year: int | None
    # Which finder gave the title, the date and the issuer (workers/extract/metadata.py's *_FINDERS); None: none did.
    title_by: str | None = None
    published_by: str | None = None
    issuer_by: str | None = None
    # How the bytes became text (nianbao.decode); None for attachments, whose readers decode them.
    encoding: str | None = None
    confidence: float | None = None
    repairs: tuple[str, ...] = ()
    extractor: str  # "trafilatura" or "container" for a page, "pdf", "docx" or "ofd" for an attachment
    flags: tuple[str, ...] = ()
    pinyin_removed: int = 0  # pinyin annotations ("鎮(zhèn)") taken out of the text and title
    text_simplified: str | None = None  # a Simplified copy of a Traditional text
    # Information-disclosure reports: the statistical tables (workers/extract/figures); None and () when not read.
    figures: dict[str, int | float | None] | None = None
    figures_format: str | None = None
    figures_flags: tuple[str, ...] = ()
    figures_source: dict[str, Any] | None = None

    @classmethod
    def of(
        cls, meta: Metadata, text: str, extractor: str, *, decoded: Decoded | None = None, flags: tuple[str, ...] = ()
    ) -> Extracted:
        """The first reading of a body: its metadata, its text and, for a page, how its bytes were decoded."""
        return cls(
            title=meta.title,
            text=text,
            published=meta.published,
            issuer=meta.issuer,
            report_kind=meta.report_kind,
            report_year=meta.report_year,
            title_by=meta.title_by,
            published_by=meta.published_by,
            issuer_by=meta.issuer_by,
            encoding=decoded.encoding if decoded else None,
            confidence=decoded.confidence if decoded else None,
            repairs=tuple(decoded.repairs) if decoded else (),
            extractor=extractor,
            flags=flags,
        )
