"""WACZ packages of the stored WARCs, for archivists' replay tools (`nianbao export --format wacz`).

One package per site and report year: the site's WARCs of that year (listing pages, report pages, attachments,
every request), the CDXJ index, `pages/pages.jsonl` with the reports as its pages (title, publication date and
text from the Document, so a replay tool searches their full text) and `datapackage.json`. The `wacz` package
builds and validates it (py-wacz 0.6: `wacz.main.main(["create", …])` is its API).

Revisit records: a conditional request answered 304 is stored as a `server-not-modified` revisit carrying no
digest and no reference (storage/warc.py). A replay tool finds the page a revisit stands for by its
`WARC-Refers-To-Target-URI`, `WARC-Refers-To-Date` and `WARC-Payload-Digest`; the package's copy of a WARC with
such revisits gets those three headers from the original response (the latest one before the revisit, found in
the site's WARCs of any year; a WARC from another year that holds an original is packed too). Replay tools (pywb)
answer a revisit with the HTTP headers it carries and the original's body: a 304's would make the replayed page
an empty "304 Not Modified". So the copy's revisit carries the response as the 304 freshened it, as a cache does
(RFC 9111 §4.3.4): the original's status and headers, those the 304 sent replacing theirs; the store's WARC keeps
the 304 as answered. Every other record is copied byte for byte. A revisit whose original is nowhere in the store
is kept as it is and counted.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storage import layout
from storage.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class Original:
    """A response record a revisit can point at."""

    url: str
    date: str  # WARC-Date, ISO 8601 (sorts as text)
    digest: str
    http_headers: StatusAndHeaders


@dataclass
class Package:
    """What one export wrote: where, from which WARCs, how many pages, and the revisits it could not complete."""

    key: str
    site: str
    year: int
    warcs: list[str]
    pages: int
    revisits_completed: int = 0
    revisits_orphaned: int = 0
    unmatched_pages: list[str] = field(default_factory=list)


# -- the core: records in, records out ---------------------------------------------------------------------------
def response_originals(stream: IO[bytes]) -> list[Original]:
    """The response records of a WARC that a revisit can refer to (they carry a payload digest)."""
    found = []
    for record in ArchiveIterator(stream):
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if record.rec_type == "response" and digest:
            url = record.rec_headers.get_header("WARC-Target-URI")
            found.append(Original(url, record.rec_headers.get_header("WARC-Date"), digest, record.http_headers))
    return found


def incomplete_revisits(stream: IO[bytes]) -> list[tuple[str, str]]:
    """(url, date) of each revisit record that names no original."""
    return [
        (r.rec_headers.get_header("WARC-Target-URI"), r.rec_headers.get_header("WARC-Date"))
        for r in ArchiveIterator(stream)
        if r.rec_type == "revisit" and not r.rec_headers.get_header("WARC-Refers-To-Target-URI")
    ]


def original_for(url: str, date: str, originals: Iterable[Original]) -> Original | None:
    """The latest response to `url` before `date`: the page a not-modified answer at `date` confirmed."""
    before = [o for o in originals if o.url == url and o.date <= date]
    return max(before, key=lambda o: o.date) if before else None


def freshened(stored: StatusAndHeaders, not_modified: StatusAndHeaders) -> StatusAndHeaders:
    """The stored response as a 304 freshens it (RFC 9111 §3.2): its status line, each header the 304 sent in
    place of the stored one's; Content-Length is the stored body's."""
    sent = {name.lower() for name, _ in not_modified.headers} - {"content-length"}
    headers = [(k, v) for k, v in stored.headers if k.lower() not in sent]
    headers += [(k, v) for k, v in not_modified.headers if k.lower() in sent]
    return StatusAndHeaders(stored.statusline, headers, protocol=stored.protocol)


def complete_revisits(stream: IO[bytes], out: IO[bytes], originals: list[Original]) -> tuple[int, int]:
    """Copy a WARC to `out`, each revisit given the references to its original and the response the 304
    freshened; return (completed, orphaned).

    Records other than incomplete revisits are copied as their raw bytes (each record is its own gzip member).
    """
    spans = []  # (offset, length, an incomplete revisit?) of every record
    it = ArchiveIterator(stream)
    for record in it:
        refers = record.rec_headers.get_header("WARC-Refers-To-Target-URI")
        incomplete = record.rec_type == "revisit" and not refers
        it.read_to_end()
        spans.append((it.get_record_offset(), it.get_record_length(), incomplete))
    writer = WARCWriter(out, gzip=True)
    completed = orphaned = 0
    for offset, length, incomplete in spans:
        stream.seek(offset)
        raw = stream.read(length)
        if not incomplete:
            out.write(raw)
            continue
        record = next(iter(ArchiveIterator(io.BytesIO(raw))))
        headers = record.rec_headers
        url, date = headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")
        original = original_for(url, date, originals)
        http_headers = record.http_headers
        if original is None:
            orphaned += 1
        else:
            completed += 1
            headers.replace_header("WARC-Refers-To-Target-URI", original.url)
            headers.replace_header("WARC-Refers-To-Date", original.date)
            headers.replace_header("WARC-Payload-Digest", original.digest)
            if http_headers is not None and http_headers.get_statuscode() == "304":
                http_headers = freshened(original.http_headers, http_headers)
        headers.remove_header("Content-Length")  # the writer counts the block again
        rewritten = writer.create_warc_record(url, "revisit", warc_headers=headers, http_headers=http_headers)
        writer.write_record(rewritten)
    return completed, orphaned


def report_pages(documents: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """pages.jsonl entries for the reports: url, title, the publication date and the text (full-text search)."""
    pages = []
    for doc in documents:
        page = {"url": doc["url"], "title": doc.get("title") or doc["url"], "text": doc.get("text") or ""}
        page |= {k: doc[k] for k in ("published", "kind", "report_year", "issuer", "doc_id") if doc.get(k)}
        pages.append(page)
    return pages


# -- building a package (local files) ----------------------------------------------------------------------------
def build_wacz(
    warcs: list[Path], pages: list[dict[str, Any]], out: Path, title: str, description: str, signing_url: str = ""
) -> list[str]:
    """Run py-wacz over local WARC files; return the pages it could not find in the WARCs (by URL)."""
    from wacz.main import main as wacz_main

    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as tmp:
        pages_file = Path(tmp) / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "reports", "title": "Reports"}
        lines = [json.dumps(header, ensure_ascii=False)] + [json.dumps(p, ensure_ascii=False) for p in pages]
        pages_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        args = ["create", "-o", str(out), "-p", str(pages_file), "--title", title, "--desc", description]
        args += ["--signing-url", signing_url] if signing_url else []
        said = io.StringIO()  # py-wacz prints its progress; kept for the log
        with contextlib.redirect_stdout(said):
            status = wacz_main([*args, *map(str, warcs)])
        log.debug("wacz create: %s", said.getvalue())
        if status != 0:
            raise RuntimeError(f"wacz create failed for {out.name}: {said.getvalue()[-500:]}")
    marker = "We were unable to find a match for "
    return [line.split(marker, 1)[1] for line in said.getvalue().splitlines() if marker in line]


def validate_wacz(path: Path) -> tuple[bool, str]:
    """py-wacz's own validation (`wacz validate -f PATH`): (valid, what it printed)."""
    from wacz.main import main as wacz_main

    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        status = wacz_main(["validate", "-f", str(path)])
    return status == 0, said.getvalue().strip()


# -- from the store to the store ---------------------------------------------------------------------------------
def site_documents(store: Store, year: int, site: str, kinds: list[str]) -> list[dict[str, Any]]:
    docs = []
    for kind in kinds:
        prefix = layout.docs_prefix(kind, year) + f"{layout.safe(site)}/"
        docs += [store.get_json(key) for key in store.keys(prefix) if layout.is_current_doc(key)]
    return sorted(docs, key=lambda d: (d.get("published") or "", d["url"]))


def export_site(
    store: Store, year: int, site: str, kinds: list[str], kind_label: str | None = None, signing_url: str = ""
) -> Package:
    """Build, validate and store the WACZ of one site's `year`; raise ValueError when there is nothing to pack."""
    keys = sorted(store.keys(layout.warc_prefix(year, site)))
    if not keys:
        raise ValueError(f"no WARC of site {site} for {year} in {store.url}")
    documents = site_documents(store, year, site, kinds)
    key = layout.wacz(year, site, kind_label)
    with tempfile.TemporaryDirectory(prefix="nianbao-wacz-") as tmp:
        local = Path(tmp)
        fetched = {k: _fetch(store, k, local / "in") for k in keys}
        originals = [o for path in fetched.values() for o in _read(path, response_originals)]
        wanted = [r for path in fetched.values() for r in _read(path, incomplete_revisits)]
        missing = [(u, d) for u, d in wanted if original_for(u, d, originals) is None]
        if missing:  # a page last fetched in a crawl of another report year
            for other in _other_years_warcs(store, year, site):
                found = _read(_fetch(store, other, local / "other"), response_originals)
                if any(original_for(u, d, found) for u, d in missing):
                    fetched[other] = local / "other" / Path(other).name
                    originals += found
        package = Package(key=key, site=site, year=year, warcs=sorted(fetched), pages=len(documents))
        packed = []
        for path in fetched.values():
            target = local / "out" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with path.open("rb") as source, target.open("wb") as out:
                done, orphaned = complete_revisits(source, out, originals)
            package.revisits_completed += done
            package.revisits_orphaned += orphaned
            packed.append(target)
        description = (
            f"nianbao harvest of {site}, report year {year}: {len(documents)} reports, WARCs {', '.join(keys)}"
        )
        wacz_path = local / "package.wacz"
        # WACZ requires pages: a site with no report shows what its crawl met first (a challenge, an empty column).
        pages = report_pages(documents) or [
            {"url": o.url, "title": f"{site} {year}: no report found; the crawl's first page"}
            for o in [o for o in originals if not o.url.endswith("/robots.txt")][:1]
        ]
        package.unmatched_pages = build_wacz(packed, pages, wacz_path, f"{site} {year}", description, signing_url)
        valid, said = validate_wacz(wacz_path)
        if not valid:
            raise RuntimeError(f"the WACZ of {site} {year} does not validate: {said[-500:]}")
        store.put_file(key, str(wacz_path))
    return package


def sites_with_warcs(store: Store, year: int) -> list[str]:
    return sorted({key.split("/")[2] for key in store.keys(layout.warc_prefix(year))})


def _fetch(store: Store, key: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(key).name
    with store.open(key) as source, path.open("wb") as out:
        shutil.copyfileobj(source, out)
    return path


def _read(path: Path, reader: Callable[[IO[bytes]], list[T]]) -> list[T]:
    with path.open("rb") as stream:
        return reader(stream)


def _other_years_warcs(store: Store, year: int, site: str) -> list[str]:
    return [k for k in store.keys("raw/") if k.split("/")[2:3] == [site] and k.split("/")[1] != str(year)]
