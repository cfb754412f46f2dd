"""Crawler manners over real HTTP on 127.0.0.1: robots.txt Crawl-delay, hostile redirects and private hosts,
the replica's endless calendar. Each crawl runs in its own process (Twisted's reactor starts once per process).

`python -m tests.integration.test_crawl_manners follow-all URL` runs the follow-every-link spider used by the
trap test; it prints Scrapy's stats as JSON on its last line.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nianbao.sites import Site

pytestmark = pytest.mark.integration
CRAWL_DELAY = 0.6

ROBOTS = f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\nDisallow: /private/\n"


def _item(href: str, title: str, date: str) -> str:
    return f'<li><a href="{href}">{title}</a><span>{date}</span></li>'


def _listing(items: list[str], next_page: str | None) -> str:
    pager = f'<a href="{next_page}">下一页</a>' if next_page else ""
    return f'<html><head><meta charset="utf-8"></head><body><ul>{"".join(items)}</ul>{pager}</body></html>'


PAGES = {
    "/robots.txt": ROBOTS,
    "/list.html": _listing(
        [
            _item("/report.html", "测试区2021年法治政府建设年度报告", "2022-03-01"),
            _item("/go-offsite", "测试区关于2021年度法治政府建设情况的报告", "2022-03-02"),
            _item("javascript:void(0)", "测试区2021年度法治政府建设工作报告", "2022-03-03"),
            _item("/private/secret.html", "测试区2021年法治政府建设报告（内部）", "2022-03-04"),
        ],
        "/list_2.html",
    ),
    "/list_2.html": _listing([_item("/news1.html", "测试区召开工作会议", "2022-02-01")], "/list_3.html"),
    "/list_3.html": _listing([_item("/news2.html", "测试区开展普法宣传", "2022-01-05")], None),
    "/report.html": "<html><head><title>测试区2021年法治政府建设年度报告</title></head><body><h1>测试区2021年"
    "法治政府建设年度报告</h1><p>2021年，测试区深入推进法治政府建设。</p></body></html>",
}
REDIRECTS = {"/go-offsite": "http://offsite.example.invalid/report.html"}


class PortalHandler(BaseHTTPRequestHandler):
    """A tiny portal; every request is logged with its arrival time on the server."""

    log: list[tuple[float, str]]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.log.append((time.monotonic(), self.path))
        if self.path in REDIRECTS:
            self.send_response(302)
            self.send_header("Location", REDIRECTS[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGES.get(self.path)
        data = (body or "not found").encode("utf-8")
        self.send_response(200 if body else 404)
        kind = "text/plain" if self.path.endswith(".txt") else "text/html; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def portal() -> Iterator[tuple[str, list[tuple[float, str]]]]:
    log: list[tuple[float, str]] = []
    handler = type("Handler", (PortalHandler,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()


def run(site: Site, store: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    out = store.parent / "captures.jsonl"
    command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", "2021"]
    command += ["--kind=rule_of_law", "--store", str(store), "--captures-out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    captures = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    return json.loads(done.stdout.strip().splitlines()[-1]), captures


def test_crawl_delay_is_kept_and_hostile_redirects_refused(portal, tmp_path: Path) -> None:
    base, log = portal
    listing = (f"{base}/list.html",)
    site = Site(code="test-portal", name="测试区人民政府", division="110101", level="district",
                start_urls=listing, listing_urls=listing, delay=0, local=True)  # fmt: skip
    summary, captures = run(site, tmp_path / "data")
    paths = [path for _, path in log]
    assert {"/list.html", "/list_2.html", "/list_3.html", "/report.html", "/go-offsite"} <= set(paths)
    assert not any(p.startswith("/private/") for p in paths), "robots.txt Disallow obeyed"
    # Crawl-delay: the site's wish, although DOWNLOAD_DELAY is 0 for this site and AutoThrottle runs.
    times = [t for t, path in log if path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) >= 4 and min(gaps) >= CRAWL_DELAY * 0.9, gaps
    # The redirect off the allowed domains is refused with its reason; nothing reached another host.
    assert summary["refused"].get("offsite_redirect") == 1, summary
    assert [urlsplit(c["url"]).path for c in captures] == ["/report.html"]


def test_a_site_that_is_not_local_never_reaches_a_private_address(portal, tmp_path: Path) -> None:
    base, log = portal
    site = Site(code="test-private", name="测试区人民政府", division="110101", level="district",
                start_urls=(f"{base}/list.html",), delay=0)  # fmt: skip
    summary, captures = run(site, tmp_path / "data")
    assert log == [], "no request, not even robots.txt, went to 127.0.0.1"
    assert summary["refused"].get("offsite_private", 0) >= 1, summary
    assert captures == []


# -- the calendar trap, with a spider that follows every link ------------------------------------------------


def follow_all(url: str) -> dict[str, Any]:
    """Crawl from `url` following every same-site link, with nianbao's settings; return Scrapy's stats."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.crawl import crawl_settings
    from crawler.links import absolute_url

    class FollowAll(scrapy.Spider):
        name = "follow_all"

        async def start(self) -> Any:
            yield scrapy.Request(url)

        def parse(self, response: Any) -> Any:
            if urlsplit(response.url).path == "/calendar" and self.crawler.stats:
                self.crawler.stats.inc_value("test/calendar_pages")
            for href in response.css("a::attr(href)").getall() if hasattr(response, "css") else []:
                if target := absolute_url(href, response.url):
                    yield scrapy.Request(target)

    host = urlsplit(url).hostname or ""
    settings = crawl_settings()
    settings.set("NIANBAO_HOSTILE_ALLOW_PRIVATE", True)  # the replica on 127.0.0.1
    settings.set("DEPTH_LIMIT", 0)  # DEPTH_LIMIT (6) alone ends the calendar; this proves the query-variant bound
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(FollowAll)
    process.crawl(crawler, allowed_domains=[host])
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}


def test_the_replica_calendar_ends_at_the_query_variant_bound() -> None:
    from replica import Replica

    with Replica(port=0) as replica:
        url = replica.base_url("panyu") + "calendar?date=2021-01-01"
        command = [sys.executable, "-m", "tests.integration.test_crawl_manners", "follow-all", url]
        started = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])
    assert stats.get("nianbao/refused/query_variants", 0) >= 1, stats
    assert stats["test/calendar_pages"] <= 30, stats  # NIANBAO_TRAPS_QUERY_VARIANTS
    assert stats["finish_reason"] == "finished", "the crawl ended by itself, not at the page or time bound"
    assert time.monotonic() - started < 60


if __name__ == "__main__" and sys.argv[1:2] == ["follow-all"]:
    print(json.dumps(follow_all(sys.argv[2]), default=str))
