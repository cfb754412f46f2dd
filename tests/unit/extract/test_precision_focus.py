"""html.PRECISION_MIN_SHARE: trafilatura's precision result is the text unless it is a sliver of the balanced one."""

from __future__ import annotations

import pytest

import workers.extract.html as html_module
from workers.extract.html import main_text, parse
from workers.extract.options import Options

PAGE = (
    "<html><body><div id='zoom'>" + "<p>某某县人民政府依法行政工作情况报告正文段落。</p>" * 40 + "</div></body></html>"
)


def _fake(results: dict[str, str], calls: list[str]):  # type: ignore[no-untyped-def]
    def run(tree, options, focus="precision"):  # type: ignore[no-untyped-def]
        calls.append(focus)
        return results[focus]

    return run


@pytest.mark.parametrize(
    ("precision", "balanced", "want", "modes"),
    [
        ("甲" * 300, "乙" * 900, "甲" * 300, ["precision"]),  # long enough: no second run
        ("甲" * 150, "乙" * 400, "甲" * 150, ["precision", "balanced"]),  # short, 37 % of balanced: a short article
        ("甲" * 30, "乙" * 400, "乙" * 400, ["precision", "balanced"]),  # a sliver: precision lost the body
    ],
)
def test_precision_first_balanced_when_precision_lost_the_body(
    monkeypatch: pytest.MonkeyPatch, precision: str, balanced: str, want: str, modes: list[str]
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(html_module, "_trafilatura", _fake({"precision": precision, "balanced": balanced}, calls))
    result = main_text(parse(PAGE), Options(min_text_chars=200))
    assert result.text == want and result.extractor == "trafilatura"
    assert calls == modes


def test_the_containers_are_read_only_when_both_modes_found_little(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(html_module, "_trafilatura", _fake({"precision": "甲" * 20, "balanced": "乙" * 60}, calls))
    result = main_text(parse(PAGE), Options(min_text_chars=200))
    assert result.extractor == "container" and "依法行政工作情况报告" in result.text


def test_recall_mode_asks_trafilatura_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(html_module, "_trafilatura", _fake({"recall": "丙" * 300}, calls))
    assert main_text(parse(PAGE), Options(favor_recall=True)).text == "丙" * 300
    assert calls == ["recall"]
