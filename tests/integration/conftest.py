"""Integration fixtures: real servers on free 127.0.0.1 ports, started and stopped by the tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nianbao.replica import Replica, sites_yaml

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
