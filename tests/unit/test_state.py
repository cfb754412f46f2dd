"""The incremental crawl state: entries, merge, and writers that do not lose each other's updates."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import time
from pathlib import Path

import pytest

from storage import layout
from storage.state import (
    HOST,
    SiteState,
    StateLock,
    StateLockTimeout,
    load_state,
    mark_extracted,
    merge,
    save_state,
)
from storage.store import Store


def test_a_site_never_crawled_has_an_empty_state(tmp_path: Path) -> None:
    state = load_state(Store(str(tmp_path)), "panyu")
    assert state.urls == {} and state.version == 0


def test_only_queued_entries_are_trusted_and_known_is_per_year() -> None:
    state = SiteState("panyu")
    state.update("http://h/a.html", year=2021, sha256="1", etag='"e"', queued=True)
    state.update("http://h/b.html", year=2021, sha256="2", queued=False)  # checkpointed before dispatch
    state.update("http://h/c.html", year=2022)  # only listed
    assert state.trusted("http://h/a.html") is not None
    assert state.trusted("http://h/b.html") is None
    assert state.trusted("http://h/c.html") is None
    # b's capture was lost with its crawl: not known, so the stop rule does not end a column at it.
    assert state.known(2021) == {"http://h/a.html"}
    assert state.known(2022) == {"http://h/c.html"}
    state.update("http://h/a.html", year=2022)
    assert state.entry("http://h/a.html")["years"] == [2021, 2022]
    assert state.entry("http://h/a.html")["etag"] == '"e"', "a later update keeps what it does not change"


def _listing(state: SiteState, sha256: str = "l1", scope: str = "2021:rule_of_law") -> None:
    state.listed(
        "http://h/list.html",
        scope,
        year=2021,
        sha256=sha256,
        etag='"l"',
        reports=["http://h/a.html", "http://h/b.html"],
        follow=[("page", "http://h/list_2.html")],
    )


def test_a_listing_is_trusted_only_once_every_report_it_listed_is_queued() -> None:
    state = SiteState("panyu")
    _listing(state)
    assert state.trusted("http://h/list.html", "2021:rule_of_law") is None, "its reports were never fetched"
    state.update("http://h/a.html", year=2021, sha256="1", attachments=[])
    state.update("http://h/b.html", year=2021, sha256="2", attachments=[])
    assert state.trusted("http://h/list.html", "2021:rule_of_law") is None, "checkpointed, not yet dispatched"
    state.dispatched(["http://h/a.html", "http://h/b.html"])
    assert state.trusted("http://h/list.html", "2021:rule_of_law") is None, "queued, extraction not collected"
    for url in ("http://h/a.html", "http://h/b.html"):
        state.update(url, extracted=True)
    assert state.trusted("http://h/list.html", "2021:rule_of_law") is not None
    assert state.trusted("http://h/list.html") is None, "a listing is trusted only for a crawl scope"
    assert state.trusted("http://h/list.html", "2021:info_disclosure,rule_of_law") is None, "other kinds"
    assert state.trusted("http://h/list.html", "2022:rule_of_law") is None, "another year"
    state.update("http://h/b.html", sha256="3", queued=False)  # b changed; its new capture is not queued yet
    assert state.trusted("http://h/list.html", "2021:rule_of_law") is None


def test_new_bytes_drop_what_other_scopes_recorded_of_a_listing() -> None:
    state = SiteState("panyu")
    _listing(state, scope="2020:rule_of_law")
    _listing(state, scope="2021:rule_of_law")
    assert set(state.entry("http://h/list.html")["listing"]) == {"2020:rule_of_law", "2021:rule_of_law"}
    _listing(state, sha256="l2")
    assert set(state.entry("http://h/list.html")["listing"]) == {"2021:rule_of_law"}
    assert state.listing_work("http://h/list.html", "2021:rule_of_law") == {
        "reports": ["http://h/a.html", "http://h/b.html"],
        "follow": [["page", "http://h/list_2.html"]],
    }


def test_merge_keeps_the_entry_seen_last_and_both_years() -> None:
    stored = {"u": {"sha256": "old", "last_seen": "2025-01-01T00:00:00+00:00", "years": [2020]}}
    ours = {"u": {"sha256": "new", "last_seen": "2025-02-01T00:00:00+00:00", "years": [2021]}}
    assert merge(stored, ours)["u"]["sha256"] == "new"
    assert merge(ours, stored)["u"]["sha256"] == "new"  # an older entry does not win by writing later
    assert merge(stored, ours)["u"]["years"] == [2020, 2021]


def test_save_writes_a_versioned_object_at_the_layout_key(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    state = SiteState("panyu")
    state.update("http://h/a.html", year=2021, sha256="1")
    assert save_state(store, state) == 1
    stored = json.loads((tmp_path / layout.state("panyu")).read_text("utf-8"))
    assert stored["urls"]["http://h/a.html"]["sha256"] == "1"
    assert not (tmp_path / (layout.state("panyu") + ".lock")).exists()
    assert load_state(store, "panyu").urls == stored["urls"]


def _writer(root: str, name: str, count: int) -> None:
    store = Store(root)
    for i in range(count):
        state = SiteState("shared")  # each save merges into what the other writer stored meanwhile
        state.update(f"http://h/{name}/{i}.html", year=2021, sha256=f"{name}{i}")
        save_state(store, state)


def test_two_writers_lose_no_update(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(tmp_path), name, 25)) for name in ("a", "b")]
    for w in writers:
        w.start()
    for w in writers:
        w.join(60)
        assert w.exitcode == 0
    state = load_state(Store(str(tmp_path)), "shared")
    assert len(state.urls) == 50
    assert state.version == 50


def test_a_lock_left_by_a_dead_process_expires(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    key = layout.state("panyu") + ".lock"
    store.put_bytes(key, json.dumps({"token": "dead", "pid": 1, "expires": time.time() - 1}).encode())
    with StateLock(store, key, wait=5):
        assert json.loads(store.get_bytes(key))["token"] != "dead"
    assert not store.exists(key)


def test_a_lock_whose_process_is_gone_from_this_machine_is_broken_at_once(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    key = layout.state("panyu") + ".lock"
    child = subprocess.Popen(["true"])
    child.wait()  # reaped: its pid belongs to no process now
    expires = time.time() + 60  # far from expiry: only the dead process can free it early
    for host, pid, broken in ((HOST, child.pid, True), (HOST, os.getpid(), False), ("another-machine", 1, False)):
        store.put_bytes(key, json.dumps({"token": "other", "host": host, "pid": pid, "expires": expires}).encode())
        if broken:
            with StateLock(store, key, wait=0.5):
                assert json.loads(store.get_bytes(key))["token"] != "other"
        else:  # a live writer here, or one on another machine (its pid means nothing here): wait for its expiry
            with pytest.raises(StateLockTimeout), StateLock(store, key, wait=0.3):
                pass
            store.delete(key)


def test_a_held_lock_makes_the_other_writer_wait_then_give_up(tmp_path: Path) -> None:
    store = Store(str(tmp_path))
    key = layout.state("panyu") + ".lock"
    with StateLock(store, key), pytest.raises(StateLockTimeout):
        with StateLock(store, key, wait=0.2):
            pass


def test_a_queued_capture_is_trusted_only_once_its_extraction_was_collected(tmp_path) -> None:
    store = Store(str(tmp_path / "data"))
    state = SiteState("panyu")
    state.update("http://h/a.html", year=2021, sha256="1", etag='"e"')
    state.dispatched(["http://h/a.html"])
    save_state(store, state)
    assert load_state(store, "panyu").trusted("http://h/a.html") is None  # the harvest may die right here
    assert "http://h/a.html" not in {u for u in load_state(store, "panyu").known(2021)}  # nor ends a column
    mark_extracted(store, "panyu", ["http://h/a.html", "http://h/never-seen.html"])
    reloaded = load_state(store, "panyu")
    assert reloaded.trusted("http://h/a.html")["etag"] == '"e"'
    assert reloaded.entry("http://h/never-seen.html") is None


def test_captures_handed_to_a_file_are_trusted_at_once_and_old_entries_stay_trusted() -> None:
    state = SiteState("panyu")
    state.update("http://h/a.html", year=2021, sha256="1")
    state.dispatched(["http://h/a.html"], awaiting_extraction=False)
    assert state.trusted("http://h/a.html") is not None
    state.urls["http://h/old.html"] = {"sha256": "2", "queued": True, "years": [2021]}  # written before `extracted`
    assert state.trusted("http://h/old.html") is not None
