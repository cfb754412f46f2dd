"""metadata.date_under_publication_label: the date printed with the article under a publication label beats a meta
tag."""

from __future__ import annotations

import pytest

from workers.extract import extract

BODY = "".join(
    f"<p>{line}</p>"
    for line in (
        "为深入贯彻落实党的二十大精神，大力培育和践行社会主义核心价值观，教育部决定举办本次宣传教育活动。",
        "各地各高校要将活动与贯彻落实党的二十大精神统筹谋划、一体推动，加强领导、精心组织，充分发动。",
    )
)


def page(meta: str, byline: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'>{meta}<title>关于举办宣传教育活动的通知</title></head><body>"
        f"<div class='article'><h1>关于举办宣传教育活动的通知</h1><div class='info'>{byline}</div>{BODY}</div>"
        "</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("meta", "byline", "published"),
    [
        # The CMS's regeneration day in the tag, the publication date printed: the printed one.
        ('<meta name="PubDate" content="2024-01-05 22:09">', "发布时间：2020年02月18日 09:15 来源：本网", "2020-02-18"),
        ('<meta name="publishdate" content="2024-06-04">', "发布日期：2024-06-13", "2024-06-13"),
        # A document date (成文日期) is no publication date: the tag stays.
        ('<meta name="PubDate" content="2024-06-13">', "成文日期：2024-05-30", "2024-06-13"),
        # Agreeing, or nothing printed: the tag.
        ('<meta name="PubDate" content="2021-03-05">', "发布时间：2021-03-05", "2021-03-05"),
        ('<meta name="PubDate" content="2021-03-05">', "来源：本网", "2021-03-05"),
    ],
)
def test_the_printed_publication_date_beats_a_meta_tag(meta: str, byline: str, published: str) -> None:
    assert extract(page(meta, byline)).published == published
