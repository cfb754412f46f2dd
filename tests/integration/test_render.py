"""Rendering: a listing whose report links are written by JavaScript yields its report only with `render: true`.

A small server on 127.0.0.1 serves a listing page that holds no links until its script has run, and the report
page it links to. `python -m crawler.crawl` (captures to a file, no Redis) crawls it twice: with rendering off the
spider sees an empty list; with it on, the listing goes through Debian's Chromium and the report is captured.
Chromium is a system package, not something this test may skip over: without it the test fails and says how to
install it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler import settings as crawler_settings
from crawler.render import INSTALL_HINT
from nianbao.sites import Site

pytestmark = pytest.mark.integration
REPORT = "/fzzfjs/202202/t20220225_5043.html"
TITLE = "示范县人民政府2021年法治政府建设年度报告"
LISTING = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设</title></head><body>
<h2>法治政府建设</h2><ul id="list"></ul>
<script>
var items = [
  ["{REPORT}", "{TITLE}", "2022-02-25"],
  ["/fzzfjs/202201/t20220110_5036.html", "关于印发2022年工作要点的通知", "2022-01-10"]
];
document.addEventListener("DOMContentLoaded", function () {{
  var list = document.getElementById("list");
  items.forEach(function (item) {{
    var li = document.createElement("li"), a = document.createElement("a"), span = document.createElement("span");
    a.href = item[0]; a.textContent = item[1]; span.textContent = item[2];
    li.appendChild(a); li.appendChild(span); list.appendChild(li);
  }});
}});
</script></body></html>"""
DETAIL = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>
<h1>{TITLE}</h1><p>2021年，县政府坚持以习近平法治思想为指导，全面推进依法行政。</p></body></html>"""
PAGES = {"/fzzfjs/index.html": LISTING, REPORT: DETAIL}


class Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        page = PAGES.get(urlsplit(self.path).path)
        body = (page or "<html><body>404</body></html>").encode("utf-8")
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    chromium = crawler_settings.NIANBAO_RENDER_CHROMIUM
    if not os.access(chromium, os.X_OK):
        pytest.fail(f"rendering needs Chromium at {chromium}; {INSTALL_HINT}")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def crawl(base: str, tmp: Path, *, render: bool) -> list[str]:
    """The paths one crawl of the site captured, with rendering on or off."""
    site = Site(
        code=f"render-{'on' if render else 'off'}",
        name="示范县人民政府",
        division="110101",
        level="county",
        start_urls=(f"{base}/fzzfjs/index.html",),
        listing_urls=(f"{base}/fzzfjs/index.html",),
        delay=0,
        local=True,
        render=render,
    )
    out = tmp / f"{site.code}.jsonl"
    command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", "2021"]
    command += ["--kind=rule_of_law", "--store", str(tmp / "data"), f"--captures-out={out}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert not summary.get("error"), summary
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    return [urlsplit(json.loads(line)["url"]).path for line in lines if line.strip()]


def test_links_written_by_javascript_are_found_only_when_rendered(server: str, tmp_path: Path) -> None:
    assert crawl(server, tmp_path, render=False) == [], "without a browser the list is empty"
    assert crawl(server, tmp_path, render=True) == [REPORT]
