"""rules.LANGUAGE_*: the language is told before the Traditional test (nianbao.normalise.TRADITIONAL_*); a Japanese
page gets no Simplified copy."""

from __future__ import annotations

import pytest

from nianbao.normalise import is_traditional, strip_pinyin, to_simplified
from tests.unit.extract.pages import seed
from workers.extract import extract, language

JAPANESE = (
    "元兵庫県明石市長の泉房穂氏が二十日、東京都知事選への立候補を表明した安芸高田市長について批判した。"
    "國會議員の發言や經濟學者の見解も傳えられ、關係者の間で議論が續いている。"
)
TRADITIONAL = "香港特別行政區政府今日公布，市民可以經網上申請，有關部門會盡快處理，並於稍後發出通知。" * 3
KOREAN = "대한민국 정부는 오늘 새로운 경제 정책을 발표했다. 이번 정책은 중소기업 지원을 강화하는 내용을 담고 있다."


def page(text: str) -> bytes:
    body = "".join(f"<p>{text}</p>" for _ in range(4))
    head = "<html><head><meta charset='utf-8'><title>t</title></head>"
    return f"{head}<body><article>{body}</article></body></html>".encode()


@pytest.mark.parametrize(
    ("text", "code"),
    [(JAPANESE, "ja"), (KOREAN, "ko"), (TRADITIONAL, "zh"), ("某某县2021年法治政府建设年度报告", "zh")],
)
def test_language_by_its_own_script(text: str, code: str) -> None:
    assert language(text) == code


def test_a_chinese_text_quoting_a_japanese_name_is_chinese() -> None:
    assert (
        language("日本动画《となりのトトロ》在中国上映，观众反响热烈，票房突破一亿元，成为年度最受欢迎的动画电影之一。")
        == "zh"
    )


def test_a_japanese_page_written_with_old_forms_gets_no_simplified_copy() -> None:
    record = extract(page(JAPANESE))
    assert record.text_simplified is None
    assert "traditional" not in record.flags and "language_ja" in record.flags


def test_a_traditional_chinese_page_still_gets_its_simplified_copy() -> None:
    record = extract(page(TRADITIONAL))
    assert "traditional" in record.flags
    assert record.text_simplified and "香港特别行政区政府" in record.text_simplified


def test_traditional_detection_and_simplified_copy() -> None:
    traditional, simplified = strip_pinyin(seed("001"))[0], seed("000")
    assert is_traditional(traditional) and is_traditional(traditional, to_simplified(traditional))
    assert not is_traditional(simplified) and not is_traditional(simplified, to_simplified(simplified))
    assert to_simplified("湘潭縣石鼓鎮發佈時間") == "湘潭县石鼓镇发布时间"
