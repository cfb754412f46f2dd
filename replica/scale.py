"""Many small portals from one process, for measuring a national harvest (issue 8).

Site i (0-based) answers on its own loopback address, 127.0.1.1, 127.0.1.2, … (Linux routes all of 127.0.0.0/8
to `lo`; Scrapy needs distinct hosts, and without DNS only distinct addresses give them), all on one port. One
selector thread accepts on every listening socket; each connection gets a short-lived thread. Pages are made
on the fly from the replica templates (`templates.py`, `content.py`), the same bytes every time:

  /robots.txt, /index.html      home page with a 法治政府建设 block and a 政务动态 block
  /fzzfjs/…                     the column: 2–3 rule-of-law reports of several years (always the target
                                year) among 8–13 filler items, 6 per page; TRS createPageHTML pages
                                (index.html, index_1.html …) on even sites, plain 下一页 links on odd ones.
                                `column_pages=P`: a busy column of P pages, its filler items dated from the
                                report year on, so a crawl for the year walks every page (a site of ≈ P + 3
                                requests: what a national harvest meets, ~30 pages a portal)
  /zwdt/…                       one page of news, never a report

    with ScaleReplica(200) as r:
        registry = scale_sites_yaml(200, r.port)     # YAML for nianbao.sites.parse_registry
        expected = scale_ground_truth(200)           # the reports on the target year (2021 by default)

Faulty sites (bench/chaos.py's national row): `ScaleReplica(n, faults=faulty_sites(n, 0.1))` makes one site in ten
answer its report URL of the target year as one of replica.faults' REPORT_FAULTS does (a time-out, a reset, 5xx,
a challenge, a bomb, malformed bytes …), through replica.faults.answer: the faults are defined there only.

    python -m replica.scale --sites 1000 --port 0 --seconds 900   # prints "port N" when ready
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import logging
import random
import selectors
import socket
import socketserver
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

from replica import templates as T
from replica.content import Doc, filler_doc, rule_of_law_report
from replica.faults import DEFINED, REPORT_FAULTS, Fault, Sizes, answer

log = logging.getLogger(__name__)

DEFAULT_YEAR = 2021
MAX_SITES = 254 * 254  # 127.0.1.1 … 127.0.254.254
PER_PAGE = 6  # items per listing page: 2–3 pages per column
ROBOTS = "User-agent: *\nDisallow: /search/\n"
KIND = "rule_of_law"

# Names are made from these, so that every site reads like a county government and no two are alike.
_PROVINCES = [
    ("11", "北京市"), ("13", "河北省"), ("14", "山西省"), ("21", "辽宁省"), ("32", "江苏省"), ("33", "浙江省"),
    ("34", "安徽省"), ("35", "福建省"), ("36", "江西省"), ("37", "山东省"), ("41", "河南省"), ("42", "湖北省"),
    ("43", "湖南省"), ("44", "广东省"), ("45", "广西壮族自治区"), ("51", "四川省"), ("52", "贵州省"), ("53", "云南省"),
]  # fmt: skip
_SYLLABLES = "安宁平和清源丰泰阳新兴永长乐华明德宜兰青山河川林江海云松石桥溪湖"
_SUFFIXES = ["县", "区", "市", "旗"]
_VENDORS = ["拓尔思信息技术股份有限公司", "开普云信息科技股份有限公司", "大汉软件股份有限公司", "南威软件股份有限公司"]


def address(index: int) -> str:
    """The loopback address of site `index` (0-based): 127.0.1.1, …, 127.0.1.254, 127.0.2.1, …"""
    if not 0 <= index < MAX_SITES:
        raise ValueError(f"site index {index} outside 0..{MAX_SITES - 1}")
    return f"127.0.{1 + index // 254}.{1 + index % 254}"


def index_of(addr: str) -> int | None:
    parts = addr.split(".")
    if len(parts) != 4 or parts[:2] != ["127", "0"]:
        return None
    third, fourth = int(parts[2]), int(parts[3])
    if not (1 <= third <= 254 and 1 <= fourth <= 254):
        return None
    return (third - 1) * 254 + fourth - 1


def code(index: int) -> str:
    return f"scale-{index + 1:05d}"


@dataclass
class ScaleSite:
    """One generated portal: its template data, its pages (path → bytes, Content-Type) and its reports."""

    index: int
    site: dict[str, Any]
    pages: dict[str, tuple[bytes, str]]
    reports: list[Doc]


def _place(index: int) -> tuple[str, str, str]:
    """(province name, place name, 6-digit division code) of site `index`, unique per index."""
    prov_code, prov = _PROVINCES[index % len(_PROVINCES)]
    n = index // len(_PROVINCES)
    s = _SYLLABLES
    place = s[n % len(s)] + s[(n // len(s) + index) % len(s)] + _SUFFIXES[(n // len(s) ** 2) % len(_SUFFIXES)]
    place += "" if n < len(s) ** 2 * len(_SUFFIXES) else str(n)
    return prov, place, f"{prov_code}{1000 + n % 9000:04d}"


def _site_dict(index: int) -> dict[str, Any]:
    prov, place, _ = _place(index)
    gbk = index % 5 == 3  # one site in five is GBK declared as gb2312, as many county portals are
    return {
        "label": code(index),
        "host": address(index),
        "name": f"{place}人民政府",
        "owner": f"{place}人民政府办公室",
        "host_unit": f"{place}政务服务数据管理局",
        "site_id": f"{9000000000 + index:010d}",
        "icp": f"{prov[0]}ICP备{10000000 + index}号",
        "gongan": f"{prov[0]}公网安备 {50000000000000 + index}号",
        "vendor": _VENDORS[index % len(_VENDORS)],
        "encoding": "gbk" if gbk else "utf-8",
        "declared": "gb2312" if gbk else "utf-8",
        "http_charset": "gb2312" if gbk else "utf-8",
        "container": 'class="TRS_Editor"' if index % 2 == 0 else 'id="zoom"',
        "meta_tags": index % 2 == 0,
        "info_style": "line",
        "style": "trs" if index % 2 == 0 else "next",
        "nav": [],
    }


def report_years(index: int, year: int) -> list[int]:
    """The years site `index` has reports on: always `year`, and one or two others."""
    r = random.Random(f"scale-years-{index}")
    others = r.sample([year - 2, year - 1, year + 1], 1 + index % 2)
    return sorted([year, *others], reverse=True)


def _report(index: int, site: dict[str, Any], year: int) -> Doc:
    r = random.Random(f"scale-report-{index}-{year}")
    place = site["name"].removesuffix("人民政府")
    local = f"{place}在第{r.randint(2, 19)}个村（社区）建成法律服务点，全年受理法律咨询{r.randint(100, 2000)}件。"
    body = rule_of_law_report(site["name"], year, local, superior="县委", seed=f"{code(index)}-{year}")
    month, day = 1 + r.randrange(3), 1 + r.randrange(28)
    return Doc(
        key=f"{code(index)}-{year}",
        title=f"{place}{year}年法治政府建设年度报告",
        published=f"{year + 1}-{month:02d}-{day:02d}",
        time=f"{r.randint(8, 17):02d}:{r.randint(0, 59):02d}",
        paragraphs=body,
        source=site["name"],
        kind=KIND,
        year=year,
        issuer=site["name"],
        text_contains=[local],
    )


def _fillers(index: int, site: dict[str, Any], count: int, first: int, base_year: int, years: int = 4) -> list[Doc]:
    """`count` filler items dated in the `years` years up to `base_year`."""
    name = site["name"].removesuffix("人民政府")
    out = []
    for i in range(first, first + count):
        y, m, d = base_year - (i * 7) % years, 1 + (i * 5) % 12, 1 + (i * 11 + index) % 28
        out.append(filler_doc(f"{code(index)}-f", name, i, y, m, d))
    return out


def _paths(site: dict[str, Any], column: str, docs: list[Doc], first_id: int) -> None:
    for n, d in enumerate(docs):
        ident = first_id + 7 * n
        if site["style"] == "trs":
            ymd = d.published.replace("-", "")
            d.path = f"/{column}/{ymd[:6]}/t{ymd}_{ident}.html"
        else:
            d.path = f"/{column}/content_{ident}.html"


def listing_path(site: dict[str, Any], column: str, page: int) -> str:
    """Page `page` (0-based) of a column."""
    if site["style"] == "trs":
        return f"/{column}/index.html" if page == 0 else f"/{column}/index_{page}.html"
    return f"/{column}/list.html" if page == 0 else f"/{column}/list_{page + 1}.html"


def _column(
    site: dict[str, Any], column: str, name: str, docs: list[Doc], related: list[Doc], put: Any
) -> tuple[str, list[Doc]]:
    """Write a column's listing and detail pages with `put(path, html)`; return its URL and docs, newest first."""
    docs = sorted(docs, key=lambda d: (d.published, d.time), reverse=True)
    chunks = [docs[i : i + PER_PAGE] for i in range(0, len(docs), PER_PAGE)] or [[]]
    href = listing_path(site, column, 0)
    for page, chunk in enumerate(chunks):
        if site["style"] == "trs":
            html = T.listing_trs(site, (name, href), chunk, page, len(chunks))
        else:
            html = T.listing_next(
                site, (name, href), chunk, page + 1, len(chunks), lambda n: listing_path(site, column, n - 1)
            )
        put(listing_path(site, column, page), html)
    for d in docs:
        put(d.path, T.detail(site, d, (name, href), [r for r in related if r is not d][:4]))
    return href, docs


@lru_cache(maxsize=256)
def build_site(index: int, year: int = DEFAULT_YEAR, reports: bool = True, column_pages: int = 0) -> ScaleSite:
    """Every page of site `index`, made from its index alone; `reports=False` swaps the reports for filler;
    `column_pages` > 0 makes the report column that many pages long, its fillers from `year` to `year` + 2."""
    site = _site_dict(index)
    pages: dict[str, tuple[bytes, str]] = {}
    ctype = f"text/html; charset={site['http_charset']}"

    def put(path: str, html: str) -> None:
        pages[path] = (html.encode(site["encoding"], errors="xmlcharrefreplace"), ctype)

    years = report_years(index, year)
    docs = [_report(index, site, y) for y in years] if reports else []
    if column_pages:
        fillers = _fillers(index, site, column_pages * PER_PAGE - len(docs), 0, year + 2, years=3)
    else:
        fillers = _fillers(index, site, 8 + index % 6 + (0 if reports else len(years)), 0, year + 2)
    news = _fillers(index, site, 3, 100, year + 2)
    _paths(site, "fzzfjs", docs + fillers, 5001 + index % 97)
    _paths(site, "zwdt", news, 9001)
    site["nav"] = [("法治政府建设", listing_path(site, "fzzfjs", 0)), ("政务动态", listing_path(site, "zwdt", 0))]
    fz_href, fz = _column(site, "fzzfjs", "法治政府建设", docs + fillers, docs, put)
    news_href, news = _column(site, "zwdt", "政务动态", news, [], put)
    home = T.home(site, [("法治政府建设", fz_href, fz[:6]), ("政务动态", news_href, news[:6])], [])
    put("/index.html", home)
    pages["/robots.txt"] = (ROBOTS.encode(), "text/plain")
    return ScaleSite(index, site, pages, docs)


# --- registry and ground truth ------------------------------------------------------------------------------


def scale_sites_yaml(n: int, port: int) -> str:
    """The registry of `n` scale sites on `port`: every site `local`, no delay; even sites name their listing
    page, odd ones leave the spider to find the column from the home page."""
    lines = [f"# nianbao scale replica: {n} sites (python -m replica.scale)", "sites:"]
    for i in range(n):
        site, (_, _, division) = _site_dict(i), _place(i)
        base = f"http://{address(i)}:{port}"
        lines += [
            f"  - code: {code(i)}",
            f"    name: {site['name']}",
            f'    division: "{division}"',
            "    level: county",
            f"    start_urls: [{base}/]",
            f'    allowed_domains: ["{address(i)}"]',
        ]
        if i % 2 == 0:
            lines.append(f"    listing_urls: [{base}{listing_path(site, 'fzzfjs', 0)}]")
        lines += ["    delay: 0", "    local: true"]
    return "\n".join(lines) + "\n"


def scale_ground_truth(n: int, year: int = DEFAULT_YEAR, *, all_years: bool = False) -> list[dict[str, Any]]:
    """The reports of the first `n` sites: those on `year` (what a harvest of `year` must store), or every year."""
    out = []
    for i in range(n):
        for d in build_site(i, year).reports:
            if all_years or d.year == year:
                out.append(
                    {"site": code(i), "host": address(i), "path": d.path, "year": d.year, "kind": d.kind,
                     "title": d.title, "published": d.published, "text_contains": d.text_contains}
                )  # fmt: skip
    return out


def faulty_sites(n: int, share: float) -> dict[int, Fault]:
    """Site index → its fault: every (1/share)-th site of the first `n`, each given the next of REPORT_FAULTS.

    The faults go in strides of three through REPORT_FAULTS (timeout, long-5xx, challenge-412, huge-100mb,
    deep-html, truncated-pdf, zip-bomb-ofd, reset, …) so that eight faulty sites already meet a time-out, a 5xx, a
    challenge, a reset and malformed pages; every fault once in 19 sites.
    """
    order = [REPORT_FAULTS[i] for start in range(3) for i in range(start, len(REPORT_FAULTS), 3)]
    every = max(1, round(1 / share))
    return {index: order[k % len(order)] for k, index in enumerate(range(every - 1, n, every))}


# --- serving --------------------------------------------------------------------------------------------------


class ScaleHandler(BaseHTTPRequestHandler):
    """Answers for the site whose address the connection arrived on."""

    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.server.server_address[0], format % args)  # type: ignore[index]

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        srv: _SiteServer = self.server  # type: ignore[assignment]
        index = index_of(str(srv.server_address[0]))
        path = urlsplit(self.path).path or "/"
        if path.endswith("/"):
            path += "index.html"
        if index is not None and srv.owner.answer_fault(self, index, path):
            return
        found = srv.owner.page(index, path) if index is not None else None
        if found is None:
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", {})
            return
        body, ctype = found
        etag = '"' + hashlib.md5(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, {"ETag": etag})
            return
        self._send(200, body, ctype, {"ETag": etag, "Last-Modified": "Mon, 06 May 2024 02:00:00 GMT"})

    def _send(self, status: int, body: bytes, ctype: str | None, extra: dict[str, str]) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)


class _SiteServer(ThreadingHTTPServer):
    """One site's listening socket; connections are recorded so that `stop()` can close them."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, addr: tuple[str, int], owner: ScaleReplica) -> None:
        self.owner = owner
        super().__init__(addr, ScaleHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.owner.lock:
            self.owner.connections.add(request)
        super().process_request(request, client_address)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse lookup of the address's name (≈ 75 ms each here: 75 s for 1,000 sites)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a crawl killed, a download given up) is not the replica's error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.owner.lock:
            self.owner.connections.discard(request)
        super().shutdown_request(request)


class ScaleReplica:
    """`n` generated sites on one port, one loopback address each; a context manager.

    `port=0` picks a port free on every address (retried when one is taken). `seconds` stops it by itself.
    """

    def __init__(
        self,
        n: int,
        port: int = 0,
        *,
        year: int = DEFAULT_YEAR,
        reports: bool = True,
        seconds: float | None = None,
        attempts: int = 20,
        faults: dict[int, Fault] | None = None,
        sizes: Sizes = DEFINED,
        column_pages: int = 0,
    ) -> None:
        if not 1 <= n <= MAX_SITES:
            raise ValueError(f"n must be within 1..{MAX_SITES}")
        self.n, self.requested_port, self.year, self.reports = n, port, year, reports
        self.seconds, self.attempts = seconds, attempts
        self.faults, self.sizes, self.column_pages = faults or {}, sizes, column_pages
        self.hits: Counter[tuple[int, str]] = Counter()  # requests per (faulty site, path): burst-5xx counts them
        self.port = 0
        self.lock = threading.Lock()
        self.connections: set[socket.socket] = set()
        self._servers: list[_SiteServer] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None

    def _bind(self) -> list[_SiteServer]:
        for _ in range(self.attempts):
            servers: list[_SiteServer] = []
            port = self.requested_port
            try:
                for i in range(self.n):
                    srv = _SiteServer((address(i), port), self)
                    servers.append(srv)
                    port = srv.server_address[1]
                self.port = port
                return servers
            except OSError as e:
                for s in servers:
                    s.server_close()
                if e.errno != errno.EADDRINUSE or self.requested_port:
                    raise
        raise OSError(errno.EADDRINUSE, "no port free on every scale replica address")

    def start(self) -> Self:
        if self.faults:
            self.sizes.build()
        self._servers = self._bind()
        self._thread = threading.Thread(target=self._serve, name="scale-replica", daemon=True)
        self._thread.start()
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _serve(self) -> None:
        with selectors.DefaultSelector() as sel:
            for srv in self._servers:
                sel.register(srv.socket, selectors.EVENT_READ, srv)
            while not self._stopping.is_set():
                for key, _ in sel.select(timeout=0.2):
                    if not self._stopping.is_set():
                        key.data._handle_request_noblock()

    def stop(self) -> None:
        """Close every listening socket and every open connection; idempotent."""
        self._stopping.set()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for srv in self._servers:
            srv.server_close()
        with self.lock:
            conns, self.connections = list(self.connections), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        self._servers = []

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def page(self, index: int, path: str) -> tuple[bytes, str] | None:
        """The body and Content-Type of `path` on site `index`, None for a 404 (the national replica overrides)."""
        if index >= self.n:
            return None
        return build_site(index, self.year, self.reports, self.column_pages).pages.get(path)

    def answer_fault(self, handler: BaseHTTPRequestHandler, index: int, path: str) -> bool:
        """Answer as site `index`'s fault when it has one and `path` is its report URL of the year (or another
        path of its fault, /r/…: where a redirect loop goes); False otherwise, for the site's own page."""
        fault = self.faults.get(index)
        if fault is None or not self.reports:
            return False
        report = next(d.path for d in build_site(index, self.year).reports if d.year == self.year)
        if path == report:
            path = fault.path
        elif not path.startswith("/r/"):
            return False
        with self.lock:
            self.hits[(index, path)] += 1
            count = self.hits[(index, path)]
        try:
            return answer(handler, self.sizes, fault.host, path, count)
        except (BrokenPipeError, ConnectionResetError):
            return True  # the crawler gave up on a slow answer

    def base_url(self, index: int) -> str:
        return f"http://{address(index)}:{self.port}/"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve N generated portals on 127.0.1.1 … for scale benchmarks.")
    parser.add_argument("--sites", type=int, required=True)
    parser.add_argument("--port", type=int, default=0, help="0: any port free on every address")
    parser.add_argument("--year", type=int, default=DEFAULT_YEAR, help="the report year every site has")
    parser.add_argument("--no-reports", action="store_true", help="filler only: for measuring the fixed cost")
    parser.add_argument("--seconds", type=float, default=3600, help="stop after this many seconds")
    parser.add_argument("--column-pages", type=int, default=0, help="report column length in pages (0: 2–3)")
    parser.add_argument("--registry-out", help="write the sites registry (YAML) here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    replica = ScaleReplica(
        args.sites, args.port, year=args.year, reports=not args.no_reports, seconds=args.seconds,
        column_pages=args.column_pages,
    )  # fmt: skip
    replica.start()
    if args.registry_out:
        with open(args.registry_out, "w", encoding="utf-8") as out:
            out.write(scale_sites_yaml(args.sites, replica.port))
    print(f"port {replica.port}", flush=True)
    serve_until_stopped(replica)


def serve_until_stopped(replica: ScaleReplica) -> None:
    """Serve until the replica's own time limit or Ctrl-C, then stop it and exit (the command-line servers)."""
    try:
        while not replica.stopped:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        replica.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
