"""Politeness that listens: a host answering 503/429 with Retry-After is slowed down and asked again after the wait;
a host that keeps refusing is recorded as such; each site's summary counts what its host answered. And a host whose
robots.txt cannot be had (RFC 9309, 2.3.1.4: a 5xx answer or a network error means complete disallow) is not
crawled: its sites end alone, failed with the reason; a 404 robots.txt means there is none.

Tiny portals on loopback hosts (a download slot each), crawled by one `python -m crawler.crawl` process with one
crawler (sites file). Politeness: the first refuses its report once (503, Retry-After: 2) then serves it; the
second refuses it every time (429, Retry-After: 1).
"""

from __future__ import annotations

import contextlib
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

import pytest

from nianbao.sites import Site

pytestmark = pytest.mark.integration
RETRY_AFTER = {"a": 2, "b": 1}
STATUS = {"a": 503, "b": 429}
LISTING = (
    '<html><head><meta charset="utf-8"></head><body><ul><li><a href="/report.html">测试区2021年法治政府建设年度报告'
    "</a><span>2022-03-01</span></li></ul></body></html>"
)
REPORT = (
    "<html><head><title>测试区2021年法治政府建设年度报告</title></head><body><h1>测试区2021年法治政府建设年度报告"
    "</h1><p>2021年，测试区深入推进法治政府建设。</p></body></html>"
)


def handler_for(name: str, log: list[tuple[float, str, int]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            refusals = sum(1 for _, path, status in log if path == "/report.html" and status >= 400)
            status, body, headers = 200, "", {}
            if self.path == "/robots.txt":
                body = "User-agent: *\nAllow: /\n"
            elif self.path == "/list.html":
                body = LISTING
            elif self.path == "/report.html":
                if name == "b" or refusals == 0:  # b refuses for ever, a once
                    status, body, headers = STATUS[name], "busy", {"Retry-After": str(RETRY_AFTER[name])}
                else:
                    body = REPORT
            else:
                status, body = 404, "not found"
            log.append((time.monotonic(), self.path, status))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextlib.contextmanager
def serving(handlers: dict[str, tuple[str, type[BaseHTTPRequestHandler]]]) -> Iterator[dict[str, str]]:
    """Each handler on its loopback address (name → (address, handler)); yield name → base URL."""
    bases, servers = {}, []
    try:
        for name, (address, handler) in handlers.items():
            server = ThreadingHTTPServer((address, 0), handler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            bases[name] = f"http://{address}:{server.server_address[1]}"
        yield bases
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def crawl(bases: dict[str, str], tmp_path: Path, copies: int = 1) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """One crawl process over `copies` sites on each base URL (test-{name}, or test-{name}{n} with copies), their
    column at /list.html: the summaries by site, and the sites of the captures, in order."""
    sites = [
        Site(code=f"test-{name}{n if copies > 1 else ''}", name="测试区人民政府", division="110101",
             level="district", start_urls=(f"{base}/list.html",), listing_urls=(f"{base}/list.html",), delay=0,
             local=True)
        for name, base in bases.items()
        for n in range(1, copies + 1)
    ]  # fmt: skip
    sites_file, out = tmp_path / "sites.json", tmp_path / "captures.jsonl"
    sites_file.write_text(json.dumps([s.model_dump(mode="json") for s in sites]), encoding="utf-8")
    command = [sys.executable, "-m", "crawler.crawl", "--sites-file", str(sites_file), "--year", "2021"]
    command += ["--kind=rule_of_law", "--store", str(tmp_path / "data"), "--captures-out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-4000:]
    summaries = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {s["site"]: s for s in summaries}, [json.loads(line)["site"] for line in out.read_text("utf-8").splitlines()]


@pytest.fixture
def portals() -> Iterator[dict[str, tuple[str, list[tuple[float, str, int]]]]]:
    logs: dict[str, list[tuple[float, str, int]]] = {"a": [], "b": []}
    handlers = {
        name: (address, handler_for(name, logs[name])) for name, address in (("a", "127.0.0.1"), ("b", "127.0.0.2"))
    }
    with serving(handlers) as bases:
        yield {name: (base, logs[name]) for name, base in bases.items()}


def test_retry_after_is_honoured_and_a_host_that_keeps_refusing_is_recorded(portals, tmp_path: Path) -> None:
    summaries, captured = crawl({name: base for name, (base, _) in portals.items()}, tmp_path)

    # a: refused once, asked again no sooner than its Retry-After, then captured.
    a_log = [(t, status) for t, path, status in portals["a"][1] if path == "/report.html"]
    assert [status for _, status in a_log] == [503, 200]
    assert a_log[1][0] - a_log[0][0] >= RETRY_AFTER["a"] * 0.9
    a = summaries["test-a"]
    assert captured == ["test-a"]
    assert a["throttled"] == 1 and a["refused_by_host"] == 0
    assert a["statuses"] == {"2xx": 3, "5xx": 1}  # robots.txt, listing, report; the one refusal

    # b: every try refused (the first and Scrapy's two retries), each after the wait; recorded as refusing.
    b_log = [t for t, path, status in portals["b"][1] if path == "/report.html"]
    assert len(b_log) == 3
    assert min(later - earlier for earlier, later in itertools.pairwise(b_log)) >= RETRY_AFTER["b"] * 0.9
    b = summaries["test-b"]
    assert b["throttled"] == 3 and b["refused_by_host"] == 1
    assert b["statuses"] == {"2xx": 2, "4xx": 3}
    assert [f["reason"] for f in b["fetch_failed"]] == ["HTTP 429"]


ROBOTS = {"down": 503, "reset": 0, "absent": 404}  # host → what its robots.txt answers (0: the connection drops)


def robots_handler(robots: int, log: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            log.append(self.path)
            if self.path == "/robots.txt" and robots == 0:
                self.close_connection = True
                self.connection.close()
                return
            answers = {"/robots.txt": (robots, "no"), "/list.html": (200, LISTING), "/report.html": (200, REPORT)}
            status, body = answers.get(self.path, (404, "not found"))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def test_a_site_whose_robots_txt_is_unreachable_is_not_crawled_and_ends_alone(tmp_path: Path) -> None:
    logs: dict[str, list[str]] = {name: [] for name in ROBOTS}
    addresses = dict(zip(ROBOTS, ("127.0.0.3", "127.0.0.4", "127.0.0.5"), strict=True))
    with serving({name: (addresses[name], robots_handler(code, logs[name])) for name, code in ROBOTS.items()}) as bases:
        summaries, captured = crawl(bases, tmp_path, copies=2)  # both sites of a host end, whichever asked first

    for name, why in (("down", "HTTP 503"), ("reset", "robots.txt unreachable (")):
        assert set(logs[name]) == {"/robots.txt"}, f"{name}: asked beyond robots.txt: {logs[name]}"
        for n in (1, 2):
            summary = summaries[f"test-{name}{n}"]
            assert summary["error"] and why in summary["error"] and "RFC 9309" in summary["error"], summary
            assert summary["captures"] == 0 and not summary["blocked"] and not summary["fetch_failed"], summary
    assert sorted(captured) == ["test-absent1", "test-absent2"]  # no robots.txt (404): everything allowed
    assert not summaries["test-absent1"]["error"] and not summaries["test-absent2"]["error"]
