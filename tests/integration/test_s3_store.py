"""The s3:// store against a real S3 protocol peer (moto's server mode on 127.0.0.1)."""

from __future__ import annotations

import io

import boto3
import pytest

from storage import layout
from storage.manifest import read_manifest, write_manifest
from storage.store import S3_ENDPOINT_ENV, Store
from storage.warc import read_response, write_exchange

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(S3_ENDPOINT_ENV, s3_endpoint)
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket="nianbao-test")
    return Store("s3://nianbao-test/harvests")


def test_objects_round_trip_and_list_under_the_prefix(s3_store: Store, s3_endpoint: str) -> None:
    s3_store.put_json("runs/r1.json", {"sites": ["番禺区"]})
    s3_store.put_bytes("raw/2021/panyu/c1.warc.gz", b"\x1f\x8b")
    assert s3_store.get_json("runs/r1.json") == {"sites": ["番禺区"]}
    assert list(s3_store.keys("")) == ["raw/2021/panyu/c1.warc.gz", "runs/r1.json"]
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket="nianbao-test")
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        "harvests/raw/2021/panyu/c1.warc.gz",
        "harvests/runs/r1.json",
    ]


def test_a_warc_body_is_read_at_its_offset_from_s3(s3_store: Store) -> None:
    out = io.BytesIO()
    write_exchange(
        out,
        url="http://127.0.0.1/a",
        method="GET",
        request_headers=[],
        status=200,
        reason="OK",
        response_headers=[],
        body=b"first",
    )
    offset, length = write_exchange(
        out,
        url="http://127.0.0.1/b",
        method="GET",
        request_headers=[],
        status=200,
        reason="OK",
        response_headers=[],
        body="第二".encode(),
    )
    s3_store.put_bytes("raw/2021/s/c.warc.gz", out.getvalue())
    with s3_store.open("raw/2021/s/c.warc.gz") as stream:
        assert read_response(stream, offset)[1].decode() == "第二"
    record = s3_store.get_range("raw/2021/s/c.warc.gz", offset, offset + length)
    assert read_response(io.BytesIO(record), 0)[1].decode() == "第二"


def test_manifests_are_written_to_s3(s3_store: Store) -> None:
    s3_store.put_json(layout.doc("rule_of_law", 2021, "s", "d1"), {"doc_id": "d1", "title": "报告", "text": "x"})
    assert write_manifest(s3_store, "rule_of_law", 2021)[1] == 1
    assert read_manifest(s3_store, "rule_of_law", 2021).column("doc_id").to_pylist() == ["d1"]


def test_many_objects_are_read_in_one_call_and_a_missing_one_is_an_error(s3_store: Store) -> None:
    keys = [f"docs/rule_of_law/2021/site-{i}/d{i}.json" for i in range(30)]
    for i, key in enumerate(keys):
        s3_store.put_bytes(key, f"报告 {i}".encode())
    got = s3_store.get_many(keys)
    assert got == {key: f"报告 {i}".encode() for i, key in enumerate(keys)}
    with pytest.raises(FileNotFoundError):
        s3_store.get_many([keys[0], "docs/rule_of_law/2021/nowhere/x.json"])
