"""Rules of decoding kept as data: thresholds and vocabularies of the evidence `decode.py` weighs, each with
its reason. A rule changes here, not in the decoder; each has a test in tests/unit/extract/test_encodings.py (the
decoder's own checks, on seed and real pages, are in tests/unit/test_decode.py).
"""

from __future__ import annotations

# --- encodings by evidence (decode.py, charsets.py; tests: test_encodings.py) -----------------------------------------
# HZ (RFC 1843) writes GB2312 in 7-bit ASCII between "~{" and "~}": an all-ASCII body holding at least this many
# such runs is decoded as HZ when the result reads as Chinese (plausibility at least HZ_MIN_PLAUSIBILITY), so a
# script that happens to write "~{" stays ASCII.
HZ_MIN_RUNS = 1
HZ_MIN_PLAUSIBILITY = 0.3
# ISO-2022 (RFC 1468 Japanese, RFC 1557 Korean, and ISO-2022-JP-2's GB2312 and KS C 5601 sets) is 7-bit too: an
# all-ASCII body with escape sequences is decoded by the first of these codecs (after a declared ISO-2022 one) that
# reads it strictly and yields non-ASCII text; terminal colour codes ("\x1b[31m") are no ISO-2022 and stay ASCII.
ISO2022_CODECS = ("iso2022_jp_2", "iso2022_kr")
# UTF-16 without a byte-order mark: the ASCII of markup leaves a NUL in every other byte. A first KB whose bytes
# at one parity are NUL at least UTF16_NUL_SHARE of the time and at the other at most UTF16_OTHER_NUL_SHARE, and
# that decodes strictly, is UTF-16 of that byte order (its NULs are text, not the control bytes of a binary body).
UTF16_NUL_SHARE = 0.3
UTF16_OTHER_NUL_SHARE = 0.02
# A detector's Japanese or Korean guess for bytes without a declaration is believed only when the decoded text
# holds that language's own script (kana, Hangul): a short GB2312 text is often guessed as one of them, and its
# Japanese or Korean reading is all Han characters (or half-width katakana, which real pages do not write).
SCRIPT_OF_CODEC = {
    "shift_jis": "kana", "cp932": "kana", "euc_jp": "kana", "iso2022_jp": "kana", "shift_jis_2004": "kana",
    "euc_jis_2004": "kana", "shift_jisx0213": "kana", "euc_jisx0213": "kana",
    "cp949": "hangul", "euc_kr": "hangul", "johab": "hangul", "iso2022_kr": "hangul",
}  # fmt: skip
SCRIPT_PATTERN = {"kana": "[\u3041-\u309f\u30a1-\u30fa]", "hangul": "[\uac00-\ud7a3\u3131-\u318e]"}
SCRIPT_MIN_SHARE = 0.05  # of the CJK-or-script characters: Japanese prose is a third kana or more
# …and any guess but UTF-8, GB18030 and Big5-HKSCS yields when the GB18030 reading is valid and plausible Chinese
# (real Chinese scores 0.6–0.9, Korean or Japanese bytes read as GB about 0.1–0.3) on at least this many characters.
GB_PLAUSIBLE = 0.5
GB_MIN_CHARS = 2
# Characters of written Cantonese that Hong Kong pages use all the time and that Big5 has only through its HKSCS
# extension (or GB only as rare characters): real text when they appear, so Big5-HKSCS bytes read as such are
# plausible, and their GB18030 reading is not. A declared GB charset yields to Big5-HKSCS on fewer characters
# than MIN_CJK_EVIDENCE when the Big5-HKSCS reading holds at least HKSCS_MIN_CHARS of them.
CANTONESE_CHARS = "佢哋喺嘅咗啲冇嘢㗎嚟噉乜睇咁嗰啱嘥攰瞓揾搵諗噃喎囉咩嘞嗱畀俾"
HKSCS_MIN_CHARS = 2
# Mojibake of UTF-8 read as Latin-1/cp1252 ("å\x8f\x91å¸\x83") is repaired run by run, and only when the run comes
# back as plausible Chinese: "Ã©" or "São" in a UTF-8 page are what the page says, not damage.
LATIN1_RUN_MIN_CHARS = 3
