"""Incremental crawl state of one site: `state/{site}.json`, url → what the last crawl learnt about it.

    {"version": 7, "updated": "2025-03-01T10:00:00+00:00",
     "urls": {"http://…/t20220225_5008.html": {"etag": "\"9a…\"", "last_modified": "Mon, 06 May 2024 …",
              "sha256": "…", "last_seen": "2025-03-01T09:59:12+00:00", "years": [2021], "queued": true,
              "attachments": ["http://…/P020220225.pdf"], "doc_id": null}}}

Keys are canonical URLs (`url_key`: w3lib's `canonicalize_url`, the form Scrapy's request fingerprints use), so
`…?b=2&a=1` and `…?a=1&b=2` share one entry; every method takes a URL as linked and finds its key itself. The
crawler hands it simplified pages only (nianbao.urls maps `/gate/big5/` copies before they become requests).

An entry with `sha256` was fetched; `queued` says its capture reached the extract queue (an entry checkpointed by
a crawl that died before dispatching is not trusted as "unchanged"). `years` are the report years whose crawls saw
the URL, fetched or only listed: the stop rule treats a listing page as known only against the same year.

A listing page (or home page) has no capture of its own, so `queued` cannot say its work is done. Its entry keeps,
per crawl scope (`scope`: the report year and kinds, since a crawl for other years or kinds wants other reports from
the same page), what that page led to: `{"listing": {"2021:rule_of_law": {"reports": [report keys it listed and the
crawl wanted], "follow": [["page", url], ["column", url], …]}}}`. Its validators are trusted for a scope only while
every report of that scope's record is trusted: a crawl that died after a checkpoint but before dispatching, or
that ran out of pages or time before fetching a report, leaves the listing untrusted, and the next crawl fetches it
whole and finds the reports again. The rule is derived, not stored, so `dispatched()` needs no listing URLs: the
reports it marks queued are what make their listings trusted. New bytes for a listing drop the records of other
scopes (they describe the page as it was).

Every page asked about (report, attachment, listing) also keeps how many crawls in a row found it unchanged
(`unchanged`), when it was last asked about (`checked`) and since when its bytes are the same (`since`): from them
crawler.revalidation decides when it is asked again. A host's robots.txt is kept in the entry of its URL (`robots`:
the text, `checked`: when it was fetched).

Two writers (a scheduled harvest and an operator's re-run of the same site) must not lose each other's entries.
Saving is a read-merge-write under a lock object `state/{site}.json.lock`, created exclusively: `open(…, "x")`
(O_CREAT|O_EXCL) on local files, a conditional PUT (`If-None-Match: *`) on S3 and MinIO. Both are atomic in the
store itself, so no lock server is needed, and the lock is held only for the few milliseconds of one merge, never
for a crawl. The merge keeps, per URL, the entry seen last (`last_seen`), so it is commutative and a retry cannot
undo another writer's newer entry. A lock left by a killed process expires after `LOCK_TTL_S`, and a writer waits
longer than that, so a killed writer's lock never fails the next one (met in the national chaos test: a crawl
process killed mid-save, and the re-run's save gave up); on the machine that wrote it, a lock whose process is gone
is broken at once. The object itself
is written whole by `Store.put_json` (rename, or one PUT), so readers never see half a file; `version` counts the
writes, for operators and tests.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nianbao.urls import canonical_url
from storage import layout
from storage.store import Store

logger = logging.getLogger(__name__)

LOCK_TTL_S = 60.0  # a merge takes milliseconds; a lock older than this belongs to a dead process
LOCK_WAIT_S = 90.0  # give up (and raise) after waiting this long for another writer: longer than a dead one's lock
HOST = socket.gethostname()
_FIELDS = (
    "etag",
    "last_modified",
    "sha256",
    "last_seen",
    "doc_id",
    "queued",
    "extracted",
    "attachments",
    "kind",
    "report_year",
    "title",
    "listed_date",
    "listing",
    "unchanged",
    "checked",
    "since",
    "robots",
)


class StateLockTimeout(TimeoutError):
    """Another writer held the site's state lock for longer than LOCK_WAIT_S."""


def url_key(url: str) -> str:
    """The state's key of a URL: its canonical form (nianbao.urls), the same that names documents."""
    return canonical_url(url)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class SiteState:
    """The state of one site in memory: `urls` as stored, plus which URLs this process changed."""

    site: str
    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 0
    dirty: set[str] = field(default_factory=set)

    def entry(self, url: str) -> dict[str, Any] | None:
        return self.urls.get(url_key(url))

    def trusted(self, url: str, scope: str | None = None) -> dict[str, Any] | None:
        """The entry of a URL whose last fetch was fully acted on: the base of a conditional request.

        A report page or attachment: fetched, and its capture queued. A listing page: fetched by a crawl of `scope`
        whose wanted reports on it are all trusted (see the module docstring); without a scope, never.
        """
        entry = self.urls.get(url_key(url))
        if not entry or not entry.get("sha256"):
            return None
        if "listing" in entry:
            work = entry["listing"].get(scope) if scope is not None else None
            if work is None or not all(self.trusted(report) for report in work["reports"]):
                return None
            return entry
        return entry if _done(entry) else None

    def known(self, year: int) -> set[str]:
        """URLs (keys) a crawl of `year` saw before (fetched or listed): the stop rule's `known`.

        A report fetched but never queued (its crawl died before dispatching) is not known: the stop rule must not
        end a column at a report whose capture was lost.
        """
        return {url for url, e in self.urls.items() if year in e.get("years", ()) and not _lost(e)}

    def listed(
        self,
        url: str,
        scope: str,
        *,
        year: int,
        sha256: str,
        reports: Iterable[str],
        follow: Iterable[tuple[str, str]],
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Record a listing page fetched whole by a crawl of `scope`: its validators and what it led to.

        `reports` are the URLs of the wanted report links on it, `follow` the (kind, URL) requests it made (the
        spider's kinds: "page", "column" …). New bytes drop what other scopes recorded of the page.
        """
        entry = self.entry(url) or {}
        work = dict(entry.get("listing", {})) if entry.get("sha256") == sha256 else {}
        work[scope] = {"reports": sorted({url_key(r) for r in reports}), "follow": [[k, u] for k, u in follow]}
        self.update(url, year=year, sha256=sha256, listing=work, etag=etag, last_modified=last_modified)

    def listing_work(self, url: str, scope: str) -> dict[str, Any] | None:
        """What a crawl of `scope` recorded of a listing page (`listed`), or None."""
        entry = self.entry(url)
        work = entry.get("listing", {}).get(scope) if entry else None
        return dict(work) if work is not None else None

    def update(self, url: str, **values: Any) -> None:
        """Record what was learnt about `url` now; `year` is added to the entry's years."""
        url = url_key(url)
        entry = dict(self.urls.get(url, {}))
        year = values.pop("year", None)
        if year is not None:
            entry["years"] = sorted({*entry.get("years", ()), int(year)})
        entry.update({k: v for k, v in values.items() if k in _FIELDS})
        entry["last_seen"] = now_iso()
        self.urls[url] = entry
        self.dirty.add(url)

    def dispatched(self, urls: Iterable[str], awaiting_extraction: bool = True) -> None:
        """The captures of these URLs reached the extract queue (or the file a caller asked for).

        Called by crawler.crawl after dispatch, never during the crawl, so that a crawl that dies before
        dispatching leaves entries the next crawl fetches again. A capture sent to the Celery queue is trusted
        only once the flow has collected its extraction (`mark_extracted`): a harvest killed with the task still
        in a worker's hands, or Redis lost with the queue, must not leave a report the next crawl calls unchanged.
        """
        for url in urls:
            if self.entry(url) is not None:
                self.update(url, queued=True, extracted=not awaiting_extraction)

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "updated": now_iso(), "urls": self.urls}


def _done(entry: dict[str, Any]) -> bool:
    """A report or attachment whose capture was queued and extracted (entries older than `extracted`: queued)."""
    return bool(entry.get("queued")) and bool(entry.get("extracted", True))


def _lost(entry: dict[str, Any]) -> bool:
    """A report or attachment fetched whose capture never reached the queue, or never came out of extraction."""
    return bool(entry.get("sha256")) and not _done(entry) and "listing" not in entry


def mark_extracted(store: Store, site: str, urls: Iterable[str]) -> None:
    """The flow collected the extraction of these captures (stored, unchanged, or a recorded failure)."""
    state = load_state(store, site)
    for url in urls:
        if state.entry(url) is not None:
            state.update(url, extracted=True)
    if state.dirty:
        save_state(store, state)


def scope(year: int, kinds: Iterable[str]) -> str:
    """The key of a crawl's listing records: its report year and kinds ("2021:info_disclosure,rule_of_law")."""
    return f"{year}:{','.join(sorted(kinds))}"


def merge(stored: dict[str, dict[str, Any]], ours: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per URL, the entry seen last; `years` of both. Commutative, so the order of writers does not matter."""
    merged = dict(stored)
    for url, entry in ours.items():
        other = merged.get(url)
        if other is None or entry.get("last_seen", "") >= other.get("last_seen", ""):
            winner = dict(entry)
        else:
            winner = dict(other)
        if other is not None:
            winner["years"] = sorted({*other.get("years", ()), *entry.get("years", ())})
        merged[url] = winner
    return merged


def load_state(store: Store, site: str) -> SiteState:
    """The site's state, or an empty one for a site never crawled (or a state that does not parse)."""
    key = layout.state(site)
    if not store.exists(key):
        return SiteState(site)
    try:
        data = store.get_json(key)
        return SiteState(site, dict(data.get("urls", {})), int(data.get("version", 0)))
    except (ValueError, AttributeError) as e:
        logger.warning("%s: unreadable state (%s); crawling as if new", key, e)
        return SiteState(site)


def save_state(store: Store, state: SiteState) -> int:
    """Merge this process's changes into the stored state under the site's lock; return the new version."""
    key = layout.state(state.site)
    with StateLock(store, key + ".lock"):
        current = load_state(store, state.site)
        ours = {url: state.urls[url] for url in state.dirty if url in state.urls}
        state.urls = merge(current.urls, ours)
        state.version = current.version + 1
        store.put_json(key, state.to_dict())
        state.dirty.clear()
    return state.version


class StateLock:
    """An exclusively created lock object; see the module docstring for why it works on files and S3 alike."""

    def __init__(self, store: Store, key: str, *, ttl: float = LOCK_TTL_S, wait: float = LOCK_WAIT_S) -> None:
        self.store, self.key, self.ttl, self.wait = store, key, ttl, wait
        self.token = uuid.uuid4().hex

    def _create(self) -> bool:
        held = {"token": self.token, "host": HOST, "pid": os.getpid(), "expires": time.time() + self.ttl}
        body = json.dumps(held).encode()
        return self.store.put_new(self.key, body)

    def _break_if_stale(self) -> None:
        try:
            held = json.loads(self.store.get_bytes(self.key))
        except (FileNotFoundError, ValueError):
            return
        dead = held.get("host") == HOST and not process_alive(int(held.get("pid", 0)))
        if dead or float(held.get("expires", 0)) < time.time():
            logger.warning("%s: breaking a lock left by pid %s on %s", self.key, held.get("pid"), held.get("host"))
            try:
                self.store.delete(self.key)
            except FileNotFoundError:
                pass

    def __enter__(self) -> StateLock:
        deadline = time.monotonic() + self.wait
        pause = 0.01
        while not self._create():
            if time.monotonic() > deadline:
                raise StateLockTimeout(f"{self.key}: held by another writer for more than {self.wait:.0f}s")
            self._break_if_stale()
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.store.delete(self.key)
        except FileNotFoundError:
            pass


def process_alive(pid: int) -> bool:
    """Whether a process of this machine runs under `pid` (signal 0 checks without sending anything)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
