"""A robots.txt that cannot be had (RFC 9309, 2.3.1.4): a 5xx answer or a network error means complete disallow, so
the sites of that host end alone, recorded as blocked with the reason, and nothing but robots.txt is asked of them;
a 404 means there is none, and the site is crawled. One crawl process, one crawler, three hosts on loopback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from nianbao.sites import Site

pytestmark = pytest.mark.integration
LISTING = (
    '<html><head><meta charset="utf-8"></head><body><ul><li><a href="/report.html">测试区2021年法治政府建设年度报告'
    "</a><span>2022-03-01</span></li></ul></body></html>"
)
REPORT = (
    "<html><head><title>测试区2021年法治政府建设年度报告</title></head><body><h1>测试区2021年法治政府建设年度报告"
    "</h1><p>2021年，测试区深入推进法治政府建设。</p></body></html>"
)
ROBOTS = {"down": 503, "reset": 0, "absent": 404}  # host → what its robots.txt answers (0: the connection drops)


def handler_for(robots: int, log: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            log.append(self.path)
            if self.path == "/robots.txt" and robots == 0:
                self.close_connection = True
                self.connection.close()
                return
            status, body = {"/robots.txt": (robots, "no"), "/list.html": (200, LISTING)}.get(
                self.path, (200, REPORT) if self.path.startswith("/report") else (404, "not found")
            )
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def hosts() -> Iterator[dict[str, tuple[str, list[str]]]]:
    out, servers = {}, []
    for (name, robots), address in zip(ROBOTS.items(), ("127.0.0.3", "127.0.0.4", "127.0.0.5"), strict=True):
        log: list[str] = []
        server = ThreadingHTTPServer((address, 0), handler_for(robots, log))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        out[name] = (f"http://{address}:{server.server_address[1]}", log)
    yield out
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_site_whose_robots_txt_is_unreachable_is_not_crawled_and_ends_alone(hosts, tmp_path: Path) -> None:
    # Two sites on each host: both end, whichever asked for robots.txt first.
    sites = [
        Site(code=f"test-{name}{n}", name="测试区人民政府", division="110101", level="district",
             start_urls=(f"{base}/list.html",), listing_urls=(f"{base}/list.html",), delay=0, local=True)
        for name, (base, _) in hosts.items()
        for n in (1, 2)
    ]  # fmt: skip
    sites_file, out = tmp_path / "sites.json", tmp_path / "captures.jsonl"
    sites_file.write_text(json.dumps([s.model_dump(mode="json") for s in sites]), encoding="utf-8")
    command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", "2021"]
    command += ["--kind=rule_of_law", "--store", str(tmp_path / "data"), "--captures-out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-4000:]
    summaries = {s["site"]: s for s in map(json.loads, filter(None, done.stdout.splitlines())) if "site" in s}
    captured = sorted(json.loads(line)["site"] for line in out.read_text("utf-8").splitlines())

    for name, why in (("down", "HTTP 503"), ("reset", "robots.txt unreachable (")):
        assert set(hosts[name][1]) == {"/robots.txt"}, f"{name}: asked beyond robots.txt: {hosts[name][1]}"
        for n in (1, 2):
            summary = summaries[f"test-{name}{n}"]
            assert summary["blocked"] and why in summary["blocked"] and "RFC 9309" in summary["blocked"], summary
            assert summary["captures"] == 0 and not summary["error"] and not summary["fetch_failed"], summary
    assert captured == ["test-absent1", "test-absent2"]  # no robots.txt (404): everything allowed
    assert not summaries["test-absent1"]["blocked"] and not summaries["test-absent2"]["blocked"]
