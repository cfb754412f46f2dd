"""The crawl state's lock on S3: an exclusive create (`If-None-Match: *`) against moto's server on 127.0.0.1."""

from __future__ import annotations

import boto3
import pytest

from storage import layout
from storage.state import SiteState, StateLock, StateLockTimeout, load_state, save_state
from storage.store import S3_ENDPOINT_ENV, Store

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_store(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv(S3_ENDPOINT_ENV, s3_endpoint)
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket="nianbao-state")
    return Store("s3://nianbao-state/harvests")


def test_the_lock_is_exclusive_on_s3(s3_store: Store) -> None:
    key = layout.state("panyu") + ".lock"
    with StateLock(s3_store, key), pytest.raises(StateLockTimeout):
        with StateLock(s3_store, key, wait=0.3):
            pass
    assert not s3_store.exists(key)


def test_state_saves_merge_on_s3(s3_store: Store) -> None:
    for name in ("a", "b"):
        state = SiteState("panyu")
        state.update(f"http://h/{name}.html", year=2021, sha256=name)
        save_state(s3_store, state)
    stored = load_state(s3_store, "panyu")
    assert set(stored.urls) == {"http://h/a.html", "http://h/b.html"} and stored.version == 2
