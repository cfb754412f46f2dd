"""Bytes → text for Chinese government pages, whose declared charsets are often wrong.

The order is BOM, HTTP header charset, in-document declaration (`<meta charset>`, `http-equiv`, XML
declaration), then detection — but every declaration is checked against the bytes, because portals routinely
declare gb2312 and serve UTF-8 (or the reverse). Codecs are never tried "until one raises no error": Big5 bytes
decode as GB18030 without error into the wrong text, so the choice between candidates is made by how plausible
each result is as Chinese text (`charsets.plausibility`). Declared GB2312/GBK is decoded as GB18030 (its
superset, which real pages need for the characters GB2312 lacks) and Big5 as Big5-HKSCS for the same reason.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from nianbao import encoding_rules as rules
from nianbao.charsets import plausibility
from nianbao.errors import DecodeError

logger = logging.getLogger(__name__)

# Declarations are looked for in the first bytes only, as browsers do (the HTML standard prescans 1024 bytes;
# portals put long comment blocks and scripts first, so allow more).
DECLARATION_WINDOW = 4096
# A body with this share of NUL or other control bytes in its first KB is binary, not a text page.
BINARY_SAMPLE = 1024
BINARY_CONTROL_SHARE = 0.10
# A candidate encoding must beat the declared one by this much plausibility to override it: small differences
# are noise between two good decodings (a page mixing Simplified and Traditional), not a wrong declaration.
OVERRIDE_MARGIN = 0.25
# Below this many CJK characters plausibility says nothing; trust the declaration or the detector.
MIN_CJK_EVIDENCE = 20
# Plausibility is judged on a prefix: 64K characters are plenty of evidence and keep large pages fast.
PLAUSIBILITY_SAMPLE = 65536
# UTF-8 with this few invalid sequences per CJK character is UTF-8 with a stray byte, not another encoding.
UTF8_STRAY_SHARE = 0.01

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an OLE2 document (.doc/.xls/.wps)"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
# Control bytes no text page holds (NUL and the like; not TAB, LF, CR, FF, VT, nor ESC: ISO-2022 text uses it).
_CONTROL_BYTES = bytes(b for b in range(0x20) if b < 0x09 or (0x0E <= b and b != 0x1B))
# ISO-2022-KR designates its Korean set once (ESC $ ) C), then shifts in and out of it with SO and SI: text there.
_ISO2022_KR_DESIGNATION = b"\x1b$)C"
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]{0,400}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([\w.:-]+)", re.I)
# lxml refuses decoded text that still carries an XML encoding declaration (XHTML pages, dataproxy answers).
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Labels whose pages are decoded with the superset codec (GB18030 ⊃ GBK ⊃ GB2312, Big5-HKSCS ⊃ Big5).
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
}
_CJK_CANDIDATES = ("utf-8", "gb18030", "big5hkscs")


@dataclass
class Decoded:
    """Decoded text and how it was obtained; `declared` is the label as the page or header gave it."""

    text: str
    encoding: str
    confidence: float
    repairs: list[str] = field(default_factory=list)
    declared: str | None = None


def normalise_label(label: str | None) -> str | None:
    """The Python codec for a charset label, widened to its superset; None for an unknown label."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-gbk", "x-gb2312", "cp936", "ms936", "windows-936", "gb_2312-80", "euc-cn", "csgb2312"):
        label = "gbk"
    if label in ("x-big5", "cp950", "ms950", "big5-hkscs", "csbig5"):
        label = "big5"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name.replace("_", ""), name)


def declared_charset(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(label, where): the HTTP header's charset, else the document's own declaration, else (None, None)."""
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        return m.group(1), "header"
    head = body[:DECLARATION_WINDOW]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        if found := pattern.search(head):
            return found.group(1).decode("ascii", "replace"), "document"
    return None, None


def _check_text(body: bytes) -> None:
    """Refuse bodies that are plainly not text, naming what they look like."""
    for magic, what in _MAGIC:
        if body.startswith(magic):
            raise DecodeError(f"not a text document: the body is {what}")
    sample = body[:BINARY_SAMPLE]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C: every page is checked
    if _ISO2022_KR_DESIGNATION in sample:
        controls -= sample.count(b"\x0e") + sample.count(b"\x0f")
    if sample and controls / len(sample) > BINARY_CONTROL_SHARE:
        raise DecodeError(f"not a text document: {controls} of the first {len(sample)} bytes are control bytes")


def _decode_as(body: bytes, encoding: str) -> tuple[str, int]:
    """Decode with replacement, returning the text and how many invalid sequences were replaced."""
    text = body.decode(encoding, errors="replace")
    # U+FFFD already present in the bytes (encoded in this codec) is content, not a decoding error.
    try:
        present = body.count("\ufffd".encode(encoding))
    except UnicodeError:
        present = 0
    return text, text.count("\ufffd") - present


def _detect(body: bytes) -> tuple[str | None, float]:
    """charset-normalizer's best guess and its confidence (1 − chaos), or (None, 0)."""
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is None:
        return None, 0.0
    return normalise_label(best.encoding), max(0.0, 1.0 - float(best.chaos))


def _choose_cjk(body: bytes, preferred: str | None, *, guessed: bool = False) -> tuple[str, str, float]:
    """Among UTF-8, GB18030 and Big5-HKSCS (and `preferred`), the decoding most plausible as Chinese text.

    Returns (encoding, text, score). `preferred` (the declared or detected codec) wins unless another beats it by
    OVERRIDE_MARGIN, so a clean but unusual page keeps its declared codec. It also wins when no reading is plausible
    Chinese (rules.GB_PLAUSIBLE) and it is the detector's guess for undeclared bytes (Russian in KOI8-R, Thai: their
    letters read as GB18030 pairs are Han characters, however implausible), or a Japanese or Korean codec whose
    reading holds its script. A declared single-byte codec still yields: portals declare ISO-8859-1 over GBK.
    """
    results: dict[str, tuple[str, float]] = {}
    for encoding in dict.fromkeys([*([preferred] if preferred else []), *_CJK_CANDIDATES]):
        text, _ = _decode_as(body, encoding)
        score, _cjk = plausibility(text[:PLAUSIBILITY_SAMPLE])
        results[encoding] = (text, score)
    best = max(results, key=lambda e: results[e][1])
    if preferred and (results[best][1] - results[preferred][1] < OVERRIDE_MARGIN or _kept(results, preferred, guessed)):
        best = preferred
    return best, results[best][0], results[best][1]


# A run of at least this many UTF-8-encoded CJK characters (or CJK punctuation) inside a GBK/Big5 page is taken
# for a pasted UTF-8 fragment when it reads better as UTF-8 than in the page's codec.
MIN_UTF8_FRAGMENT_CHARS = 4
_UTF8_CJK_RUN = re.compile(
    rb"(?:[\xe4-\xe9][\x80-\xbf]{2}|\xef\xbc[\x80-\xbf]|\xe3\x80[\x80-\xbf])" + rb"{%d,}" % MIN_UTF8_FRAGMENT_CHARS
)


def _decode_utf8_fragments(body: bytes, encoding: str, text: str) -> tuple[str, int]:
    """Decode a GBK/Big5 page whose CMS pasted UTF-8 bytes into it: such runs as UTF-8, the rest as `encoding`.

    Done on the bytes, because once decoded with the page's codec the fragment has lost bytes to U+FFFD.
    """
    pieces: list[str] = []
    last = fragments = 0
    for m in _UTF8_CJK_RUN.finditer(body):
        as_utf8 = m.group(0).decode("utf-8")
        as_page = m.group(0).decode(encoding, errors="replace")
        if plausibility(as_utf8)[0] - plausibility(as_page)[0] < MOJIBAKE_GAIN:
            continue
        pieces += [body[last : m.start()].decode(encoding, errors="replace"), as_utf8]
        last = m.end()
        fragments += 1
    if not fragments:
        return text, 0
    pieces.append(body[last:].decode(encoding, errors="replace"))
    return "".join(pieces), fragments


_HZ_RUN = re.compile(rb"~\{[\x21-\x7e]+~\}")


def _as_hz(body: bytes) -> str | None:
    """The text of an all-ASCII body written in HZ (GB2312 between "~{" and "~}"), or None when it is not HZ: no
    such run, a run HZ cannot decode, or a result that does not read as Chinese."""
    if len(_HZ_RUN.findall(body)) < rules.HZ_MIN_RUNS:
        return None
    try:
        text = body.decode("hz")
    except UnicodeDecodeError:
        return None
    score, cjk = plausibility(text[:PLAUSIBILITY_SAMPLE])
    return text if cjk and score >= rules.HZ_MIN_PLAUSIBILITY else None


def _as_iso2022(body: bytes, declared: str | None) -> tuple[str, str] | None:
    """(codec, text) of an all-ASCII body written in ISO-2022 (rules.ISO2022_CODECS), or None."""
    if b"\x1b" not in body:
        return None
    first = [declared] if declared and declared.startswith("iso2022") else []
    for codec in dict.fromkeys([*first, *rules.ISO2022_CODECS]):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if not text.isascii():
            return codec, text
    return None


def _utf16_without_bom(body: bytes) -> str | None:
    """The UTF-16 codec of bytes written in UTF-16 without a byte-order mark (rules.UTF16_*), else None."""
    sample = body[: BINARY_SAMPLE - BINARY_SAMPLE % 2]
    even, odd = sample[0::2], sample[1::2]
    for nuls, others, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        most = len(nuls) > 0 and nuls.count(0) >= rules.UTF16_NUL_SHARE * len(nuls)
        if not most or others.count(0) > rules.UTF16_OTHER_NUL_SHARE * len(others):
            continue
        try:  # a character cut at the sample's end is forgiven, nothing else
            sample[:-2].decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return None


def _script_share(text: str, script: str) -> bool:
    """Whether the text holds the script (kana, Hangul) at rules.SCRIPT_MIN_SHARE of its script-or-Han characters."""
    shown = len(re.findall(rules.SCRIPT_PATTERN[script], text))
    han = len(re.findall("[\u4e00-\u9fff]", text))
    return shown > 0 and shown >= rules.SCRIPT_MIN_SHARE * (shown + han)


def _detector_believed(body: bytes, encoding: str) -> bool:
    """Whether to believe a detector's guess for undeclared bytes. A guess other than UTF-8, GB18030 and Big5-HKSCS
    (a short GB2312 text is often guessed Korean or Japanese) yields when the bytes read as plausible Chinese in
    GB18030 without kana (EUC-JP's kana sit where GB2312's do), and a Japanese or Korean guess needs that language's
    own script in its reading (rules.SCRIPT_*)."""
    if encoding in _CJK_CANDIDATES:
        return True
    try:
        gb = body.decode("gb18030")[:PLAUSIBILITY_SAMPLE]
        score, cjk = plausibility(gb)
    except UnicodeDecodeError:
        gb, score, cjk = "", 0.0, 0
    if cjk >= rules.GB_MIN_CHARS and score >= rules.GB_PLAUSIBLE and not _script_share(gb, "kana"):
        return False
    script = rules.SCRIPT_OF_CODEC.get(encoding.replace("-", "_"))
    return script is None or _script_share(body.decode(encoding, errors="replace")[:PLAUSIBILITY_SAMPLE], script)


def _kept(readings: dict[str, tuple[str, float]], encoding: str, guessed: bool) -> bool:
    """Whether a codec other than the Chinese ones keeps bytes none of whose readings (`readings`: codec → text,
    plausibility) is plausible Chinese: the detector's guess for undeclared bytes, or a Japanese or Korean codec
    whose reading holds its script (kana, Hangul: Korean text, with few or no Han characters, scores nothing as
    Chinese, and the Big5 reading of its bytes would win)."""
    if encoding in _CJK_CANDIDATES or max(score for _, score in readings.values()) >= rules.GB_PLAUSIBLE:
        return False
    script = rules.SCRIPT_OF_CODEC.get(encoding.replace("-", "_"))
    return guessed or (script is not None and _script_share(readings[encoding][0][:PLAUSIBILITY_SAMPLE], script))


def _cantonese_big5(body: bytes) -> str | None:
    """The Big5-HKSCS reading of bytes read as GB18030 when it holds written Cantonese (rules.CANTONESE_CHARS, most
    of them Big5 has only through HKSCS) and the GB18030 reading holds none: the evidence a short page lacks."""
    try:
        text = body.decode("big5hkscs")
    except UnicodeDecodeError:
        return None
    marks = frozenset(rules.CANTONESE_CHARS)
    if sum(map(marks.__contains__, text)) < rules.HKSCS_MIN_CHARS:
        return None
    if any(map(marks.__contains__, body.decode("gb18030", errors="replace"))):
        return None
    return text


def _stray_utf8_errors(utf8_text: str, errors: int) -> bool:
    """UTF-8 text with a few invalid bytes (a truncated character, one pasted GBK byte), not another codec."""
    _, cjk = plausibility(utf8_text[:PLAUSIBILITY_SAMPLE])
    return bool(cjk) and errors / cjk < UTF8_STRAY_SHARE


def decode(body: bytes, *, content_type: str | None = None) -> Decoded:
    """Decode a page's bytes into text, checking any declared charset against the bytes and repairing mojibake."""
    if not body:
        return Decoded("", "utf-8", 1.0)
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = body.decode(encoding, errors="replace")
            return Decoded(text.lstrip("\ufeff"), encoding.replace("-sig", ""), 1.0)
    if not body.startswith(_MAGIC_PREFIXES) and (utf16 := _utf16_without_bom(body)):
        label = declared_charset(body, content_type)[0]  # only a header's: the document's is not ASCII
        return Decoded(body.decode(utf16, errors="replace"), utf16, 0.99, declared=label)
    _check_text(body)

    label, _where = declared_charset(body, content_type)
    declared = normalise_label(label)
    repairs: list[str] = []
    if label and declared is None:
        repairs.append(f"unknown charset label {label!r}, detected instead")

    utf8_text, utf8_errors = _decode_as(body, "utf-8")
    is_ascii = body.isascii()

    if is_ascii and (hz := _as_hz(body)) is not None:
        encoding, text, confidence = "hz", hz, 1.0
    elif is_ascii and (iso2022 := _as_iso2022(body, declared)) is not None:
        (encoding, text), confidence = iso2022, 1.0
    elif is_ascii:
        encoding, text, confidence = declared or "utf-8", body.decode("ascii"), 1.0
    elif utf8_errors == 0 or _stray_utf8_errors(utf8_text, utf8_errors):
        # Valid UTF-8 with non-ASCII content is almost never anything else: GBK and Big5 text breaks UTF-8's
        # strict continuation-byte rules within a few characters.
        encoding, text, confidence = "utf-8", utf8_text, 0.99
        if utf8_errors:
            repairs.append(f"replaced {utf8_errors} invalid utf-8 sequences")
    else:
        preferred = declared if declared and declared != "utf-8" else None
        guessed = preferred is None
        if guessed:
            detected, _ = _detect(body)
            preferred = detected if detected and detected != "utf-8" and _detector_believed(body, detected) else None
        encoding, text, score = _choose_cjk(body, preferred, guessed=guessed)
        _, cjk = plausibility(text[:PLAUSIBILITY_SAMPLE])
        if cjk < MIN_CJK_EVIDENCE and preferred:
            encoding, text = preferred, body.decode(preferred, errors="replace")
        if encoding == "gb18030" and (hkscs := _cantonese_big5(body)) is not None:
            encoding, text = "big5hkscs", hkscs
        confidence = round(max(0.0, min(1.0, score)), 3) if cjk >= MIN_CJK_EVIDENCE else 0.5
        text, fragments = _decode_utf8_fragments(body, encoding, text)
        if fragments:
            repairs.append(f"{fragments} utf-8 fragment(s) inside a {encoding} page decoded as utf-8")

    if declared and encoding != declared and not is_ascii:
        repairs.append(f"declared {label.lower() if label else declared}, bytes are {encoding}")

    text, more = repair_mojibake(text)
    repairs.extend(more)
    if repairs:
        logger.debug("decoded as %s with repairs %s", encoding, repairs)
    return Decoded(text=text, encoding=encoding, confidence=confidence, repairs=repairs, declared=label)


# Mojibake: UTF-8 bytes that were decoded as GBK (or Latin-1) somewhere upstream and re-encoded, so the text we
# decoded correctly still reads "鍙戝竷鏃堕棿" (or "å\x8f\x91å¸\x83"). Runs of such characters are re-encoded with
# the wrong codec and decoded as UTF-8; a run is replaced only when the result is more plausible Chinese.
_GBK_MOJIBAKE_RUN = re.compile(
    r"[\u4e00-\u9fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\uff00-\uffef\ue000-\uf8ff\ufffd\u2014-\u201d]{2,}"
)
# A run of characters that UTF-8 bytes read as Latin-1 or cp1252 become: a lead byte (Ã, å, è …) and continuation
# bytes (C1 controls, or the cp1252 punctuation and letters those bytes map to).
_LATIN1_MOJIBAKE_RUN = re.compile(
    "(?:[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u0152-\u0192\u02c6-\u02dc\u20ac\u2122\u00a0]+)"
    f"{{{rules.LATIN1_RUN_MIN_CHARS},}}"
)
_CP1252_BYTES = {ch: bytes([b]) for b in range(0x80, 0xA0) if (ch := bytes([b]).decode("cp1252", "ignore"))}


# A repaired run must gain this much plausibility; real text scores near 1, mojibake near 0.
MOJIBAKE_GAIN = 0.3


# Real Chinese text re-encoded as GBK is not UTF-8: decoding it gives replacement characters for most of it. A
# run whose re-decoding has more than this share of them is not mojibake, and is skipped without scoring it.
MOJIBAKE_MAX_REPLACED = 0.2


# Short runs (menu items, labels, titles) come back on every page of a site, and are judged once; a long run (a
# paragraph) is judged where it stands. Bounded: a process decodes many sites' pages.
MEMO_RUN_MAX = 64
_MEMO_SIZE = 4096


def _repair_gbk_match(match: re.Match[str]) -> str:
    run = match.group(0)
    return _repair_short_gbk_run(run) if len(run) <= MEMO_RUN_MAX else _repair_gbk_run(run)


@lru_cache(maxsize=_MEMO_SIZE)
def _repair_short_gbk_run(run: str) -> str:
    return _repair_gbk_run(run)


def _repair_gbk_run(run: str) -> str:
    # Lossy on purpose: bytes lost upstream stay lost (U+FFFD), the rest of the run comes back readable.
    fixed = "\ufffd".join(
        piece.encode("gb18030", errors="replace").decode("utf-8", errors="replace") for piece in run.split("\ufffd")
    )
    if fixed.count("\ufffd") - run.count("\ufffd") > MOJIBAKE_MAX_REPLACED * len(fixed):
        return run
    before, _ = plausibility(run)
    after, cjk = plausibility(fixed)
    return fixed if cjk and after - before >= MOJIBAKE_GAIN else run


def repair_mojibake(text: str) -> tuple[str, list[str]]:
    """Undo UTF-8-read-as-GBK and UTF-8-read-as-Latin-1 damage inside decoded text; return the repairs made."""
    repairs: list[str] = []
    # Every run is tried (each repair is gated by its own gain), so a garbled title in a clean page is fixed too.
    fixed = _GBK_MOJIBAKE_RUN.sub(_repair_gbk_match, text)
    if fixed != text:
        repairs.append("mojibake: utf-8 read as gbk, repaired")
        text = fixed
    fixed = _LATIN1_MOJIBAKE_RUN.sub(_repair_latin1_run, text)
    if fixed != text:
        repairs.append("mojibake: utf-8 read as latin-1, repaired")
        text = fixed
    return text, repairs


def _repair_latin1_run(match: re.Match[str]) -> str:
    """The run's bytes (Latin-1, cp1252 for its punctuation) decoded as UTF-8, when that is plausible Chinese; else
    the run as it is: "Ã©tÃ©" in a UTF-8 page is what the page says, and only Chinese proves a repair here."""
    run = match.group(0)
    try:
        raw = b"".join(_CP1252_BYTES.get(ch) or ch.encode("latin-1") for ch in run)
        fixed = raw.decode("utf-8")
    except UnicodeError:
        return run
    score, cjk = plausibility(fixed)
    return fixed if cjk and score >= MOJIBAKE_GAIN else run


def without_xml_declaration(text: str) -> str:
    """Decoded text without its XML declaration, which lxml refuses once the text is a str; the one strip the
    crawler (pages, dataproxy answers) and the workers both use."""
    return _XML_DECLARATION.sub("", text, count=1)
