"""rules.TAIL_JUNK_* / SENTENCE_OR_SIGNATURE: a run of short widget lines after the report goes; its signature stays.

Each text here is small and written for the test; it reproduces one pattern, not any real page.
"""

from __future__ import annotations

from tests.unit.extract.pages import REPORT
from workers.extract.html import clean_lines

SIGNATURE = ["某某县司法局", "2022年1月20日"]


def test_widget_lines_after_the_signature_go() -> None:
    widgets = ["有用", "没用", "全部留言", "扫码关注"]
    assert clean_lines("\n".join([*REPORT, *SIGNATURE, *widgets])).splitlines() == [*REPORT, *SIGNATURE]


def test_fewer_short_lines_than_a_run_stay() -> None:
    """Two short lines at the end may be the report's own (a note, a contact): only a run of three goes."""
    lines = [*REPORT, "联系人：张三", "电话：1234567"]
    assert clean_lines("\n".join(lines)).splitlines() == lines
