"""A fault-injecting portal: one listing of reports, each report URL misbehaving in its own way.

Served on loopback addresses 127.0.0.21 … (one port for all), like the replica. Each fault is attached to one
report URL, so "documents expected" is well defined: a fault row expects 1 document (stored, or refused as a
recorded failure with a reason) or 0 (a hostile link that must be refused before any connection).

    from replica.faults import FaultPortal, FAULTS
    with FaultPortal(port=0) as portal:
        registry = portal.sites_yaml()          # sites fault-main, fault-412, fault-521, fault-hostile, fault-nonlocal
        portal.url_of("burst-5xx")             # the report URL of one fault
        portal.hits("127.0.0.28")              # requests that reached one address (0 for refused sites)

Hostile links point at 10.255.255.1 and 169.254.169.254 (unreachable here anyway) and at a canary listener on
127.0.0.1 whose hit count must stay 0: the crawler must refuse them before connecting.
"""

from __future__ import annotations

import gzip
import io
import socket
import struct
import threading
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TITLE = "故障区人民政府2021年法治政府建设年度报告"
PUBLISHED = "2022-03-01"
YEAR = 2021
HANG_SECONDS = 30.0  # longer than the crawler's DOWNLOAD_TIMEOUT (20 s): a timeout, not a slow answer
DRIP_BYTES = 4096  # one a second: far longer than any download timeout
HUGE_BYTES = 100 * 1024 * 1024  # above DOWNLOAD_MAXSIZE (50 MB)
GZIP_BOMB_BYTES = 200 * 1024 * 1024  # expanded size; about 200 KB compressed
NESTING = 20_000

HOSTS = {
    "main": "127.0.0.21",
    "hang": "127.0.0.22",  # slow faults on their own hosts: Scrapy's per-host slot is not held by them
    "drip": "127.0.0.23",
    "412": "127.0.0.24",
    "521": "127.0.0.25",
    "hostile": "127.0.0.26",
    "nonlocal": "127.0.0.27",
}
UNREACHABLE_PRIVATE = "10.255.255.1"
METADATA = "169.254.169.254"


@dataclass(frozen=True)
class Fault:
    name: str
    site: str  # site code in the registry
    host: str  # key of HOSTS
    path: str
    expected: int  # documents expected: stored or recorded as a failure
    # "portal" (survive: stored), "input" (refuse: a recorded failure), "report" (survive with the whole report in
    # the Document's text), "hostile" (refused, expected 0)
    kind: str
    what: str


def _f(name: str, host: str, path: str, expected: int, kind: str, what: str, site: str = "fault-main") -> Fault:
    return Fault(name, site, host, path, expected, kind, what)


FAULTS: tuple[Fault, ...] = (
    _f("control", "main", "/r/control.html", 1, "portal", "a well-behaved report (control)"),
    _f("timeout", "hang", "/r/timeout.html", 1, "portal", f"accepts, never answers ({HANG_SECONDS:.0f} s)"),
    _f("reset", "main", "/r/reset.html", 1, "portal", "connection reset (RST) before any answer"),
    _f("burst-5xx", "main", "/r/burst-5xx.html", 1, "portal", "503 twice, then OK"),
    _f("long-5xx", "main", "/r/long-5xx.html", 1, "portal", "500 five times, then OK"),
    _f("drip", "drip", "/r/drip.html", 1, "portal", "drips one byte a second"),
    _f("redirect-loop", "main", "/r/loop-a.html", 1, "portal", "302 a → b → a …"),
    _f("challenge-412", "412", "/r/challenge.html", 1, "portal", "HTTP 412 JavaScript challenge", "fault-412"),
    _f("challenge-521", "521", "/r/challenge.html", 1, "portal", "HTTP 521 JavaScript challenge", "fault-521"),
    _f("close-mid-body", "main", "/r/close-mid-body.html", 1, "portal", "Content-Length 20000, closes after 2000"),
    _f("huge-100mb", "main", "/r/huge.html", 1, "input", "100 MB page, chunked, generated"),
    _f("gzip-bomb", "main", "/r/gzip-bomb.html", 1, "input", "gzip: 200 KB on the wire, 200 MB expanded"),
    _f("binary-as-html", "main", "/r/binary.html", 1, "input", "random bytes served as text/html"),
    _f("deep-html", "main", "/r/deep.html", 1, "report", f"{NESTING} nested unclosed <div>s, then the report"),
    _f("deep-font", "main", "/r/deep-font.html", 1, "report", f"the report's paragraphs inside {NESTING} nested <font>s"),  # noqa: E501
    _f("unknown-charset", "main", "/r/unknown-charset.html", 1, "input", "GBK body labelled charset=x-gbk-nonesuch"),
    _f("mixed-encodings", "main", "/r/mixed.html", 1, "input", "UTF-8 first half, GBK second half"),
    _f("truncated-pdf", "main", "/r/truncated.pdf", 1, "input", "a PDF cut in half"),
    _f("encrypted-pdf", "main", "/r/encrypted.pdf", 1, "input", "a PDF with a /Encrypt dictionary"),
    _f("zip-bomb-docx", "main", "/r/bomb.docx", 1, "input", "DOCX whose document.xml expands 1000×"),
    _f("zip-bomb-ofd", "main", "/r/bomb.ofd", 1, "input", "OFD whose OFD.xml expands 1000×"),
    _f("traversal-id", "main", "/r/..%2F..%2Fstate%2Fevil.html", 1, "input", "'../' in the report id"),
    _f("billion-laughs", "main", "/module/web/jpage/dataproxy.jsp", 0, "hostile", "dataproxy.jsp XML entity bomb"),
    _f("link-javascript", "hostile", "javascript:alert(1)", 0, "hostile", "javascript: report link", "fault-hostile"),
    _f("link-data", "hostile", "data:text/html,x", 0, "hostile", "data: report link", "fault-hostile"),
    _f("link-file", "hostile", "file:///etc/passwd", 0, "hostile", "file: report link", "fault-hostile"),
    _f("link-private", "hostile", f"http://{UNREACHABLE_PRIVATE}/r/a.html", 0, "hostile", "link to 10/8", "fault-hostile"),  # noqa: E501
    _f("link-metadata", "hostile", f"http://{METADATA}/latest/meta-data/", 0, "hostile", "link to 169.254.169.254", "fault-hostile"),  # noqa: E501
    _f("redirect-metadata", "hostile", "/r/to-metadata.html", 0, "hostile", "302 to 169.254.169.254", "fault-hostile"),
    _f("redirect-private", "hostile", "/r/to-private.html", 0, "hostile", "302 to 10.255.255.1", "fault-hostile"),
    _f("redirect-loopback", "hostile", "/r/to-loopback.html", 0, "hostile", "302 to 127.0.0.1:canary", "fault-hostile"),
    _f("nonlocal-loopback", "nonlocal", "/r/control.html", 0, "hostile", "a site not `local` on 127.0.0.27", "fault-nonlocal"),  # noqa: E501
)  # fmt: skip
SITES = ("fault-main", "fault-412", "fault-521", "fault-hostile", "fault-nonlocal")


# -- bodies ------------------------------------------------------------------------------------------------------
BODY_LINES = (
    "2021年，在区委、区政府的坚强领导下，我区深入学习贯彻习近平法治思想，全面落实《法治政府建设实施纲要》，"
    "法治政府建设各项工作取得新进展。现将有关情况报告如下。",
    "一、主要举措和成效。健全依法行政制度体系，全年审查规范性文件二十三件，清理行政规范性文件一百零五件；"
    "推进严格规范公正文明执法，全面推行行政执法公示、执法全过程记录和重大执法决定法制审核制度。",
    "二、存在的不足和原因。一是个别部门运用法治思维和法治方式解决问题的能力有待提高；二是基层执法力量较为薄弱。",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况。区政府主要负责人定期听取法治政府建设工作汇报。",
    "四、2022年工作安排。持续深化行政执法体制改革，加强行政复议和应诉工作，提升依法行政水平。",
)


def report_html(title: str = TITLE, charset: str = "utf-8") -> str:
    paragraphs = "".join(f'<p style="text-indent:2em;">{line}</p>' for line in BODY_LINES)
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f'<title>{title}_故障区人民政府</title><meta name="ArticleTitle" content="{title}">'
        f'<meta name="PubDate" content="{PUBLISHED} 09:00"></head><body>'
        f'<div class="article"><h1>{title}</h1><div class="info">发布时间：{PUBLISHED}</div>'
        f'<div class="TRS_Editor">{paragraphs}<p>故障区人民政府</p><p>2022年3月1日</p></div></div></body></html>'
    )


def listing_html(site: str, faults: list[Fault], extra_script: str = "") -> bytes:
    items = "".join(
        f'<li><a href="{f.path}" target="_blank">{TITLE}（{f.name}）</a><span>{PUBLISHED}</span></li>' for f in faults
    )
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设_故障区人民政府</title></head><body>'
        f'<h2>法治政府建设</h2><ul class="list">{items}</ul>{extra_script}</body></html>'
    )
    return html.encode("utf-8")


DATAPROXY_SCRIPT = (
    '<script type="text/javascript">var dataproxy = "/module/web/jpage/dataproxy.jsp";'
    "var params = {columnid: 9999, unitid: 1, webid: 1, perpage: 15};</script>"
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]><datastore><recordset><record><![CDATA[&lol9;]]></record></recordset><totalrecord>1</totalrecord>"
    b"</datastore>"
)


def _pdf_bytes() -> bytes:
    """A one-page PDF written by hand (Latin text: enough to be a PDF, not a report)."""
    stream = b"BT /F1 12 Tf 50 700 Td (Fault district 2021 annual report on law-based government) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return _assemble_pdf(objects, b"")


def _assemble_pdf(objects: list[bytes], trailer_extra: bytes) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_extra, xref)
    )
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """Standard security handler, revision 3, with /O and /U that match no password (not even the empty one)."""
    base = _pdf_bytes()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 16 >>\nstream\n" + bytes(range(16)) + b"\nendstream",
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>",
    ]
    del base
    return _assemble_pdf(
        objects, b"/Encrypt 5 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>] "
    )


def truncated_pdf() -> bytes:
    body = _pdf_bytes()
    return body[: len(body) // 2]


def _zip_bomb(members: dict[str, bytes], bomb_name: str, expanded: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        with z.open(bomb_name, "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(expanded >> 20):
                member.write(chunk)
    return buffer.getvalue()


@cache
def docx_bomb(expanded: int = 64 * 1024 * 1024) -> bytes:
    return _zip_bomb({"[Content_Types].xml": b"<Types/>"}, "word/document.xml", expanded)


@cache
def ofd_bomb(expanded: int = 64 * 1024 * 1024) -> bytes:
    return _zip_bomb({"Doc_0/Document.xml": b"<ofd:Document/>"}, "OFD.xml", expanded)


@cache
def gzip_bomb(expanded: int = GZIP_BOMB_BYTES) -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as z:
        z.write(b"<html><body>")
        chunk = b" " * (1 << 20)
        for _ in range(expanded >> 20):
            z.write(chunk)
    return out.getvalue()


def binary_body(size: int = 64 * 1024) -> bytes:
    state, out = 2021, bytearray()
    while len(out) < size:  # deterministic noise (an LCG), with NULs and every byte value
        state = (state * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        out += struct.pack("<Q", state)
    return bytes(out[:size])


def deep_html() -> bytes:
    head, tail = report_html().split('<div class="article">', 1)
    return (head + "<div>" * NESTING + "<span><b><i>" + '<div class="article">' + tail).encode("utf-8")


def deep_font_html() -> bytes:
    """The report's paragraphs inside NESTING nested, closed <font>s: a CMS that wraps the text once more per edit."""
    head, tail = report_html().split('<div class="TRS_Editor">', 1)
    body, rest = tail.split("</div>", 1)
    return (
        head + '<div class="TRS_Editor">' + "<font>" * NESTING + body + "</font>" * NESTING + "</div>" + rest
    ).encode()


def mixed_html() -> bytes:
    html = report_html()
    cut = html.index(BODY_LINES[2][:10])
    return html[:cut].encode("utf-8") + html[cut:].encode("gbk")


# -- server ------------------------------------------------------------------------------------------------------
class FaultHandler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    portal: FaultPortal

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(
        self, status: int, body: bytes, content_type: str | None = "text/html; charset=utf-8", **extra: str
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:
        host = self.server.server_address[0]  # type: ignore[index]
        label = next((k for k, v in HOSTS.items() if v == host), "")
        path = self.path.split("?", 1)[0]
        count = self.portal.hit(host, path)
        try:
            self._route(label, path, count)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _route(self, label: str, path: str, count: int) -> None:
        portal = self.portal
        if path == "/robots.txt":
            self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        elif path in ("/", "/list/index.html"):
            faults = [f for f in FAULTS if f.host == label and f.name != "billion-laughs"]
            if label == "main":  # the slow ones live on their own hosts, linked from the main listing
                faults += [f for f in FAULTS if f.host in ("hang", "drip")]
                faults = [f if f.host == "main" else _absolute(f, portal.port) for f in faults]
            script = DATAPROXY_SCRIPT if label == "main" else ""
            self._send(200, listing_html(label, faults, script))
        elif path == "/module/web/jpage/dataproxy.jsp":
            self._send(200, BILLION_LAUGHS, "text/xml;charset=UTF-8")
        elif label in ("412", "521"):
            page = b'<html><head><script type="text/javascript">$_ts={};$_ts.cd="qhx";</script></head></html>'
            self._send(int(label), page, Set_Cookie="FSSBBIl1UgzbN7N80S=abc; Path=/")
        elif path == "/r/control.html" or "evil" in path:
            self._send(200, report_html().encode("utf-8"))
        elif path == "/r/timeout.html":
            time.sleep(portal.hang_seconds)
            self.close_connection = True
        elif path == "/r/reset.html":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
        elif path == "/r/burst-5xx.html" and count <= 2:
            self._send(503, b"<html><body>503 Service Temporarily Unavailable</body></html>")
        elif path == "/r/long-5xx.html" and count <= 5:
            self._send(500, b"<html><body>500 Internal Server Error</body></html>")
        elif path in ("/r/burst-5xx.html", "/r/long-5xx.html"):
            self._send(200, report_html().encode("utf-8"))
        elif path == "/r/drip.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(DRIP_BYTES))
            self.end_headers()
            for _ in range(DRIP_BYTES):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        elif path in ("/r/loop-a.html", "/r/loop-b.html"):
            self._send(302, b"", Location="/r/loop-b.html" if path.endswith("a.html") else "/r/loop-a.html")
        elif path == "/r/close-mid-body.html":
            body = report_html().encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(20000))
            self.end_headers()
            self.wfile.write(body[:2000])
            self.close_connection = True
        elif path == "/r/huge.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + "年度报告".encode() * 20000 + b"</p>\n"
            sent = 0
            while sent < portal.huge_bytes:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/r/gzip-bomb.html":
            self._send(200, gzip_bomb(portal.gzip_bytes), Content_Encoding="gzip")
        elif path == "/r/binary.html":
            self._send(200, binary_body())
        elif path == "/r/deep.html":
            self._send(200, deep_html())
        elif path == "/r/deep-font.html":
            self._send(200, deep_font_html())
        elif path == "/r/unknown-charset.html":
            body = report_html(charset="x-gbk-nonesuch").encode("gbk")
            self._send(200, body, "text/html; charset=x-gbk-nonesuch")
        elif path == "/r/mixed.html":
            self._send(200, mixed_html())
        elif path == "/r/truncated.pdf":
            self._send(200, truncated_pdf(), "application/pdf")
        elif path == "/r/encrypted.pdf":
            self._send(200, encrypted_pdf(), "application/pdf")
        elif path == "/r/bomb.docx":
            docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            self._send(200, docx_bomb(portal.zip_bytes), docx)
        elif path == "/r/bomb.ofd":
            self._send(200, ofd_bomb(portal.zip_bytes), "application/ofd")
        elif path == "/r/to-metadata.html":
            self._send(302, b"", Location=f"http://{METADATA}/latest/meta-data/iam/security-credentials/")
        elif path == "/r/to-private.html":
            self._send(302, b"", Location=f"http://{UNREACHABLE_PRIVATE}/r/a.html")
        elif path == "/r/to-loopback.html":
            self._send(302, b"", Location=f"http://127.0.0.1:{portal.canary_port}/r/secret.html")
        else:
            self._send(404, b"<html><body>404 Not Found</body></html>")


def _absolute(fault: Fault, port: int) -> Fault:
    return Fault(fault.name, fault.site, fault.host, f"http://{HOSTS[fault.host]}:{port}{fault.path}", *_rest(fault))


def _rest(fault: Fault) -> tuple[int, str, str]:
    return fault.expected, fault.kind, fault.what


class CanaryHandler(BaseHTTPRequestHandler):
    """On 127.0.0.1: any request reaching it is a hostile redirect the crawler followed."""

    portal: FaultPortal

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.portal.hit("127.0.0.1", self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class FaultPortal:
    """The fault portal on HOSTS' addresses (one port), plus the canary on 127.0.0.1; a context manager."""

    def __init__(
        self,
        port: int = 0,
        *,
        hang_seconds: float = HANG_SECONDS,
        huge_bytes: int = HUGE_BYTES,
        gzip_bytes: int = GZIP_BOMB_BYTES,
        zip_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.requested_port = port
        self.hang_seconds = hang_seconds
        self.huge_bytes = huge_bytes
        self.gzip_bytes = gzip_bytes
        self.zip_bytes = zip_bytes
        self.port = 0
        self.canary_port = 0
        self._servers: list[ThreadingHTTPServer] = []
        self._hits: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def hit(self, host: str, path: str) -> int:
        with self._lock:
            self._hits[(host, path)] += 1
            return self._hits[(host, path)]

    def hits(self, host: str, path: str | None = None) -> int:
        with self._lock:
            return sum(n for (h, p), n in self._hits.items() if h == host and (path is None or p == path))

    def start(self) -> FaultPortal:
        gzip_bomb(self.gzip_bytes), docx_bomb(self.zip_bytes), ofd_bomb(self.zip_bytes)  # built before serving
        handler = type("Handler", (FaultHandler,), {"portal": self})
        for _ in range(20):
            servers: list[ThreadingHTTPServer] = []
            try:
                port = self.requested_port
                for address in HOSTS.values():
                    server = ThreadingHTTPServer((address, port), handler)
                    server.daemon_threads = True
                    servers.append(server)
                    port = server.server_address[1]
            except OSError:
                for s in servers:
                    s.server_close()
                if self.requested_port:
                    raise
                continue
            self._servers, self.port = servers, port
            break
        else:
            raise OSError("no port free on every fault-portal address")
        canary = ThreadingHTTPServer(("127.0.0.1", 0), type("Canary", (CanaryHandler,), {"portal": self}))
        canary.daemon_threads = True
        self._servers.append(canary)
        self.canary_port = canary.server_address[1]
        for server in self._servers:
            threading.Thread(target=server.serve_forever, daemon=True, name="fault-portal").start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> FaultPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base(self, host: str) -> str:
        return f"http://{HOSTS[host]}:{self.port}"

    def url_of(self, name: str) -> str:
        fault = next(f for f in FAULTS if f.name == name)
        if "://" in fault.path or ":" in fault.path.split("/")[0]:
            return fault.path
        if fault.name == "billion-laughs":
            return self.base("main") + fault.path
        return self.base(fault.host) + fault.path

    def sites_yaml(self, sites: tuple[str, ...] = SITES) -> str:
        """The registry of the fault sites (delay 0; `local: true` except fault-nonlocal)."""
        entries = {
            "fault-main": ("main", [HOSTS["main"], HOSTS["hang"], HOSTS["drip"]], True),
            "fault-412": ("412", [HOSTS["412"]], True),
            "fault-521": ("521", [HOSTS["521"]], True),
            "fault-hostile": ("hostile", [HOSTS["hostile"]], True),
            "fault-nonlocal": ("nonlocal", [HOSTS["nonlocal"]], False),
        }
        lines = ["# nianbao fault portal (replica.faults)", "sites:"]
        for code in sites:
            host, domains, local = entries[code]
            lines += [
                f"  - code: {code}",
                f"    name: 故障区人民政府（{code}）",
                '    division: "110199"',
                "    level: county",
                f"    start_urls: [{self.base(host)}/list/index.html]",
                f"    listing_urls: [{self.base(host)}/list/index.html]",
                f"    allowed_domains: [{', '.join(domains)}]",
                "    delay: 0",
                f"    local: {'true' if local else 'false'}",
            ]
        return "\n".join(lines) + "\n"
