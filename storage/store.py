"""One object-store interface over fsspec: a local directory (default `./data`) or `s3://bucket/prefix`.

Filesystems are created lazily in the process that uses them (s3fs is not fork-safe). Writes are atomic:
a local write goes to a temporary name and is renamed; an S3 PUT is atomic already.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from typing import IO, Any

import fsspec

# Environment that configures an s3:// store besides the standard AWS chain.
S3_ENDPOINT_ENV = "NIANBAO_S3_ENDPOINT_URL"
# botocore's standard mode backs off exponentially on 500 and 503 SlowDown; s3fs retries each call 5 times
# around that, so 5 attempts ride out ~25 failed requests (about half a minute) before an error reaches the
# caller, who retries as well (the Celery task, the Prefect task).
S3_RETRIES = {"retries": {"max_attempts": 5, "mode": "standard"}}


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
                self._fs = fsspec.filesystem(
                    "s3", client_kwargs=client_kwargs, config_kwargs=S3_RETRIES, skip_instance_cache=True
                )
            else:
                self._fs = fsspec.filesystem("file")
            self._pid = os.getpid()
        return self._fs

    def path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def put_bytes(self, key: str, data: bytes) -> None:
        path = self.path(key)
        if self.protocol == "s3":
            self.fs.pipe_file(path, data)
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.tmp-{uuid.uuid4().hex}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def put_file(self, key: str, local_path: str) -> None:
        with open(local_path, "rb") as f:
            self.put_bytes(key, f.read())

    def get_bytes(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(self.path(key)))

    def open(self, key: str) -> IO[bytes]:
        """Open an object for reading (seekable), for WARC records read at an offset."""
        return self.fs.open(self.path(key), "rb")

    def delete(self, key: str) -> None:
        self.fs.rm_file(self.path(key))

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self.path(key)))

    def put_json(self, key: str, obj: Any) -> None:
        self.put_bytes(key, json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key under `prefix`, sorted."""
        base = self.path(prefix.rstrip("/")) if prefix else self.root
        if not self.fs.exists(base):
            return
        if self.fs.isfile(base):
            yield prefix
            return
        found = self.fs.find(base)
        root = self.root.rstrip("/") + "/"
        for path in sorted(found):
            key = str(path).removeprefix(root)
            if ".tmp-" not in key:
                yield key
