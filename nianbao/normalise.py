"""Text normalisation: inline pinyin annotations out, a Simplified copy of Traditional text, dates in digits.

Shared by the crawler (classifying link titles) and the workers (document text).

Some portals (and the `/gate/big5/` gateways) run pages through converters that annotate characters with their
reading, "石鼓鎮(zhèn)" or "建設（shè）", which breaks every phrase search. Real parentheses ("(一)",
"(2021—2025年)", "村(社区)") are kept: an annotation is one toned pinyin syllable right after a CJK character.

Tests: tests/unit/extract/test_pinyin.py (the annotations), tests/unit/extract/test_language.py (Traditional text).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_VOWELS = "aeiouüv" + _TONED
# One pinyin syllable: optional initial, a vowel cluster, optional final n/ng/r. At least one tone mark is
# required below, so plain words in parentheses ("(app)", "(PDF)") never match.
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[{_VOWELS}]{{1,4}}(?:ng|n|r)?"
_ANNOTATION = re.compile(rf"(?<=[\u4e00-\u9fff\u3400-\u4dbf])[(（]\s?({_SYLLABLE})\s?[)）]", re.I)

# Traditional detection: share of CJK characters that the t2s conversion changes. Simplified text changes
# almost none (a few characters shared by both scripts map to variants); Traditional text changes 15–30 %.
TRADITIONAL_MIN_SHARE = 0.05
# Enough characters to judge; a short title with one 發 is not a Traditional document.
TRADITIONAL_MIN_CJK = 20


def is_cjk(ch: str) -> bool:
    """A unified CJK ideograph (the basic block and extension A), the characters Chinese text is made of."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def strip_pinyin(text: str) -> tuple[str, int]:
    """Remove inline pinyin annotations; return the cleaned text and how many were removed."""
    count = 0

    def _drop(match: re.Match[str]) -> str:
        nonlocal count
        if not any(ch in _TONED for ch in match.group(1).lower()):
            return match.group(0)
        count += 1
        return ""

    cleaned = _ANNOTATION.sub(_drop, text)
    return cleaned, count


def compact(text: str | None) -> str:
    """The text without any whitespace (ASCII, non-breaking, ideographic): how titles and labels are compared.

    `str.split()` splits on the characters `\\s` matches, several times faster than a regex: this runs on the
    text of every element of every page the crawler and the workers read.
    """
    return "".join(text.split()) if text else ""


def squash(text: str | None) -> str:
    """The text with each run of whitespace as one space and none at either end."""
    return " ".join(text.split()) if text else ""


@cache
def _converter(config: str) -> Any:
    import opencc  # loads dictionaries on first use

    return opencc.OpenCC(config)


@cache
def _keys(config: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """What a text must hold for the conversion to change it, read from the converter's own dictionaries: one of
    their single-character keys (a Traditional character), or a phrase key made of none of those ("沈默" → "沉默").

    OpenCC replaces only the keys it finds in the text: a text holding none of them comes back as it is.
    """
    dictionaries = [entry[2] for group in _converter(config)._dict_chain_data for entry in group]
    chars = frozenset(key for d in dictionaries for key in d if len(key) == 1)
    phrases = tuple(key for d in dictionaries for key in d if len(key) > 1 and chars.isdisjoint(key))
    return chars, phrases


def to_simplified(text: str) -> str:
    """Simplified copy of a text with OpenCC's phrase-level t2s conversion (常用詞 as well as characters)."""
    # OpenCC is pure Python, and slow: most text (all Simplified text) holds nothing it would convert.
    chars, phrases = _keys("t2s")
    if chars.isdisjoint(text) and not any(phrase in text for phrase in phrases):
        return text
    return str(_converter("t2s").convert(text))


def traditional_share(text: str, simplified: str | None = None) -> float:
    """The share of CJK characters that change under t2s conversion (0 for text without CJK).

    `simplified` is the text's conversion when the caller needs it anyway: OpenCC is the slow part, and a
    Traditional page is converted once, to judge and to keep.
    """
    if simplified is not None and len(simplified) == len(text):
        pairs = [(a, b) for a, b in zip(text, simplified, strict=True) if is_cjk(a)]
        return sum(1 for a, b in pairs if a != b) / len(pairs) if pairs else 0.0
    cjk = [ch for ch in text if is_cjk(ch)]
    if not cjk:
        return 0.0
    sample = "".join(cjk[:20000])
    converted = to_simplified(sample)
    if len(converted) != len(sample):
        changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
    else:
        changed = sum(1 for a, b in zip(sample, converted, strict=True) if a != b)
    return changed / len(sample)


def is_traditional(text: str, simplified: str | None = None) -> bool:
    """Whether a text is written in Traditional characters (judged on enough CJK characters)."""
    if sum(1 for ch in text if is_cjk(ch)) < TRADITIONAL_MIN_CJK:
        return False
    return traditional_share(text, simplified) >= TRADITIONAL_MIN_SHARE
