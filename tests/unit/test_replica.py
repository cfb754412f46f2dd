"""The portal replica serves what its ground truth promises, with the encodings and traps it claims."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from xml.etree import ElementTree

import pytest

from nianbao.sites import parse_registry
from replica import Replica, blocked_sites, ground_truth, sites_yaml


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with Replica(port=0) as r:
        yield r


def fetch(url: str) -> tuple[int, str, bytes]:
    """Status, Content-Type and body, also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def url(replica: Replica, label: str, path: str) -> str:
    return replica.base_url(label) + path.lstrip("/")


def test_registry_validates() -> None:
    sites = parse_registry(sites_yaml(8123))
    assert {s.level for s in sites} >= {"district", "county", "township", "department"}
    towns = [s for s in sites if s.host == "127.0.0.12:8123"]
    assert len(towns) >= 4 and all(s.listing_urls for s in towns)
    assert all(s.local for s in sites)


def test_home_pages(replica: Replica) -> None:
    for label in replica.hosts:
        status, _, _ = fetch(replica.base_url(label))
        assert status == (412 if label == "jiangning" else 200), label


def test_gbk_declared_gb2312(replica: Replica) -> None:
    status, ctype, body = fetch(url(replica, "changping", "/index.html"))
    assert status == 200 and "gb2312" in ctype
    assert b"<meta charset=gb2312>" in body
    assert "常平镇" in body.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")


def test_gbk_undeclared(replica: Replica) -> None:
    _, ctype, body = fetch(url(replica, "guixi", "/index.html"))
    assert ctype == "text/html" and b"charset" not in body.lower()
    assert "桂溪街道" in body.decode("gbk")


def test_gbk_declared_utf8(replica: Replica) -> None:
    _, ctype, body = fetch(url(replica, "jinghai-sfj", "/index.html"))
    assert "utf-8" in ctype.lower() and b"charset=utf-8" in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "静海区司法局" in body.decode("gbk")


def test_big5_gate(replica: Replica) -> None:
    seed = next(g for g in ground_truth() if g["aliases"])
    status, ctype, body = fetch(url(replica, "panyu", seed["aliases"][0]))
    assert status == 200 and "big5" in ctype
    text = body.decode("big5")
    assert "番禺區" in text and "charset=big5" in text


def test_dataproxy(replica: Replica) -> None:
    query = "startrecord=1&endrecord=15&perpage=15&col=1&columnid=1234&appid=1&webid=1&unitid=4021"
    status, ctype, body = fetch(url(replica, "changping", "/module/web/jpage/dataproxy.jsp?" + query))
    assert status == 200 and "xml" in ctype
    records = ElementTree.fromstring(body).findall("./recordset/record")
    assert len(records) == 15 and "/art/" in (records[0].text or "")
    _, _, rest = fetch(
        url(replica, "changping", "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&columnid=1234")
    )
    assert 0 < len(ElementTree.fromstring(rest).findall("./recordset/record")) < 15


def test_trs_pager_is_script_only(replica: Replica) -> None:
    _, _, body = fetch(url(replica, "panyu", "/fzzfjs/index.html"))
    assert b'createPageHTML(3, 0, "index", "html")' in body and b'href="index_1.html"' not in body
    assert fetch(url(replica, "panyu", "/fzzfjs/index_2.html"))[0] == 200


def test_query_pager(replica: Replica) -> None:
    _, _, first = fetch(url(replica, "guixi", "/fzzfjs/list.html"))
    _, _, second = fetch(url(replica, "guixi", "/fzzfjs/list.html?page=2"))
    assert "下一页" in first.decode("gbk") and first != second


def test_blocked_site(replica: Replica) -> None:
    status, _, body = fetch(url(replica, "jiangning", "/fzzfjs/index.html"))
    assert status == 412 and b"$_ts" in body
    assert blocked_sites() == ["js-jiangning"]
    assert not [g for g in ground_truth() if g["site"] in blocked_sites()]


def test_robots_and_traps(replica: Replica) -> None:
    _, _, robots = fetch(url(replica, "panyu", "/robots.txt"))
    assert b"Disallow: /preview/" in robots
    _, _, home = fetch(url(replica, "panyu", "/"))
    assert b'href="/preview/' in home
    assert not [g for g in ground_truth() if g["path"].startswith("/preview/")]
    _, _, day = fetch(url(replica, "panyu", "/calendar?date=2021-01-01"))
    assert b"/calendar?date=2021-01-02" in day
    assert fetch(url(replica, "xiangtan", "/system/error.jsp?id=17"))[0] == 500
    assert fetch(url(replica, "xiangtan", "/xxgk/old/content_404.html"))[0] == 404


def test_every_report_is_served(replica: Replica) -> None:
    truth = ground_truth()
    assert {g["year"] for g in truth} >= {2019, 2020, 2021, 2022, 2023, 2024}
    assert len([g for g in truth if g["kind"] == "info_disclosure"]) >= 2
    label_of = {host: label for label, host in replica.hosts.items()}
    for g in truth:
        label = label_of[g["host"]]
        status, ctype, body = fetch(url(replica, label, g["path"]))
        assert status == 200, g["path"]
        if g["format"] == "html":
            assert g["title"] in body.decode(g["encoding"]), g["path"]
        else:
            assert ctype.startswith("application/"), g["path"]
            _, _, page = fetch(url(replica, label, g["detail_path"]))
            assert g["path"].encode() in page


def test_truncated_listing_title(replica: Replica) -> None:
    pages = ["/fzzfjs/index.html", "/fzzfjs/index_1.html", "/fzzfjs/index_2.html"]
    text = "".join(fetch(url(replica, "panyu", p))[2].decode("utf-8") for p in pages)
    assert "广州市番禺区人民政府关于2021年度法治政府…" in text
    assert "广州市番禺区人民政府关于2021年度法治政府建设情况的报告" not in text


def test_slow_page_waits() -> None:
    import time

    with Replica(port=0, slow_seconds=0.3) as r:
        began = time.monotonic()
        status, _, _ = fetch(url(r, "xiangtan", "/slow/tzgg/content_8888.html"))
        assert status == 200 and time.monotonic() - began >= 0.3
