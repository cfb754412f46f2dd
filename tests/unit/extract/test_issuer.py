"""Issuer rules: who published the report."""

from __future__ import annotations

import pytest

from tests.unit.extract.pages import body_of, paragraphs, portal_page, seed
from workers.extract import extract


def test_a_source_that_only_says_the_site_wrote_it_names_no_issuer() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>某某县2021年法治政府建设年度报告</title></head><body>
<h1>某某县2021年法治政府建设年度报告</h1><div class="info">来源：本站原创 作者：办公室 时间：2022-01-20</div>
<div class="con">{paragraphs()}</div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record.issuer == "某某县人民政府"
    assert record.published == "2022-01-20"


def page(info: str, title: str = "关于2021年法治政府建设情况的报告", body: str = "") -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>
<div class="info">{info}</div><div class="con">{paragraphs()}{body}</div></body></html>""".encode()


def test_a_source_naming_a_website_yields_to_the_signature_and_is_the_last_resort() -> None:
    """rules.SITE_SOURCE: 来源：…门户网站 is where the page was posted; the signature names the issuer."""
    info = "来源：某某县人民政府门户网站 发布时间：2022-01-20"
    signed = extract(page(info, body="<p>某某县司法局</p><p>2022年1月20日</p>"))
    assert (signed.issuer, signed.issuer_by) == ("某某县司法局", "issuer_of_signature")
    unsigned = extract(page(info))
    assert (unsigned.issuer, unsigned.issuer_by) == ("某某县人民政府门户网站", "issuer_website")


def test_a_title_opening_with_a_bare_division_or_subdistrict_names_its_government_or_office() -> None:
    """rules.ISSUER_IN_TITLE, BARE_DIVISION, BARE_SUBDISTRICT."""
    assert extract(page("", title="常平镇2021年法治政府建设年度报告")).issuer == "常平镇人民政府"
    assert extract(page("", title="桂溪街道2021年法治政府建设年度报告")).issuer == "桂溪街道办事处"
    assert extract(page("", title="某某县司法局2021年法治政府建设年度报告")).issuer == "某某县司法局"


@pytest.mark.parametrize(("author", "issuer"), [("马娟", "常平镇人民政府"), ("东莞市司法局", "东莞市司法局")])
def test_meta_author_is_an_issuer_only_when_it_names_an_organ(author: str, issuer: str) -> None:
    """gov.cn and many portals put the editor's name in <meta name="author">; the title's prefix wins over it."""
    page = portal_page("常平镇2021年法治政府建设年度报告", body_of(seed("000"), "2021年"))
    page = page.replace("<title>", f'<meta name="author" content="{author}"><title>', 1)
    assert extract(page.encode("utf-8")).issuer == issuer
