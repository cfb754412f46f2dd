"""rules.CMS_CONTAINERS / GENERIC_CONTAINERS / MIN_CONTAINER_CHARS / DENSE_*: where the text is read when
trafilatura finds too little, and which blocks are the report's, never furniture.

Each page here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

import html

import pytest

from tests.unit.extract.pages import REPORT, body_of, paragraphs, seed
from workers.extract import Options, extract
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


def test_container_fallback_when_trafilatura_returns_little(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table-layout page whose body is split over <br>s in a #zoom container, trafilatura giving up."""
    import workers.extract.html as html_module

    monkeypatch.setattr(html_module, "_trafilatura", lambda tree, options, focus="precision": "桂溪街道")
    sentences = body_of(seed("003"), "2021年,桂溪街道").splitlines()[:12]
    body = "<br>".join(html.escape(s) for s in sentences)
    page = (
        "<html><head><title>桂溪街道2021年法治政府建设年度报告</title></head><body><table><tr><td>"
        f"<a>首页</a></td></tr><tr><td><div id='zoom'>{body}</div></td></tr></table></body></html>"
    )
    record = extract(page.encode("utf-8"), options=Options(min_text_chars=200))
    assert record.extractor == "container"
    assert "首页" not in record.text
    assert "开展法治政府建设示范创建评估" in record.text


def test_a_short_article_is_not_furniture_for_naming_its_neighbours() -> None:
    """A short notice's container holds its 上一篇 link too: a block with a sentence in it is not furniture."""
    notice = (
        "<p>因管道维修，定于2021年3月10日全天停水，请各用户提前做好储水准备。给您带来的不便，敬请谅解。</p>"
        "<p>某某县水务局</p><p>2021年3月8日</p>"
    )
    body = (
        f"<div class='detail'><h1>停水通知</h1><div class='TRS_Editor'>{notice}</div>"
        "<div>上一篇：<a href='/p'>关于某某的通知</a></div></div>"
    )
    record = extract(f"<html><head><title>停水通知_某某县人民政府</title></head><body>{body}</body></html>".encode())
    assert "因管道维修" in record.text and "上一篇" not in record.text
    assert record.published == "2021-03-08"
