"""Integration fixtures: real servers on free 127.0.0.1 ports, started and stopped by the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from replica import Replica, sites_yaml

# Settings a developer's shell may carry that would point the tests at shared services.
_OUTSIDE_SETTINGS = ("REDIS_URL", "PREFECT_API_URL", "PREFECT_PROFILE", "NIANBAO_S3_ENDPOINT_URL")


@pytest.fixture(scope="session")
def replica() -> Iterator[Replica]:
    with Replica(port=0) as running:
        yield running


@pytest.fixture(scope="session")
def replica_registry(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "replica-sites.yaml"
    path.write_text(sites_yaml(replica.port), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def local_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for a `nianbao` process on the embedded default, with its own Prefect home."""
    env = {k: v for k, v in os.environ.items() if k not in _OUTSIDE_SETTINGS}
    env["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server on a free 127.0.0.1 port, with fake credentials in the environment."""
    import subprocess
    import sys
    import time
    import urllib.request

    from shell.runtime import free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("moto server did not start") from None
            time.sleep(0.2)
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
