"""One object-store interface over fsspec: a local directory (default `./data`) or `s3://bucket/prefix`.

Filesystems are created lazily in the process that uses them (s3fs is not fork-safe). Writes are atomic:
a local write goes to a temporary name and is renamed; an S3 PUT is atomic already.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import fsspec

# Environment that configures an s3:// store besides the standard AWS chain.
S3_ENDPOINT_ENV = "NIANBAO_S3_ENDPOINT_URL"
T = TypeVar("T")
# botocore retries each request a few times (standard mode: exponential backoff on 500 and 503 SlowDown);
# the Store then waits out an endpoint that stays unhealthy for up to TRANSIENT_RETRY_S, so that every stage
# rides out an S3 outage of a minute or so the same way.
S3_RETRIES = {"retries": {"max_attempts": 3, "mode": "standard"}}
TRANSIENT_RETRY_S = 90.0
# Errors that are answers, not outages: retrying them changes nothing (a lock held, a key absent).
_PERMANENT = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)
log = logging.getLogger(__name__)


def retry_transient(operation: Callable[[], T], what: str) -> T:
    """Run an S3 operation, retrying OSErrors other than permanent answers with growing delays."""
    delay, deadline = 0.5, time.monotonic() + TRANSIENT_RETRY_S
    while True:
        try:
            return operation()
        except _PERMANENT:
            raise
        except OSError as e:
            if time.monotonic() + delay > deadline:
                raise
            log.warning("store: %s failed (%s); retrying in %.1fs", what, e, delay)
            time.sleep(delay)
            delay = min(delay * 2, 10.0)


class StoreWriteError(OSError):
    """A write to a local store failed (a full disk, a quota, permissions): nothing half-written stayed, the message
    says what to do, and retrying at once changes nothing. Stages let it end the run instead of retrying it."""


class Store:
    """Keys (see storage.layout) under one root URL."""

    def __init__(self, url: str = "./data") -> None:
        self.url = url.rstrip("/")
        self.protocol = "s3" if self.url.startswith("s3://") else "file"
        self._fs: fsspec.AbstractFileSystem | None = None
        self._pid = 0

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    @property
    def root(self) -> str:
        if self.protocol == "s3":
            return self.url[len("s3://") :]
        return os.path.abspath(self.url.removeprefix("file://"))

    @property
    def fs(self) -> fsspec.AbstractFileSystem:
        if self._fs is None or self._pid != os.getpid():
            if self.protocol == "s3":
                endpoint = os.environ.get(S3_ENDPOINT_ENV)
                client_kwargs = {"endpoint_url": endpoint} if endpoint else {}
                # No listings cache: other processes write the same prefixes (documents, state, failures).
                self._fs = fsspec.filesystem(
                    "s3",
                    client_kwargs=client_kwargs,
                    config_kwargs=S3_RETRIES,
                    skip_instance_cache=True,
                    use_listings_cache=False,
                )
            else:
                self._fs = fsspec.filesystem("file")
            self._pid = os.getpid()
        return self._fs

    def path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def _call(self, what: str, operation: Callable[[], T]) -> T:
        return retry_transient(operation, what) if self.protocol == "s3" else operation()

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self.path(key)
        if self.protocol == "s3":
            self._call(f"put {key}", lambda: self.fs.pipe_file(path, data))
            return
        tmp = f"{path}.tmp-{uuid.uuid4().hex}"
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError as e:  # a full disk, a quota: nothing half-written stays, and the error says what to do
            with contextlib.suppress(OSError):
                os.remove(tmp)
            raise self._cannot_write(key, e) from e

    def _cannot_write(self, key: str, error: OSError) -> StoreWriteError:
        return StoreWriteError(error.errno, f"cannot write {key} to the store {self.root}: {error.strerror or error}; "
                               "free space there (or fix its permissions) and run again")  # fmt: skip

    def put_new(self, key: str, data: bytes) -> bool:
        """Create the object only if it does not exist (a lock); False when it already does.

        Atomic in the store itself: an exclusive create on files, a conditional PUT (If-None-Match: *) on S3.
        """
        path = self.path(key)
        if self.protocol == "file":
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                created = open(path, "xb")
            except FileExistsError:
                return False
            except OSError as e:
                raise self._cannot_write(key, e) from e
            try:
                with created:
                    created.write(data)
                return True
            except OSError as e:  # created but not written (a full disk): an empty lock would be held for good
                with contextlib.suppress(OSError):
                    os.remove(path)
                raise self._cannot_write(key, e) from e

        def create() -> bool:
            try:
                self.fs.pipe_file(path, data, mode="create")
                return True
            except FileExistsError:
                return False
            except OSError as e:  # s3fs maps a 412 without its Condition header to OSError(EINVAL)
                if e.errno == errno.EINVAL or "precondition" in str(e).lower():
                    return False
                raise

        return self._call(f"create {key}", create)

    def put_file(self, key: str, local_path: str) -> None:
        with open(local_path, "rb") as f:
            self.put_bytes(key, f.read())

    def get_bytes(self, key: str) -> bytes:
        return bytes(self._call(f"get {key}", lambda: self.fs.cat_file(self.path(key))))

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """Many objects at once: on S3 the GETs run concurrently (s3fs batches them), which is what makes
        rebuilding a manifest from tens of thousands of documents minutes instead of hours."""
        if not keys:
            return {}
        paths = {self.fs._strip_protocol(self.path(key)): key for key in keys}  # as fsspec names them in the result
        found = self._call(f"get {len(keys)} objects", lambda: self.fs.cat(list(paths), on_error="raise"))
        return {paths[self.fs._strip_protocol(path)]: bytes(data) for path, data in found.items()}

    def get_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of an object: one ranged GET on S3."""
        return bytes(self._call(f"get {key}", lambda: self.fs.cat_file(self.path(key), start=start, end=end)))

    def open(self, key: str) -> IO[bytes]:
        """Open an object for reading (seekable), for WARC records read at an offset."""
        return self._call(f"open {key}", lambda: self.fs.open(self.path(key), "rb"))

    def delete(self, key: str) -> None:
        self._call(f"delete {key}", lambda: self.fs.rm_file(self.path(key)))

    def exists(self, key: str) -> bool:
        return bool(self._call(f"exists {key}", lambda: self.fs.exists(self.path(key))))

    def put_json(self, key: str, obj: Any) -> None:
        self.put_bytes(key, json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`, sorted."""
        base = self.path(prefix.rstrip("/")) if prefix else self.root
        if not self._call(f"exists {prefix}", lambda: self.fs.exists(base)):
            return
        if self._call(f"isfile {prefix}", lambda: self.fs.isfile(base)):
            yield prefix
            return
        found = self._call(f"list {prefix}", lambda: self.fs.find(base))
        root = self.root.rstrip("/") + "/"
        for path in sorted(found):
            key = str(path).removeprefix(root)
            if ".tmp-" not in key:
                yield key
