"""rules.CMS_CONTAINERS / GENERIC_CONTAINERS / MIN_CONTAINER_CHARS / DENSE_*: where the text is read when
trafilatura finds too little, and which blocks are the report's, never furniture.

Each page here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

from tests.unit.extract.pages import REPORT, paragraphs
from workers.extract.html import container_text, parse, prune

MENU = "<div class='content'><a href='/'>首页</a> <a href='/a'>政务公开</a></div>"


def test_the_first_container_with_substance_gives_the_text() -> None:
    """A `.content` menu is shorter than MIN_CONTAINER_CHARS and is passed over for the CMS's #zoom."""
    tree = parse(f"<html><body>{MENU}<div id='zoom'>{paragraphs()}</div><p>某某县人民政府</p></body></html>")
    text = container_text(tree)
    assert text.splitlines() == list(REPORT)


def test_without_a_container_the_block_with_the_most_paragraph_text_gives_it() -> None:
    """Not the page around it: a layout box's nested boxes do not count, its own paragraphs do."""
    page = f"<html><body><div><a href='/'>首页</a></div><div><div class='x'>{paragraphs()}</div></div></body></html>"
    assert container_text(parse(page)).splitlines() == list(REPORT)


def test_a_short_notice_in_its_cms_container_is_not_furniture() -> None:
    """A short notice's TRS container also holds its 上一篇 link: the block holds the report and stays; the link's
    own line goes."""
    notice = "<p>因系统升级，本网站将于2022年1月20日晚暂停服务，请相互转告。</p>"
    page = f"<html><body><div class='TRS_Editor'>{notice}<p>上一篇：关于开展安全检查的通知</p></div></body></html>"
    text = prune(parse(page)).text_content()
    assert "因系统升级" in text and "上一篇" not in text
