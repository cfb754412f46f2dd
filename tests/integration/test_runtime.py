"""The embedded default's services: a worker that dies is replaced and its task runs again at once."""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path

import pytest
import redis

from nianbao.records import Capture
from shell.runtime import embedded_services
from storage.store import Store
from storage.warc import write_exchange

pytestmark = pytest.mark.integration
REPORT = (
    "<html><head><meta charset='utf-8'><title>某镇2021年法治政府建设年度报告</title></head><body>"
    "<h1>某镇2021年法治政府建设年度报告</h1><div id='zoom'>"
    + "<p>2021年，我镇坚持以习近平法治思想为指导，全面推进依法行政，法治政府建设取得新成效。</p>" * 8
    + "<p>某镇人民政府</p><p>2022年1月20日</p></div></body></html>"
).encode()


def a_capture(store: Store) -> Capture:
    path = Path(store.root) / "raw" / "2021" / "town" / "c1.warc.gz"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as out:
        offset, length = write_exchange(
            out, url="http://127.0.0.1/r.html", method="GET", request_headers=[], status=200, reason="OK",
            response_headers=[("Content-Type", "text/html")], body=REPORT,
        )  # fmt: skip
    return Capture(
        site="town", year=2021, url="http://127.0.0.1/r.html", final_url="http://127.0.0.1/r.html", status=200,
        headers={}, fetched_at="2022-01-21T00:00:00+00:00", sha256=hashlib.sha256(REPORT).hexdigest(),
        content_type="text/html", warc_key="raw/2021/town/c1.warc.gz", warc_offset=offset, warc_length=length,
        kind="rule_of_law", guessed_year=2021,
    )  # fmt: skip


def test_a_killed_worker_is_restarted_and_its_task_runs_again(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "data"))
    capture = a_capture(store)
    saved = os.environ.pop("REDIS_URL", None)
    try:
        with embedded_services(workers=1) as services:
            worker = services.processes[-1]
            (child,) = (int(p) for p in Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split())
            os.kill(child, signal.SIGSTOP)  # the worker takes the task and holds it, unacknowledged
            from workers.celery import app

            result = app.send_task("nianbao.extract", args=[capture.to_dict(), store.url, "441900"])
            broker = redis.Redis.from_url(services.redis_url)
            deadline = time.monotonic() + 30
            while not broker.hlen("unacked") and time.monotonic() < deadline:
                time.sleep(0.1)
            assert broker.hlen("unacked") == 1
            os.killpg(worker.pid, signal.SIGKILL)
            outcome = result.get(timeout=60)  # far less than the visibility timeout
            assert outcome["status"] == "new"
            assert services.processes[-1].pid != worker.pid
    finally:
        if saved is not None:
            os.environ["REDIS_URL"] = saved
    docs = list(store.keys("docs/rule_of_law/2021/town/"))
    assert len(docs) == 1
    assert store.get_json(docs[0])["published"] == "2022-01-20"


API_STARTED = """
import json, httpx
from prefect.server.api.server import SubprocessASGIServer
from shell.runtime import embedded_services
with embedded_services(workers=1):  # Celery work only (a re-drive): no API
    out = {"without": SubprocessASGIServer().running}
with embedded_services(workers=1, prefect_api=True):
    server = SubprocessASGIServer()
    out["with"] = httpx.get(f"{server.api_url}/health").status_code if server.running else None
print(json.dumps(out))
"""


def test_the_prefect_api_a_flow_needs_answers_when_the_services_are_up(local_env: dict[str, str]) -> None:
    """Started meanwhile (while Redis and the Celery worker start), not by the flow's first call after them."""
    import json
    import subprocess
    import sys

    env = {**local_env, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    done = subprocess.run([sys.executable, "-c", API_STARTED], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"without": False, "with": 200}
