import io
from pathlib import Path

import pytest

from storage import layout
from storage.manifest import read_manifest, write_manifest
from storage.store import Store
from storage.warc import read_response, write_exchange


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "x" * 200, "a..b"])
def test_no_key_escapes_its_prefix(bad: str) -> None:
    with pytest.raises(ValueError, match="unsafe key segment"):
        layout.doc("rule_of_law", 2021, bad, "abc")


def test_atomic_local_writes_and_listing(tmp_path) -> None:
    store = Store(str(tmp_path / "data"))
    store.put_json("runs/r1.json", {"a": 1})
    store.put_bytes("raw/2021/s/c.warc.gz", b"\x1f\x8b")
    assert store.get_json("runs/r1.json") == {"a": 1}
    assert list(store.keys("")) == ["raw/2021/s/c.warc.gz", "runs/r1.json"]
    assert not any(".tmp-" in p.name for p in (tmp_path / "data" / "runs").iterdir())


def test_warc_body_is_read_back_from_its_offset() -> None:
    out = io.BytesIO()
    first, _ = write_exchange(
        out,
        url="http://127.0.0.1/a.html",
        method="GET",
        request_headers=[],
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html; charset=gbk")],
        body="法治政府".encode("gbk"),
    )
    second, _ = write_exchange(
        out,
        url="http://127.0.0.1/b.pdf",
        method="GET",
        request_headers=[],
        status=200,
        reason="OK",
        response_headers=[("Content-Encoding", "gzip")],
        body=b"%PDF-1.7",
    )
    headers, body = read_response(out, first)
    assert body.decode("gbk") == "法治政府"
    assert headers["Content-Type"] == "text/html; charset=gbk"
    headers, body = read_response(out, second)
    assert body == b"%PDF-1.7"
    assert "Content-Encoding" not in headers  # the stored body is already decoded


def test_manifest_has_one_row_per_current_document(tmp_path) -> None:
    store = Store(str(tmp_path))
    doc = {
        "doc_id": "d1",
        "site": "s",
        "kind": "rule_of_law",
        "report_year": 2021,
        "title": "t",
        "text": "正文",
    }
    store.put_json(layout.doc("rule_of_law", 2021, "s", "d1"), doc)
    store.put_json(layout.doc_version("rule_of_law", 2021, "s", "d1", "ab" * 32), {**doc, "title": "old"})
    key, rows = write_manifest(store, "rule_of_law", 2021)
    assert (key, rows) == ("manifests/rule_of_law/2021.parquet", 1)
    table = read_manifest(store, "rule_of_law", 2021)
    assert table.column("title").to_pylist() == ["t"]
    assert table.column("text_chars").to_pylist() == [2]


def test_a_not_modified_answer_is_a_revisit_record() -> None:
    from warcio.archiveiterator import ArchiveIterator

    from storage.warc import NOT_MODIFIED_PROFILE

    out = io.BytesIO()
    offset, _ = write_exchange(
        out,
        url="http://127.0.0.1/a",
        method="GET",
        request_headers=[("If-None-Match", '"x"')],
        status=304,
        reason="Not Modified",
        response_headers=[("ETag", '"x"')],
        body=b"",
    )
    out.seek(offset)
    record = next(iter(ArchiveIterator(out)))
    assert record.rec_type == "revisit"
    assert record.rec_headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
    with pytest.raises(ValueError, match="revisit, not a response"):
        read_response(out, offset)


def test_many_local_objects_are_read_by_key(tmp_path) -> None:
    store = Store(str(tmp_path / "data"))
    keys = ["docs/a/2021/s/1.json", "docs/a/2021/s/2.json"]
    for key in keys:
        store.put_bytes(key, key.encode())
    assert store.get_many(keys) == {key: key.encode() for key in keys}
    assert store.get_many([]) == {}
    with pytest.raises(FileNotFoundError):
        store.get_many(["docs/a/2021/s/3.json"])


def test_a_full_disk_leaves_nothing_half_written_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails (no space left) removes its temporary file and keeps the object as it was."""
    import builtins

    from storage import store as store_module

    store = Store(str(tmp_path))
    store.put_bytes("docs/a.json", b"old")

    def full_disk(file: str, mode: str = "r", *args: object, **kwargs: object) -> object:
        if ".tmp-" in str(file):
            builtins.open(file, "wb").close()  # the temporary file exists, as it would
            return builtins.open("/dev/full", "wb")  # every write: ENOSPC
        return builtins.open(file, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(store_module, "open", full_disk, raising=False)
    with pytest.raises(OSError, match=r"cannot write docs/a\.json .*free space there"):
        store.put_bytes("docs/a.json", b"new" * 100_000)
    monkeypatch.undo()
    assert store.get_bytes("docs/a.json") == b"old"
    assert [p.name for p in (tmp_path / "docs").iterdir()] == ["a.json"]


def test_a_lock_created_on_a_full_disk_is_not_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An exclusive create whose write fails removes the empty object: else it would hold the lock for good."""
    import builtins

    from storage import store as store_module
    from storage.store import StoreWriteError

    store = Store(str(tmp_path))

    def full_disk(file: str, mode: str = "r", *args: object, **kwargs: object) -> object:
        builtins.open(file, mode).close()  # created, as an exclusive create on a full disk would be
        return builtins.open("/dev/full", "wb")  # every write: ENOSPC

    monkeypatch.setattr(store_module, "open", full_disk, raising=False)
    with pytest.raises(StoreWriteError, match=r"cannot write state/s\.json\.lock .*free space there"):
        store.put_new("state/s.json.lock", b'{"token": "t"}')
    monkeypatch.undo()
    assert list((tmp_path / "state").iterdir()) == []
    assert store.put_new("state/s.json.lock", b"{}")  # once there is space, the lock can be taken
