"""The scale replica serves N distinct sites from one process, as its registry and ground truth say."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from crawler.links import listing_items
from crawler.listing import listing_links
from crawler.pagination import should_stop
from nianbao.sites import parse_registry
from replica.faults import REPORT_FAULTS, Sizes
from replica.scale import (
    ScaleReplica,
    address,
    build_site,
    code,
    faulty_sites,
    index_of,
    listing_path,
    scale_ground_truth,
    scale_sites_yaml,
)

N = 20
YEAR = 2021


@pytest.fixture(scope="module")
def replica() -> Iterator[ScaleReplica]:
    with ScaleReplica(N, port=0, year=YEAR, seconds=120) as r:
        yield r


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def decode(ctype: str, body: bytes) -> str:
    return body.decode("gbk" if "gb2312" in ctype else "utf-8")


def test_addresses_round_trip() -> None:
    assert address(0) == "127.0.1.1" and address(254) == "127.0.2.1"
    assert all(index_of(address(i)) == i for i in (0, 1, 253, 254, 999, 5000))


def test_registry_validates(replica: ScaleReplica) -> None:
    sites = parse_registry(scale_sites_yaml(N, replica.port))
    assert len(sites) == N and len({s.host for s in sites}) == N
    assert all(s.local and s.delay == 0 for s in sites)
    assert [urlsplit(s.start_urls[0]).hostname for s in sites] == [address(i) for i in range(N)]


def test_home_pages_and_robots(replica: ScaleReplica) -> None:
    names = set()
    for i in range(N):
        status, ctype, body = fetch(replica.base_url(i))
        text = decode(ctype, body)
        assert status == 200 and "法治政府建设" in text, i
        names.add(text.split("<title>", 1)[1].split("</title>", 1)[0])
        status, _, robots = fetch(replica.base_url(i) + "robots.txt")
        assert status == 200 and robots.startswith(b"User-agent")
    assert len(names) == N  # every address answers as its own site


def test_ground_truth_is_served(replica: ScaleReplica) -> None:
    truth = scale_ground_truth(N, YEAR)
    assert {g["site"] for g in truth} == {s.code for s in parse_registry(scale_sites_yaml(N, 1))}
    assert all(g["year"] == YEAR for g in truth)
    every_year = scale_ground_truth(N, YEAR, all_years=True)
    assert all(2 <= sum(g["site"] == s for g in every_year) <= 3 for s in {g["site"] for g in truth})
    for g in truth:
        status, ctype, body = fetch(f"http://{g['host']}:{replica.port}{g['path']}")
        text = decode(ctype, body)
        assert status == 200 and g["title"] in text and all(t in text for t in g["text_contains"]), g


def test_reports_are_listed_in_the_column(replica: ScaleReplica) -> None:
    for g in scale_ground_truth(4, YEAR):
        i = index_of(g["host"])
        assert i is not None
        listing = "fzzfjs/index.html" if i % 2 == 0 else "fzzfjs/list.html"
        pages = [fetch(replica.base_url(i) + listing)[2]]
        pages.append(fetch(replica.base_url(i) + ("fzzfjs/index_1.html" if i % 2 == 0 else "fzzfjs/list_2.html"))[2])
        assert any(g["path"].encode() in p for p in pages)


@pytest.mark.parametrize("index", [0, 1])  # a TRS column and a 下一页 one
def test_a_busy_column_is_walked_to_its_last_page_by_the_crawler_stop_rule(index: int) -> None:
    busy, plain = build_site(index, YEAR, column_pages=25), build_site(index, YEAR)
    assert [d.path for d in busy.reports] == [d.path for d in plain.reports], "the same reports at the same URLs"
    site, walked, found = busy.site, 0, set()
    for page in range(25):
        url = f"http://{address(index)}{listing_path(site, 'fzzfjs', page)}"
        body = busy.pages[listing_path(site, "fzzfjs", page)][0]
        links = listing_links(body, url)
        found |= {urlsplit(link.url).path for link in links if link.rel == "report"}
        walked += 1
        if should_stop(links + listing_items(body, url), year=YEAR):
            break
    assert walked == 25, "every page has an item of the report year or later: the crawl goes on"
    assert {d.path for d in busy.reports if d.year == YEAR} <= found
    assert listing_path(site, "fzzfjs", 25) not in busy.pages


def test_unknown_path_and_stop() -> None:
    r = ScaleReplica(2).start()
    assert fetch(r.base_url(1) + "nothing.html")[0] == 404
    r.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(r.base_url(0), timeout=2)


def test_faulty_sites_answer_their_report_url_as_their_fault() -> None:
    faults = faulty_sites(200, 0.1)
    assert sorted(faults) == list(range(9, 200, 10))  # one site in ten
    first = [faults[i].name for i in sorted(faults)[: len(REPORT_FAULTS)]]
    assert sorted(first) == sorted(f.name for f in REPORT_FAULTS)  # every report fault once in 19 faulty sites
    assert {faults[i].name for i in range(9, 80, 10)} >= {"timeout", "long-5xx", "challenge-412", "reset"}
    chosen = {i: f for i, f in faults.items() if f.name in ("long-5xx", "challenge-412", "redirect-loop")}
    truth = {g["site"]: g["path"] for g in scale_ground_truth(200, YEAR)}
    tiny = Sizes(hang_seconds=1, huge_bytes=1 << 20, gzip_bytes=1 << 20, zip_bytes=1 << 20)  # bombs made at start
    with ScaleReplica(200, year=YEAR, faults=chosen, sizes=tiny, seconds=120) as r:
        for i, fault in chosen.items():
            url = r.base_url(i) + truth[code(i)].lstrip("/")
            if fault.name == "long-5xx":  # as replica.faults defines it: 500 five times, then the report
                assert [fetch(url)[0] for _ in range(6)] == [500] * 5 + [200]
            elif fault.name == "challenge-412":
                assert fetch(url)[0] == 412
            else:  # a redirect loop between the fault's own paths on the site
                with pytest.raises(urllib.error.HTTPError, match="infinite loop"):
                    urllib.request.urlopen(url, timeout=10)
        healthy = next(i for i in range(200) if i not in chosen)
        assert fetch(r.base_url(healthy) + truth[code(healthy)].lstrip("/"))[0] == 200
        assert fetch(r.base_url(next(iter(chosen))))[0] == 200  # the faulty site's other pages are its own
