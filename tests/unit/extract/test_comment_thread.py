"""rules.COMMENT_*: readers' comments and a forum's replies are not the text; a forum's first post is."""

from __future__ import annotations

from workers.extract import extract

ARTICLE = (
    "北京时间5月20日，今天季后赛步行者130比109战胜尼克斯，大比分4比3晋级东部决赛，球队表现出色。",
    "尼克斯官方宣布，布伦森第三节遭遇左手骨折，本场比赛不会回归，球迷们对此深感遗憾和惋惜。",
)
COMMENTS = (
    "布伦森太可惜了，希望他早日康复，明年再来，尼克斯加油！我们永远支持你。",
    "步行者这个赛季真是打得太好了，年轻人的冲劲十足，值得期待东部决赛。",
    "这场比赛看得我心惊肉跳，最后一节简直是屠杀，尼克斯伤病太多了。",
    "希望东部决赛能打满七场，精彩的比赛才是球迷最想看到的，加油吧。",
)


def item(i: int, text: str, stamp: str) -> str:
    return (
        f"<div class='item'><div class='user'><span>网友{i}</span><span class='time'>{stamp}</span></div>"
        f"<div class='content'>{text}</div></div>"
    )


def page(body: str) -> bytes:
    head = "<html><head><meta charset='utf-8'><title>布伦森骨折</title></head>"
    return f"{head}<body><div class='main'><h1>布伦森骨折</h1>{body}</div></body></html>".encode()


def test_comments_stamped_with_their_times_after_the_article_go() -> None:
    thread = "".join(item(i, text, f"2024-05-2{i} 10:0{i}") for i, text in enumerate(COMMENTS))
    text = extract(page("".join(f"<p>{line}</p>" for line in ARTICLE) + f"<div class='c'>{thread}</div>")).text
    assert all(line in text for line in ARTICLE)
    assert not any(comment in text for comment in COMMENTS)


def test_a_forum_threads_first_post_stays_and_its_replies_go() -> None:
    post = "".join(ARTICLE * 4)
    floors = [item(0, post, "楼主 发表于 2005-08-28 20:56")]
    floors += [item(i, text, f"第 {i + 1} 楼 2005-08-2{i} 23:38") for i, text in enumerate(COMMENTS, start=1)]
    text = extract(page(f"<div class='thread'>{''.join(floors)}</div>")).text
    assert ARTICLE[0] in text
    assert not any(comment in text for comment in COMMENTS)


def test_dated_paragraphs_of_a_report_are_no_thread() -> None:
    """Events a report lists carry dates, not clock times, and are paragraphs: text."""
    events = [f"<div class='event'>2021年3月{i}日，{line}</div>" for i, line in enumerate((*ARTICLE, *COMMENTS), 1)]
    text = extract(page("".join(events))).text
    assert all(line in text for line in (*ARTICLE, *COMMENTS))
