"""An HTTP proxy in front of an S3 endpoint (moto's server) that fails on demand, then forwards.

    with FaultProxy("http://127.0.0.1:5000", fail_first=8, status=503) as proxy:   # 8 × 503 SlowDown, then OK
        os.environ["NIANBAO_S3_ENDPOINT_URL"] = proxy.url
    with FaultProxy(upstream, fail_for=20.0, status=500) as proxy: ...             # 500 InternalError for 20 s

`proxy.failed` and `proxy.forwarded` count what it did; `proxy.arm(...)` changes the plan while it runs.
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_ERRORS = {
    503: ("SlowDown", "Please reduce your request rate."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    proxy: FaultProxy

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.proxy.should_fail():
            code, message = _ERRORS.get(self.proxy.status, ("InternalError", "error"))
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
                f"<RequestId>faultproxy</RequestId></Error>"
            ).encode()
            self.send_response(self.proxy.status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(xml)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(xml)
            return
        upstream = urlsplit(self.proxy.upstream)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        conn.request(self.command, self.path, body=body or None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status, response.reason)
        for k, v in response.getheaders():
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle


class FaultProxy:
    def __init__(self, upstream: str, *, fail_first: int = 0, fail_for: float = 0.0, status: int = 503) -> None:
        self.upstream = upstream
        self.status = status
        self.failed = 0
        self.forwarded = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.arm(fail_first=fail_first, fail_for=fail_for, status=status)

    def arm(self, *, fail_first: int = 0, fail_for: float = 0.0, status: int | None = None) -> None:
        """Fail the next `fail_first` requests, or every request for `fail_for` seconds from now."""
        with self._lock:
            self._remaining = fail_first
            self._until = time.monotonic() + fail_for if fail_for else 0.0
            if status is not None:
                self.status = status

    def should_fail(self) -> bool:
        with self._lock:
            if self._remaining > 0 or time.monotonic() < self._until:
                self._remaining = max(self._remaining - 1, 0)
                self.failed += 1
                return True
            self.forwarded += 1
            return False

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"proxy": self}))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="faultproxy").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
