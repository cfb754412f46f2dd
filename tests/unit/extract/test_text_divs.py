"""html.text_divs_as_paragraphs: a text-only <div> beside <p>s is a paragraph (caption, signature, note)."""

from __future__ import annotations

from workers.extract import extract
from workers.extract.html import parse, text_divs_as_paragraphs

LINES = (
    "我有着深深思念的人，却相隔在远远的异乡，有所感怀的事情深深刻在心上，故乡遥远回不去。",
    "内心痛苦万分却无处化解，日日夜夜未曾停止思念，前途似乎也迷茫无望，孤独地在空屋里睡觉。",
    "秋天尚未来临却已风雨纷纷，不曾学过苦行僧的佛法，如何忘记曾经的过往，此诗写于元和六年。",
    "从独宿在空堂可以看出，此诗是为一个与作者相爱的女子而写，学者考证这个女子就是东邻之女。",
)


def test_only_text_divs_beside_paragraphs_change() -> None:
    tree = parse(
        "<html><body><div id='a'><p>段落</p><div id='note'>注释：<b>乡</b>，家乡。</div>"
        "<div id='box'><p>x</p></div></div>"
        "<div id='player'><div id='ui'>播放速度：2X</div></div></body></html>"
    )
    text_divs_as_paragraphs(tree)
    tags = {el.get("id"): el.tag for el in tree.iter() if el.get("id")}
    assert tags == {"a": "div", "note": "p", "box": "div", "player": "div", "ui": "div"}


def test_a_translation_written_in_divs_beside_the_poem_stays() -> None:
    body = "".join(f"<p>{line}</p>" for line in LINES[:2]) + "".join(f"<div>{line}</div>" for line in LINES[2:])
    page = (
        "<html><head><meta charset='utf-8'><title>夜雨</title></head>"
        f"<body><div class='c'><h1>夜雨</h1>{body}</div></body></html>"
    )
    text = extract(page.encode()).text
    assert all(line in text for line in LINES)
