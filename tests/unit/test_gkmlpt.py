"""Guangdong's gkmlpt platform (crawler.gkmlpt): the catalogue's report nodes and the JSON lists' report links."""

from __future__ import annotations

import json

from crawler.gkmlpt import gkmlpt_records, gkmlpt_requests

INDEX = "http://www.example.gov.cn/gzsfj/gkmlpt/index"
PAGE = """<html><body><div id="app"></div><script>
window._CONFIG = {
  SID: '200025',
  TREE: [{"id": 1, "name": "机构职能", "children": []},
         {"id": 2, "name": "政府信息公开", "children": [
            {"id": 21, "name": "政府信息公开年报", "children": [], "post_count": 9},
            {"id": 22, "name": "法治政府建设", "children": [], "jump_url": "http://elsewhere.gov.cn/"}]}],
  SERVICE_AREA_ID: 3
};
</script></body></html>"""


def test_the_report_nodes_of_the_catalogue_become_api_requests() -> None:
    # 政府信息公开 (a column name) and its 年报 child; the jump_url node lies elsewhere; 机构职能 holds no reports.
    assert gkmlpt_requests(PAGE, INDEX) == [
        "http://www.example.gov.cn/gzsfj/gkmlpt/api/all/2?page=1&sid=200025",
        "http://www.example.gov.cn/gzsfj/gkmlpt/api/all/21?page=1&sid=200025",
    ]
    assert gkmlpt_requests("<html><body>政府信息公开</body></html>", INDEX) == []
    assert gkmlpt_requests(PAGE.replace('"id": 1,', '"id": 1'), INDEX) == []  # a TREE that is no JSON


def test_a_list_page_gives_dated_report_links_and_the_next_page() -> None:
    api = "http://www.example.gov.cn/gzsfj/gkmlpt/api/all/21?page=1&sid=200025"
    articles = [
        {"id": 1, "title": "广州市司法局2023年政府信息公开工作年度报告", "created_at": 1706745600,
         "url": "http://www.example.gov.cn/gzsfj/gkmlpt/content/9/9001/post_9001.html"},
        {"id": 2, "title": "关于召开会议的通知", "display_publish_time": "2024-03-01 10:00:00",
         "post_url": "/gzsfj/gkmlpt/content/9/9002/post_9002.html"},
    ]  # fmt: skip
    links, total = gkmlpt_records(json.dumps({"total": 5, "articles": articles}).encode(), api)
    assert total == 5
    reports = [(link.url, link.kind, link.year, link.date) for link in links if link.rel == "report"]
    assert reports == [
        ("http://www.example.gov.cn/gzsfj/gkmlpt/content/9/9001/post_9001.html", "info_disclosure", 2023, "2024-02-01")
    ]
    assert [link.url for link in links if link.rel == "next"] == [api.replace("page=1", "page=2")]


def test_the_last_page_and_bad_answers() -> None:
    api = "http://www.example.gov.cn/gkmlpt/api/all/21?page=3&sid=1"
    one = {"title": "2023年政府信息公开工作年度报告", "url": "/a.html", "created_at": "2024-01-10"}
    links, _ = gkmlpt_records(json.dumps({"total": 5, "articles": [one]}).encode(), api)
    assert [link.rel for link in links] == ["report"]
    assert gkmlpt_records(b"<html>404</html>", api) == ([], 0)
    assert gkmlpt_records(b"[]", api) == ([], 0)
