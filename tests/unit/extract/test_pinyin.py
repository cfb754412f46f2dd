"""nianbao.normalise: inline pinyin annotations (one toned syllable in brackets right after a Chinese character)
go; real parentheses stay."""

from __future__ import annotations

from nianbao.normalise import strip_pinyin


def test_pinyin_annotations_and_real_parentheses() -> None:
    text, count = strip_pinyin("石鼓鎮(zhèn)建設（shè）(一)村(社区)(2021—2025年)(PDF)導 (dǎo)")
    assert count == 2
    assert text == "石鼓鎮建設(一)村(社区)(2021—2025年)(PDF)導 (dǎo)"
