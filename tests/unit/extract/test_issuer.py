"""Issuer rules: who published the report."""

from __future__ import annotations

from tests.unit.extract.pages import paragraphs
from workers.extract import extract


def test_a_source_that_only_says_the_site_wrote_it_names_no_issuer() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>某某县2021年法治政府建设年度报告</title></head><body>
<h1>某某县2021年法治政府建设年度报告</h1><div class="info">来源：本站原创 作者：办公室 时间：2022-01-20</div>
<div class="con">{paragraphs()}</div></body></html>"""
    record = extract(page.encode("utf-8"))
    assert record["issuer"] == "某某县人民政府"
    assert record["published"] == "2022-01-20"
