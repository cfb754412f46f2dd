"""The per-host concurrency limits of a large batch, on a real (temporary) Prefect API.

A national batch holds hundreds of host limits while it crawls: made once (claim_hosts, a second run makes none),
all held in one lease while the block runs (holding_hosts) and all freed after it; another run wanting one of the
hosts waits until then; and no error is logged on the way (Prefect's `concurrency()` logged one per host).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

HOLD = """
import json, threading, time
from prefect import flow
from prefect.client.orchestration import get_client
from flows.batches import claim_hosts, holding_hosts, host_limit

HOSTS = [f"127.0.{i // 250 + 1}.{i % 250 + 1}" for i in range(250)]

def slots() -> dict[str, int]:
    with get_client(sync_client=True) as client:
        found = {}
        while page := client.read_global_concurrency_limits(limit=200, offset=len(found)):
            found |= {limit.name: limit.active_slots for limit in page}
    return found

@flow
def hold() -> dict[str, dict[str, int]]:
    claim_hosts(set(HOSTS))
    claim_hosts(set(HOSTS))  # a second run: nothing to make
    times = {}

    def other_run() -> None:  # wants one of the hosts: waits until the batch lets it go
        with holding_hosts(HOSTS[7:8]):
            times["other_held"] = time.monotonic()

    with holding_hosts(HOSTS):
        during = slots()
        other = threading.Thread(target=other_run)
        other.start()
        time.sleep(3)
        times["released"] = time.monotonic()
    other.join(120)
    waited = times.get("other_held", 0) >= times["released"]
    return {"during": during, "after": slots(), "names": [host_limit(h) for h in HOSTS], "waited": waited}

print(json.dumps(hold()))
"""


def test_hundreds_of_host_limits_are_made_held_and_freed(local_env: dict[str, str], tmp_path: Path) -> None:
    env = {**local_env, "PREFECT_HOME": str(tmp_path / "prefect")}  # its own: no other test's limits
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "120"  # as `nianbao harvest` sets it
    done = subprocess.run([sys.executable, "-c", HOLD], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    names = result["names"]
    assert len(set(names)) == 250 and set(names) == set(result["during"])
    assert all(result["during"][n] == 1 for n in names), "every host held while the block runs"
    assert all(result["after"][n] == 0 for n in names), "and freed after it"
    assert result["waited"], "a run wanting a held host waited until the batch released it"
    assert "Error emitting event" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-3000:]
