"""html.META_LINE: a line that is only a toolbar word (登录, 注册, pdf下载, word下载) or a pasted Word document's page
number ("— 5 —") is not text."""

from __future__ import annotations

from tests.unit.extract.pages import portal_page, seed
from workers.extract import extract
from workers.extract.html import clean_lines

BODY = "吉林省人民政府决定，禁止在嫩江干流补充治理工程建设征占地范围内新增建设项目和迁入人口。"


def test_toolbar_words_alone_on_a_line_go_and_sentences_naming_them_stay() -> None:
    text = "\n".join(["登录", "注册", "pdf下载", "Word 下载", BODY, "请于三日内登录系统完成注册，并下载word模板。"])
    assert clean_lines(text).splitlines() == [BODY, "请于三日内登录系统完成注册，并下载word模板。"]


def test_page_number_lines_of_pasted_word_documents_are_dropped() -> None:
    text = seed("003")
    record = extract(portal_page(text.splitlines()[0], "\n".join(text.splitlines()[1:])).encode("utf-8"))
    assert "— 5 —" not in record.text
    assert record.report_year == 2021
    assert record.title == "垫江县人民政府桂溪街道办事处2021年法治政府建设年度报告"
