"""Serve the replica portals on loopback: one address per site (127.0.0.11, .12, …), one port for all.

The handler picks the site tree by the address the request arrived on. Static files come from
`site/<label>/` with the Content-Type recorded in `site/_meta.json`; the behaviours a file cannot show
are made here: the endless calendar, a 500, a slow page, JCMS's dataproxy.jsp and a Ruishu-like 412 site.

    python -m replica.server --port 8000      # until Ctrl-C
    with Replica(port=0) as r: r.base_url("panyu")
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import ipaddress
import json
import logging
import threading
import time
from functools import cache
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

SITE_DIR = Path(__file__).parent / "site"
SLOW_SECONDS = 3.0  # long enough to trip a tight download timeout, short enough for tests
JPAGE_PATH = "/module/web/jpage/dataproxy.jsp"
ERROR_PATH = "/system/error.jsp"

RUISHU_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta http-equiv="Pragma" content="no-cache"><meta http-equiv="Cache-Control" content="no-cache">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="2Lk8mTUX0YdQcPhLBnVqZ3ufZJZ7dT1aH0G3mQ9x7VmJw4tS6k1pC5nR">
<script type="text/javascript">$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=48213;
$_ts.cd="qhxlrrAlDGWhqGAEqqqqrqAGrqGEqGqFrGqk";
$_ts.lcd=function(){var _$Oc=document.cookie;return _$Oc.indexOf('FSSBBIl1UgzbN7N80T')<0};</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" r="m"></script>
</head><body></body></html>
"""


@cache
def load_meta(site_dir: Path = SITE_DIR) -> dict[str, Any]:
    """`_meta.json`: per site label its address, headers of every file, JCMS records, blocked flag."""
    return json.loads((site_dir / "_meta.json").read_text(encoding="utf-8"))


def hosts(site_dir: Path = SITE_DIR) -> dict[str, str]:
    """Site label → loopback address."""
    return {label: s["host"] for label, s in load_meta(site_dir)["sites"].items()}


def dataproxy_xml(records: list[str], params: dict[str, str]) -> bytes:
    """The XML 大汉 JCMS answers: records startrecord..endrecord (1-based, inclusive) in CDATA."""
    total = len(records)
    start = max(1, int(params.get("startrecord", "1") or 1))
    end = min(total, int(params.get("endrecord", str(start + 14)) or start + 14))
    columnid = params.get("columnid", "")
    nxt = (
        f'<a href="{JPAGE_PATH}?page=1&appid=1&webid=1&path=/&columnid={columnid}&unitid=4021'
        f'&webname=&permissiontype=0"></a>'
    )
    rows = "".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records[start - 1 : end])
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<datastore><nextgroup><![CDATA[{nxt}]]></nextgroup><recordset>{rows}</recordset>"
        f"<totalrecord>{total}</totalrecord></datastore>"
    )
    return xml.encode("utf-8")


def calendar_page(date_text: str) -> bytes:
    """A day of the events calendar, linking to the next and previous day for ever (a crawler trap)."""
    try:
        day = dt.date.fromisoformat(date_text)
    except ValueError:
        day = dt.date(2021, 1, 1)
    prev, nxt = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>活动日历</title></head><body>'
        f"<h1>活动日历 {day.isoformat()}</h1><p>{day.year}年{day.month}月{day.day}日 暂无活动安排。</p>"
        f'<a href="/calendar?date={prev.isoformat()}">前一天</a> <a href="/calendar?date={nxt.isoformat()}">后一天</a>'
        '<p><a href="/">返回首页</a></p></body></html>'
    )
    return html.encode("utf-8")


class ReplicaHandler(BaseHTTPRequestHandler):
    """One handler for every site; the site is the address the request arrived on."""

    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    site_dir: Path = SITE_DIR
    slow_seconds: float = SLOW_SECONDS
    # (label, path) → body served instead of the file; each Replica gives its handler its own (Replica.override)
    overrides: ClassVar[dict[tuple[str, str], bytes]] = {}

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self._address(), format % args)

    # -- plumbing --

    def _send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _not_found(self) -> None:
        body = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
        self._send(404, body.encode(), "text/html")

    def _address(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]  # type: ignore[index, str-unpack]
        return str(host), int(port)

    def _site(self) -> tuple[str, dict[str, Any]] | None:
        addr = self._address()[0]
        for label, site in load_meta(self.site_dir)["sites"].items():
            if site["host"] == addr:
                return label, site
        return None

    # -- methods --

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._route(form)

    def do_GET(self) -> None:
        self._route("")

    def _route(self, form: str) -> None:
        found = self._site()
        if found is None:
            self._index()
            return
        label, site = found
        url = urlsplit(self.path)
        path = url.path or "/"
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        params.update({k: v[-1] for k, v in parse_qs(form).items()})
        if site["blocked"] and path != "/robots.txt":
            cookie = "FSSBBIl1UgzbN7N80S=" + hashlib.sha1(self.path.encode()).hexdigest()[:32] + "; Path=/; HttpOnly"
            self._send(412, RUISHU_PAGE.encode(), "text/html; charset=utf-8", {"Set-Cookie": cookie})
        elif path == "/calendar":
            self._send(200, calendar_page(params.get("date", "")), "text/html; charset=utf-8")
        elif path == ERROR_PATH:
            body = b"<html><body><h1>500 Internal Server Error</h1><p>java.lang.NullPointerException</p></body></html>"
            self._send(500, body, "text/html")
        elif path == JPAGE_PATH:
            records = site["jpage"].get(params.get("columnid", ""))
            if records is None:
                self._not_found()
            else:
                self._send(200, dataproxy_xml(records, params), "text/xml;charset=UTF-8")
        else:
            if path.startswith("/slow/"):
                time.sleep(self.slow_seconds)
            self._static(label, site, path, url.query)

    def _static(self, label: str, site: dict[str, Any], path: str, query: str) -> None:
        if path.endswith("/"):
            path += "index.html"
        key = f"{path}@{query}" if query and f"{path}@{query}" in site["headers"] else path
        if key not in site["headers"]:
            self._not_found()
            return
        body = self.overrides.get((label, key)) or (self.site_dir / label / key.lstrip("/")).read_bytes()
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, {"ETag": etag})
            return
        self._send(200, body, site["headers"][key], {"ETag": etag, "Last-Modified": "Mon, 06 May 2024 02:00:00 GMT"})

    def _index(self) -> None:
        """On the `bind` address: a page that lists the sites, for people poking at the replica."""
        port = self._address()[1]
        rows = "".join(
            f'<li><a href="http://{h}:{port}/">{escape(label)}</a> {h}</li>'
            for label, h in hosts(self.site_dir).items()
        )
        self._send(200, f"<html><body><h1>nianbao replica</h1><ul>{rows}</ul></body></html>".encode(), "text/html")


def _check_loopback(address: str) -> None:
    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"the replica binds only to 127.0.0.0/8, not {address}")


class Replica:
    """All replica sites on one port, each on its own loopback address; a context manager.

    `port=0` picks a port that is free on every address (retried when one of them is taken).
    """

    def __init__(
        self,
        port: int = 0,
        *,
        bind: str | None = None,
        site_dir: Path = SITE_DIR,
        slow_seconds: float = SLOW_SECONDS,
        attempts: int = 20,
    ) -> None:
        self.requested_port = port
        self.bind = bind
        self.site_dir = site_dir
        self.slow_seconds = slow_seconds
        self.attempts = attempts
        self.hosts = hosts(site_dir)
        self.port = 0
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._overrides: dict[tuple[str, str], bytes] = {}

    def _handler(self) -> type[ReplicaHandler]:
        attrs = {"site_dir": self.site_dir, "slow_seconds": self.slow_seconds, "overrides": self._overrides}
        return type("Handler", (ReplicaHandler,), attrs)

    def override(self, site: str, path: str, body: bytes) -> None:
        """Serve `body` at `path` of `site` (label or address) from now on, with its own ETag: a page that changed.

        Only an existing static page can change (its Content-Type stays); a test changes one report this way.
        """
        label = site if site in self.hosts else next((k for k, a in self.hosts.items() if a == site), None)
        if label is None or path not in load_meta(self.site_dir)["sites"][label]["headers"]:
            raise KeyError(f"no page {path} on replica site {site}")
        self._overrides[(label, path)] = body

    def _addresses(self) -> list[str]:
        addresses = list(self.hosts.values()) + ([self.bind] if self.bind else [])
        for a in addresses:
            _check_loopback(a)
        return addresses

    def start(self) -> Replica:
        handler = self._handler()
        addresses = self._addresses()
        for _ in range(self.attempts):
            servers: list[ThreadingHTTPServer] = []
            try:
                port = self.requested_port
                for addr in addresses:
                    srv = ThreadingHTTPServer((addr, port), handler)
                    srv.daemon_threads = True
                    servers.append(srv)
                    port = srv.server_address[1]
            except OSError as e:
                for s in servers:
                    s.server_close()
                if e.errno != errno.EADDRINUSE or self.requested_port:
                    raise
                continue
            self._servers, self.port = servers, port
            break
        else:
            raise OSError(errno.EADDRINUSE, "no port free on every replica address")
        for srv in self._servers:
            t = threading.Thread(target=srv.serve_forever, name=f"replica-{srv.server_address[0]!r}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._servers, self._threads = [], []

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def host(self, label: str) -> str:
        return self.hosts[label]

    def base_url(self, label: str) -> str:
        """`http://127.0.0.N:port/` of the site `label` (panyu, xiangtan, changping, …)."""
        return f"http://{self.hosts[label]}:{self.port}/"


def serve(port: int, *, bind: str = "127.0.0.1", site_dir: Path = SITE_DIR) -> Replica:
    """Start the replica (sites on their own addresses, a site index on `bind`) and return it running."""
    return Replica(port, bind=bind, site_dir=site_dir).start()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the nianbao portal replica on loopback.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--bind", default="127.0.0.1", help="address of the site index page")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    replica = serve(args.port, bind=args.bind)
    for label in replica.hosts:
        print(f"{label:12} {replica.base_url(label)}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        replica.stop()


if __name__ == "__main__":
    main()
