"""`harvest(spread=True)` on a Prefect API where `nianbao deploy` was never run: a clear error, not a crash.

The spreading itself (batches as `harvest-batch` flow runs on two Prefect workers) is proven in test_cluster.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

RUN = """
import sys
from flows.harvest import harvest
harvest(year=2021, registry=sys.argv[1], store=sys.argv[2], spread=True)
"""


def test_spread_without_the_batch_deployment_says_to_deploy(
    local_env: dict[str, str], replica_registry: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(replica_registry), str(tmp_path / "data")],
        env=local_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode != 0
    assert "spread needs the deployment harvest-batch/harvest-batch: run `nianbao deploy`" in done.stderr
    assert not (tmp_path / "data" / "raw").exists()  # nothing was crawled
