"""One options object for the whole extraction, in trafilatura's manner: slots, keyword-only, defaults here."""

from __future__ import annotations

# Limits on attachments. A county report is 5–40 pages and well under 20 MB; the limits stop a hostile or
# broken file from eating a worker, not real reports.
MAX_BODY_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 500
# Zip containers (DOCX, OFD): refuse archives that expand beyond this in total, or by more than this ratio
# (zip bombs expand 1000×; real DOCX/OFD files compress XML about 5–20×).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_MEMBERS = 10_000
# Below this many characters trafilatura's result is suspect when the page holds more text (a body split
# into many small <p>s in a table layout is where trafilatura gives up early).
MIN_TEXT_CHARS = 200
# Seconds a .doc/.wps conversion through LibreOffice may take.
SOFFICE_TIMEOUT = 120


class Options:
    """Settings for `extract`; build with keywords, e.g. `Options(favor_recall=False)`."""

    __slots__ = (
        "favor_recall",
        "include_tables",
        "max_body_bytes",
        "max_pdf_pages",
        "max_unzipped_bytes",
        "max_zip_members",
        "max_zip_ratio",
        "min_text_chars",
        "soffice_timeout",
        "strip_pinyin",
    )

    def __init__(
        self,
        *,
        favor_recall: bool = False,
        include_tables: bool = True,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_pdf_pages: int = MAX_PDF_PAGES,
        max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
        max_zip_members: int = MAX_ZIP_MEMBERS,
        max_zip_ratio: float = MAX_ZIP_RATIO,
        min_text_chars: int = MIN_TEXT_CHARS,
        soffice_timeout: float = SOFFICE_TIMEOUT,
        strip_pinyin: bool = True,
    ) -> None:
        self.favor_recall = favor_recall
        self.include_tables = include_tables
        self.max_body_bytes = max_body_bytes
        self.max_pdf_pages = max_pdf_pages
        self.max_unzipped_bytes = max_unzipped_bytes
        self.max_zip_members = max_zip_members
        self.max_zip_ratio = max_zip_ratio
        self.min_text_chars = min_text_chars
        self.soffice_timeout = soffice_timeout
        self.strip_pinyin = strip_pinyin

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"Options({fields})"
