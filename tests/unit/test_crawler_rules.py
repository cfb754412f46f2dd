"""The crawler's rule tables (crawler/rules.py) read what their comments say they read, and refuse their near misses.

One row per example, so an edit to a pattern that drops a form a comment promises fails here by name.
"""

from __future__ import annotations

import re

import pytest

from crawler import rules

# (pattern, text, whether the whole text is one)
WHOLE = [
    (rules.MONTH_DAY, "10-19", True),
    (rules.MONTH_DAY, "[9/3]", True),
    (rules.MONTH_DAY, "8月30日", True),
    (rules.MONTH_DAY, "发布日期：10-19", True),
    (rules.MONTH_DAY, "于6月6日发行", False),
    (rules.MONTH_DAY, "第1-2期", False),
    (rules.YEAR_MONTH, "2021-03", True),
    (rules.YEAR_MONTH, "2021年03月", True),
    (rules.YEAR_MONTH, "1821-03", False),
    (rules.DAY, "05", True),
    (rules.DAY, "05日", True),
    (rules.NEXT_LABEL, "[下一页]", True),
    (rules.NEXT_LABEL, "【下一页】", True),
    (rules.NEXT_LABEL, "下一页>>", True),
    (rules.NEXT_LABEL, "Next»", True),
    (rules.NEXT_LABEL, "下一篇", False),
    (rules.VOLATILE_PARAM, "totalPage", True),
    (rules.VOLATILE_PARAM, "t", True),
    (rules.VOLATILE_PARAM, "type", False),
    (rules.VOLATILE_PARAM, "channel", False),
]

# (pattern, text, whether it is found in the text)
FOUND = [
    (rules.ELLIPSIS, "常平镇2021年法治政府建设…", True),
    (rules.ELLIPSIS, "常平镇2021年法治政府建设...", True),
    (rules.ELLIPSIS, "常平镇2021年法治政府建设。。。", True),
    (rules.ELLIPSIS, "2021年法治政府建设年度报告。", False),
    (rules.RELATIVE_DATE, "9小时前", True),
    (rules.RELATIVE_DATE, "昨天", True),
    (rules.RELATIVE_DATE, "截至今天", False),
    (rules.INDEX_FILE, "http://x.gov.cn/xxgknb/index.html", True),
    (rules.INDEX_FILE, "http://x.gov.cn/col/default.aspx", True),
    (rules.INDEX_FILE, "http://x.gov.cn/xxgknb/index_1.html", False),
    (rules.COLUMN_YEAR, "2022年法治政府建设工作要点", True),
    (rules.COLUMN_YEAR, "法治政府建设", False),
]


@pytest.mark.parametrize(("pattern", "text", "expected"), WHOLE)
def test_whole_text_patterns(pattern: re.Pattern[str], text: str, expected: bool) -> None:
    assert bool(pattern.fullmatch(text)) is expected


@pytest.mark.parametrize(("pattern", "text", "expected"), FOUND)
def test_search_patterns(pattern: re.Pattern[str], text: str, expected: bool) -> None:
    assert bool(pattern.search(text)) is expected


def test_numbered_file_keeps_the_name_without_its_page_number() -> None:
    for name, stem in [("list_2.html", "list"), ("index_3.shtml", "index"), ("news-4.htm", "news"), ("a.html", "a")]:
        m = rules.NUMBERED_FILE.match(name)
        assert m is not None and m.group(1) == stem


def test_trs_pager_scripts() -> None:
    call = rules.CREATE_PAGE.search('createPageHTML("page_div", 5, 0, "index", "html");')
    assert call is not None and [g.strip("'\"") for g in call.groups()] == ["5", "0", "index", "html"]
    inline = 'var currentPage = 0; var countPage = 2; "<a href=\\"index" + "_" + nextPage + "." + "html\\">"'
    count, current, name = (p.search(inline) for p in (rules.COUNT_PAGE, rules.CURRENT_PAGE, rules.PAGE_NAME))
    assert count and count.group(1) == "2" and current and current.group(1) == "0"
    assert name and name.groups() == ("index", "html")
    assert re.search(rules.SCRIPT_ASSIGNMENT.format(name="total"), "var total = '12';").group(1) == "12"  # type: ignore[union-attr]


def test_dataproxy_settings_read_each_parameter_as_scripts_write_it() -> None:
    script = 'columnid: 1234, "unitid": "5678", webid = 1, perpage: 20, groupSize: 2'
    found = {key: m.group(2) for key, p in rules.DATAPROXY_SETTINGS.items() if (m := p.search(script))}
    assert found == {"columnid": "1234", "unitid": "5678", "webid": "1"}
    assert set(rules.DATAPROXY_SETTINGS) == set(rules.DATAPROXY_PARAMS)
    assert rules.DATAPROXY_PERPAGE_SETTING.search(script).group(1) == "20"  # type: ignore[union-attr]
    assert rules.DATAPROXY_GROUP_SETTING.search(script).group(1) == "2"  # type: ignore[union-attr]


def test_attachment_label_reaches_only_the_label_before_the_link() -> None:
    assert rules.ATTACHMENT_LABEL in "正文见附件1："[-rules.ATTACHMENT_LABEL_REACH :]
    assert rules.ATTACHMENT_PREFIX.sub("", "附件1：2021年度报告") == "2021年度报告"
    assert all(ext.startswith(".") and ext == ext.lower() for ext in rules.ATTACHMENT_EXTENSIONS)
