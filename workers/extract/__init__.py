"""Extraction core: bytes of a report page or attachment in, an `Extracted` record out. No I/O.

    extract(body, url=..., content_type=..., options=Options(...)) -> Extracted
    decode(body, content_type=None) -> Decoded

The Celery task loads the capture's body, calls `extract`, and stores the result; everything here can be run
and tested without Celery, storage or the network.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from urllib.parse import urlparse

from nianbao.decode import Decoded, decode
from nianbao.errors import DecodeError, ExtractError
from workers.extract.extracted import Extracted
from workers.extract.options import Options

__all__ = ["DecodeError", "Decoded", "ExtractError", "Extracted", "Options", "decode", "detect_format", "extract"]

logger = logging.getLogger(__name__)

_FORMAT_BY_TYPE = (
    ("application/pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("application/ofd", "ofd"),
    ("application/msword", "doc"),
    ("application/vnd.ms-works", "wps"),
    ("application/kswps", "wps"),
    ("application/wps", "wps"),
)
_FORMAT_BY_SUFFIX = {".pdf": "pdf", ".docx": "docx", ".ofd": "ofd", ".doc": "doc", ".wps": "wps"}
# How much of a zip's central directory to scan for member names when sniffing DOCX/OFD (the directory sits at
# the end; a DOCX names [Content_Types].xml and an OFD names OFD.xml there).
ZIP_SNIFF_BYTES = 65536
# Whether a text is Traditional is judged on its first characters: 5000 are plenty, and OpenCC is slow.
TRADITIONAL_SAMPLE = 5000


def detect_format(body: bytes, url: str = "", content_type: str | None = None) -> str:
    """'html', 'pdf', 'docx', 'ofd', 'doc' or 'wps', by magic bytes first, then content type, then URL suffix.

    Magic bytes win because portals serve attachments as application/octet-stream or text/html.
    """
    if body.startswith(b"%PDF") or body[:1024].lstrip().startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK\x03\x04"):
        names = body[:ZIP_SNIFF_BYTES] + body[-ZIP_SNIFF_BYTES:]
        if b"OFD.xml" in names:
            return "ofd"
        if b"[Content_Types].xml" in names or b"word/" in names:
            return "docx"
    if body.startswith(b"\xd0\xcf\x11\xe0"):
        return "wps" if urlparse(url).path.lower().endswith(".wps") else "doc"
    ctype = (content_type or "").lower()
    for marker, fmt in _FORMAT_BY_TYPE:
        if marker in ctype:
            return fmt
    suffix = re.search(r"\.[a-z]{3,4}$", urlparse(url).path.lower())
    if suffix and suffix.group(0) in _FORMAT_BY_SUFFIX and not body.lstrip()[:1] == b"<":
        return _FORMAT_BY_SUFFIX[suffix.group(0)]
    return "html"


def _finish(record: Extracted, options: Options) -> Extracted:
    """Normalise the text (pinyin out, a Simplified copy of a Traditional text), classify a Traditional title
    through that copy, and flag what was done: a new record, the first reading's left as it was."""
    from nianbao.normalise import is_traditional, strip_pinyin, to_simplified

    text, title, removed, flags = record.text, record.title, 0, list(record.flags)
    if options.strip_pinyin:
        text, removed = strip_pinyin(text)
        title, title_removed = strip_pinyin(title)
        removed += title_removed
    if removed:
        flags.append("pinyin_annotations_removed")
    sample, simplified = text[:TRADITIONAL_SAMPLE], None
    lang = language(sample)
    if lang != "zh":
        flags.append(f"language_{lang}")  # a Japanese or Korean page: no Traditional test, no copy
    # Only a Chinese text with Traditional characters is asked OpenCC, once: to judge the sample and to convert.
    if lang == "zh" and _has_traditional_chars(sample):
        simplified = to_simplified(text)
    # Aligned with the text only when the conversion kept its length (phrase conversions rarely change it).
    aligned = simplified[: len(sample)] if simplified is not None and len(simplified) == len(text) else None
    traditional = simplified is not None and is_traditional(sample, aligned)
    kind, year = record.report_kind, record.report_year
    if traditional:
        flags.append("traditional")
        if kind is None or year is None:
            kind, year = _reclassified(title, simplified or "", record.published, kind, year)
    if len(text) < options.min_text_chars:
        flags.append("text_too_short")
    return replace(
        record,
        text=text,
        title=title,
        report_kind=kind,
        report_year=year,
        flags=tuple(flags),
        pinyin_removed=removed,
        text_simplified=simplified if traditional else None,
    )


def language(text: str) -> str:
    """'ja', 'ko' or 'zh': Japanese or Korean when its own script is rules.LANGUAGE_MIN_SHARE of the text's kana,
    Hangul and Han characters, else Chinese (the default of a Chinese portal, a text without any of them too)."""
    from workers.extract.rules import LANGUAGE_MIN_SHARE, LANGUAGE_SCRIPTS

    han = len(_HAN.findall(text))
    for code, pattern in LANGUAGE_SCRIPTS:
        shown = len(re.findall(pattern, text))
        if shown and shown >= LANGUAGE_MIN_SHARE * (shown + han):
            return code
    return "zh"


_HAN = re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")


# A text whose sample holds fewer than this many common Traditional-only characters is Simplified (or not
# Chinese): OpenCC, which is slow, is asked only about texts that pass this cheap test.
MIN_TRADITIONAL_CHARS = 3


def _has_traditional_chars(text: str) -> bool:
    from nianbao.charsets import traditional_only_chars

    marks = traditional_only_chars()
    return sum(map(marks.__contains__, text)) >= MIN_TRADITIONAL_CHARS


def _reclassified(
    title: str, simplified: str, published: str | None, kind: str | None, year: int | None
) -> tuple[str | None, int | None]:
    """The kinds' title patterns are Simplified: classify a Traditional title through its Simplified copy (what
    the Traditional reading found is kept)."""
    from nianbao.normalise import to_simplified
    from workers.extract.metadata import report_kind_year

    found_kind, found_year = report_kind_year(to_simplified(title), simplified, published)
    return kind or found_kind, year or found_year


def _without_title(text: str, title: str) -> str:
    """The body without the first lines when they repeat the title (a heading may be broken over two lines):
    trafilatura keeps the page's heading on some pages and not on others, and the title is a field of its own.
    A page with nothing else keeps it."""
    from nianbao.normalise import compact
    from workers.extract.rules import TITLE_MAX_LINES

    target, lines, head = compact(title), text.split("\n"), ""
    for i, line in enumerate(lines[:TITLE_MAX_LINES]):
        head += compact(line)
        if not target or not target.startswith(head):
            break
        if head == target:
            rest = "\n".join(lines[i + 1 :]).strip("\n")
            return rest or text
    return text


def _extract_html(body: bytes, url: str, content_type: str | None, options: Options) -> tuple[Extracted, str]:
    """The page's record, and its decoded text (the figures' tables are read from it when it is a report)."""
    from nianbao.normalise import strip_pinyin
    from workers.extract.html import main_text, parse, tree_text
    from workers.extract.metadata import extract_metadata

    decoded = decode(body, content_type=content_type)
    try:
        tree = parse(decoded.text)
    except (ValueError, TypeError) as e:
        raise ExtractError(f"not parseable as HTML: {e}") from e
    result = main_text(tree, options)
    page_text = tree_text(tree)
    # Metadata is read from pinyin-free text so that "發(fā)布時(shí)間" still reads as a 发布时间 label.
    meta = extract_metadata(tree, strip_pinyin(page_text)[0], strip_pinyin(result.text)[0], url)
    return Extracted.of(meta, _without_title(result.text, meta.title), result.extractor, decoded=decoded), decoded.text


def extract(
    body: bytes, *, url: str = "", content_type: str | None = None, options: Options | None = None
) -> Extracted:
    """Extract text and metadata from one captured body (an HTML page, PDF, DOCX, OFD, DOC or WPS).

    Raises ExtractError (DecodeError for undecodable bodies) with a human reason; the caller files it under
    failures/ so it can be re-driven.
    """
    options = options or Options()
    if len(body) > options.max_body_bytes:
        raise ExtractError(f"body of {len(body)} bytes exceeds the limit of {options.max_body_bytes}")
    if not body.strip():
        raise ExtractError("empty body")
    fmt = detect_format(body, url, content_type)
    source: bytes | str = body
    if fmt == "html":
        record, source = _extract_html(body, url, content_type, options)
    else:
        from workers.extract.attachments import extract_attachment

        record, source, fmt = extract_attachment(body, fmt, options)
    record = _finish(record, options)
    if _has_figures(record, fmt):
        from workers.extract.figures import read_figures

        traditional = "traditional" in record.flags
        found = read_figures(
            source, fmt, report_year=record.report_year, traditional=traditional, max_pages=options.max_pdf_pages
        )
        record = replace(
            record,
            figures=found.values,
            figures_format=found.format,
            figures_flags=tuple(found.flags),
            figures_source=found.source(fmt),
        )
    return record


# An attachment whose first lines do not name its kind (the portal's link did) still has the tables when its text
# holds the rows every version of table 三 prints.
_TABLE_MARKERS = ("本年新收", "予以公开")


def _has_figures(record: Extracted, fmt: str) -> bool:
    """Whether to read the statistical tables: information-disclosure reports only (HTML speed elsewhere is kept)."""
    if record.report_kind == "info_disclosure":
        return True
    text = record.text_simplified or record.text
    return fmt in ("pdf", "docx", "ofd") and record.report_kind is None and all(m in text for m in _TABLE_MARKERS)
