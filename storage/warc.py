"""WARC capture: building request/response records apart from reading them back (warcio).

Each record is gzipped on its own, so a body can be read back from its file offset alone; the crawler keeps the
offset in the Capture it sends, the worker reads the body from there.
"""

from __future__ import annotations

from io import BytesIO
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Headers that describe a transfer encoding the crawler already undid: the stored body is the decoded one.
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def write_exchange(
    out: IO[bytes],
    *,
    url: str,
    method: str,
    request_headers: list[tuple[str, str]],
    status: int,
    reason: str,
    response_headers: list[tuple[str, str]],
    body: bytes,
) -> tuple[int, int]:
    """Append a response record and its request record to `out`; return the response record's offset and length
    (so that a reader fetches exactly that byte range).

    A 304 answer to a conditional request becomes a revisit record (profile server-not-modified): the page is
    the one an earlier crawl stored.
    """
    writer = WARCWriter(out, gzip=True)
    kept = [(k, v) for k, v in response_headers if k.lower() not in _TRANSFER_HEADERS]
    kept.append(("Content-Length", str(len(body))))
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(), kept, protocol="HTTP/1.1")
    if status == 304:
        response = writer.create_warc_record(url, "revisit", http_headers=http_headers)
        response.rec_headers.add_header("WARC-Profile", NOT_MODIFIED_PROFILE)
    else:
        response = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http_headers)
    path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
    request_line = StatusAndHeaders(f"{method} /{path}", request_headers, is_http_request=True)
    request = writer.create_warc_record(url, "request", http_headers=request_line)
    request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
    offset = out.tell()
    writer.write_record(response)
    length = out.tell() - offset
    writer.write_record(request)
    return offset, length


def read_response(stream: IO[bytes], offset: int) -> tuple[dict[str, str], bytes]:
    """Read the response record at `offset`: its HTTP headers and body."""
    stream.seek(offset)
    for record in ArchiveIterator(stream):
        if record.rec_type != "response":
            raise ValueError(f"WARC record at offset {offset} is a {record.rec_type}, not a response")
        headers = dict(record.http_headers.headers) if record.http_headers else {}
        return headers, record.content_stream().read()
    raise ValueError(f"no WARC record at offset {offset}")
