"""Listing items and pager a TRS template commented out (a script fills the list live): read from the comment."""

from __future__ import annotations

from crawler.links import listing_items
from crawler.listing import listing_links

URL = "https://jyt.example.gov.cn/jyt/c110634/zwgklist.shtml"
ITEMS = [
    ("关于开展2024年智慧教育平台专项研究课题结项工作的通知", "/jyt/c110634/202511/174240943.shtml", "2025-11-17"),
    ("关于做好2025-2026学年银龄讲学计划实施工作的通知", "/jyt/c110634/202511/174235671.shtml", "2025-11-05"),
    ("关于组织开展第二批省级教材建设研究基地申报工作的通知", "/jyt/c110634/202510/174227399.shtml", "2025-10-20"),
]


def page(items: list[tuple[str, str, str]], commented: bool = True) -> bytes:
    rows = "".join(f'<li><a target="_blank" href="{href}" title="{t}">{t}</a><b>{d}</b></li>' for t, href, d in items)
    pager = "<script>createPageHTML('page_div',10, 1,'zwgklist','shtml',200);</script>"
    inner = f"<!--{rows}{pager}-->" if commented else rows + pager
    return (
        "<html><head><meta charset='utf-8'><title>文件通知</title></head><body>"
        f"<a href='/'>首页</a><ul class='jytxxgklist'>{inner}</ul><div id='page_div'></div></body></html>"
    ).encode()


def test_items_and_pager_inside_a_comment_are_read() -> None:
    found = {(link.title, link.url, link.date) for link in listing_items(page(ITEMS), URL)}
    assert found == {(t, "https://jyt.example.gov.cn" + href, d) for t, href, d in ITEMS}
    pages = {link.url for link in listing_links(page(ITEMS), URL) if link.rel == "page"}
    # The URL names page 0 (zwgklist.shtml): whatever the script's own count, the next page is zwgklist_1.
    assert "https://jyt.example.gov.cn/jyt/c110634/zwgklist_1.shtml" in pages
    assert URL not in pages


def test_the_same_listing_uncommented_reads_the_same() -> None:
    assert listing_items(page(ITEMS, commented=False), URL) == listing_items(page(ITEMS), URL)


def test_a_comment_with_a_link_or_two_stays_a_comment() -> None:
    assert listing_items(page(ITEMS[:2]), URL) == []
