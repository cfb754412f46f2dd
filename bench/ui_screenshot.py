"""Screenshots of the Prefect UI of the local cluster (issue 5): the operator view is seen, not assumed.

    .venv/bin/python bench/ui_screenshot.py [--out /tmp/nianbao-ui] [--year 2021] [--timeout 1500]

Starts the setting of tests/integration/test_cluster.py on 127.0.0.1 only: moto's S3 server, the portal replica,
redis-server (shell.runtime.start_redis), a Prefect server with SQLite and its UI (`nianbao server`, analytics
off), the deployments (`nianbao deploy`), two Prefect process workers and two Celery workers
(shell.runtime.start_celery_workers). It runs the national harvest of the year through its deployment into
s3://, finds the run's artifacts through the Prefect API, and photographs with headless Chromium (Debian's
`chromium` with `fonts-noto-cjk`, driven by playwright): the flow run page, its Artifacts tab, and each artifact's
page (the `harvest-summary` and `harvest-coverage` tables, the `harvest-failures` markdown). Each shot waits until
the page shows what it is meant to show (the run's state, a site code in the table), so a spinner is never saved as
a result. Requests to anything but 127.0.0.1 are refused by the browser and counted.

Prints one line per PNG (path: what it shows), then `ui_screenshot: flow_run=… state=… artifacts=… shots=…`.
Everything started here is stopped at the end, on error and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402

from flows.summary import markdown_rows  # noqa: E402
from replica import Replica, sites_yaml  # noqa: E402
from shell.runtime import free_port, start_celery_workers, start_redis  # noqa: E402

BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Noto CJK (fonts-noto-cjk, as `make test` installs it): without a CJK font Chromium draws every Chinese
# site name as empty boxes.
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BUCKET = "nianbao-ui"
POOL = "nianbao-process"
WINDOW = (1600, 1200)
# Settings a shell may carry that would point the cluster at shared services.
_OUTSIDE = ("REDIS_URL", "PREFECT_API_URL", "PREFECT_PROFILE", "NIANBAO_S3_ENDPOINT_URL")

# Runs a deployment and waits; prints the flow run's id and final state as JSON. A subprocess, as in the cluster
# test: Prefect reads its settings (PREFECT_API_URL) from that process's environment, not this one's.
RUN_DEPLOYMENT = """
import json, sys
from prefect.deployments import run_deployment
run = run_deployment(sys.argv[1], parameters=json.loads(sys.argv[2]), timeout=float(sys.argv[3]))
print(json.dumps({"id": str(run.id), "name": run.name, "state": run.state.type.value if run.state else None}))
"""


@dataclass
class Cluster:
    env: dict[str, str]
    ui: str  # http://127.0.0.1:PORT, the UI; the API is under /api
    registry: Path
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"{self.ui}/api"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Poll `check` until it is true; a check that raises counts as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} not ready after {timeout:.0f}s")


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(response.status == 200)


def api_post(api: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{api}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process group (started with start_new_session), newest first; SIGKILL what outlives 20 s."""
    for proc in reversed(processes):
        if proc.poll() is not None:
            continue
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def spawn(
    command: list[str], env: dict[str, str], log: Path, started: list[subprocess.Popen[bytes]], cwd: Path = ROOT
) -> None:
    """Start a long-running process in its own session (so its children stop with it), output to `log`."""
    with open(log, "ab") as out:
        started.append(
            subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        )


@contextmanager
def cluster(workdir: Path) -> Iterator[Cluster]:
    """The processes of the cluster test, on free 127.0.0.1 ports; all stopped when the block ends."""
    processes: list[subprocess.Popen[bytes]] = []
    saved = dict(os.environ)
    replica = Replica(port=0)
    try:
        s3_port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k not in _OUTSIDE}
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        env["NIANBAO_S3_ENDPOINT_URL"] = s3_endpoint = f"http://127.0.0.1:{s3_port}"
        moto = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)]
        spawn(moto, env, workdir / "moto.log", processes)
        wait_for(lambda: http_ok(s3_endpoint), "moto's S3 server", 60)
        credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **credentials)
        s3.create_bucket(Bucket=BUCKET)

        replica.start()
        registry = workdir / "replica-sites.yaml"
        registry.write_text(sites_yaml(replica.port), encoding="utf-8")

        # start_redis and start_celery_workers take their environment from this process.
        os.environ.clear()
        os.environ.update(env)
        env["REDIS_URL"] = start_redis(workdir, processes)

        port = free_port()
        ui = f"http://127.0.0.1:{port}"
        env.update(
            PREFECT_HOME=str(workdir / "prefect"),
            PREFECT_API_URL=f"{ui}/api",
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            PREFECT_LOGGING_LEVEL="INFO",  # the flow's own lines (log_prints) in the run's Logs tab, as operators see
        )
        server = [str(BIN / "nianbao"), "server", "--host", "127.0.0.1", "--port", str(port)]
        spawn(server, env, workdir / "prefect-server.log", processes)
        wait_for(lambda: http_ok(f"{ui}/api/health"), "the Prefect server", 180)

        deploy = [str(BIN / "nianbao"), "deploy", "--pool", POOL, "--sites", str(registry)]
        deployed = subprocess.run(
            [*deploy, "--store", f"s3://{BUCKET}/default"], env=env, capture_output=True, text=True, check=False
        )
        if deployed.returncode != 0:
            raise RuntimeError(f"nianbao deploy failed:\n{deployed.stdout[-2000:]}{deployed.stderr[-3000:]}")
        for name in ("pw1", "pw2"):  # as in the cluster test: the national run's batches spread over both
            worker = [str(BIN / "prefect"), "worker", "start", "--pool", POOL, "--type", "process", "--name", name]
            spawn(worker, env, workdir / f"prefect-worker-{name}.log", processes)

        os.environ.update(env)
        for name in ("w1", "w2"):
            start_celery_workers(env["REDIS_URL"], workdir, 1, processes, name=name)
        yield Cluster(env=env, ui=ui, registry=registry, workdir=workdir, processes=processes)
    finally:
        stop(processes)
        replica.stop()
        os.environ.clear()
        os.environ.update(saved)


def run_national_harvest(c: Cluster, year: int, store: str, timeout: float) -> dict[str, Any]:
    """Run `harvest/national-harvest` on the cluster's Prefect worker and wait for its final state."""
    params = {"year": year, "registry": str(c.registry), "store": store}
    command = [sys.executable, "-c", RUN_DEPLOYMENT, "harvest/national-harvest", json.dumps(params), str(timeout)]
    done = subprocess.run(command, env=c.env, capture_output=True, text=True, timeout=timeout + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"run_deployment failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_artifacts(api: str, flow_run_id: str) -> dict[str, dict[str, Any]]:
    """The artifacts of one flow run by key, as the Prefect API lists them."""
    found = api_post(api, "/artifacts/filter", {"flow_runs": {"id": {"any_": [flow_run_id]}}})
    return {a["key"]: a for a in found if a.get("key")}


@dataclass
class Shot:
    name: str
    path: str  # UI route, after http://127.0.0.1:PORT
    shows: str  # what the PNG is meant to show, printed beside its path
    wait_text: list[str]  # texts the page must show before the shot: proof the SPA has rendered the data
    tab: str | None = None  # a tab to click first (the flow run page's "Artifacts")


# How far the widest table overflows the box that scrolls it (Prefect's artifact tables scroll sideways).
TABLE_OVERFLOW_JS = """
() => Math.max(0, ...Array.from(document.querySelectorAll('table')).map(table => {
  let most = 0;
  for (let box = table.parentElement; box; box = box.parentElement) {
    most = Math.max(most, box.scrollWidth - box.clientWidth);
  }
  return most;
}))
"""


def widen_to_fit_tables(page: Any) -> None:
    """Widen the window until no table scrolls sideways, so every column of an artifact table is in the PNG,
    not only the first ones (a full-page shot grows downwards only)."""
    for _ in range(4):
        overflow = int(page.evaluate(TABLE_OVERFLOW_JS))
        if overflow <= 0:
            return
        size = page.viewport_size or {"width": WINDOW[0], "height": WINDOW[1]}
        page.set_viewport_size({"width": min(size["width"] + overflow + 40, 4000), "height": size["height"]})
        page.wait_for_timeout(1_000)


def take_screenshots(ui: str, shots: list[Shot], out: Path) -> tuple[list[Path], int]:
    """Open each page in headless Chromium, wait for its texts, save a full-page PNG; return the PNGs and how
    many requests to other hosts than 127.0.0.1 were refused."""
    from playwright.sync_api import Route, ViewportSize, sync_playwright

    refused = 0

    def local_only(route: Route) -> None:
        nonlocal refused
        if urlsplit(route.request.url).hostname in ("127.0.0.1", None):
            route.continue_()
        else:
            refused += 1
            route.abort()

    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                viewport=ViewportSize(width=WINDOW[0], height=WINDOW[1]), locale="en-US", timezone_id="Asia/Shanghai"
            )
            context.route("**/*", local_only)
            for shot in shots:
                page = context.new_page()
                page.goto(f"{ui}{shot.path}", wait_until="domcontentloaded")
                if shot.tab:
                    page.get_by_text(shot.tab, exact=True).first.click(timeout=60_000)
                for text in shot.wait_text:
                    page.get_by_text(text, exact=False).first.wait_for(state="visible", timeout=90_000)
                page.wait_for_timeout(2_000)  # charts and lazy panels settle after the data arrives
                widen_to_fit_tables(page)
                path = out / f"{shot.name}.png"
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)
                page.close()
        finally:
            browser.close()
    return saved, refused


def interrupt(signum: int, frame: object) -> None:
    """SIGTERM stops everything as Ctrl-C does: the cluster's finally blocks run."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "nianbao-ui", help="PNG folder")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--timeout", type=float, default=1500, help="seconds the harvest may take")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the logs and Prefect database")
    args = parser.parse_args()
    if not CHROMIUM.exists() or not CJK_FONT.exists():
        print(
            f"{CHROMIUM} and {CJK_FONT} are needed: apt-get update && apt-get install -y chromium fonts-noto-cjk",
            file=sys.stderr,
        )
        raise SystemExit(2)
    args.out.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="nianbao-ui-"))
    keep = args.keep_workdir
    try:
        with cluster(workdir) as c:
            print(f"cluster up: Prefect UI {c.ui}, logs in {workdir}", flush=True)
            started = time.monotonic()
            run = run_national_harvest(c, args.year, f"s3://{BUCKET}/national", args.timeout)
            print(f"national harvest {run['name']} ({run['id']}): {run['state']} in {time.monotonic() - started:.0f}s")
            artifacts = run_artifacts(c.api, run["id"])
            summary = artifacts.get("harvest-summary")
            if summary is None:
                raise RuntimeError(f"no harvest-summary artifact on flow run {run['id']}: {sorted(artifacts)}")
            rows = markdown_rows(summary["data"])
            site = rows[0]["site"]
            print(f"artifacts: {', '.join(sorted(artifacts))}; harvest-summary has {len(rows)} rows")
            shots = [
                Shot(
                    "flow-run",
                    f"/runs/flow-run/{run['id']}",
                    f"flow run {run['name']} of national-harvest: state, run graph (subflow and task runs), logs",
                    [run["name"], run["state"].title()],
                ),
                Shot(
                    "flow-run-artifacts",
                    f"/runs/flow-run/{run['id']}",
                    f"the flow run's Artifacts tab: {', '.join(sorted(artifacts))}",
                    ["harvest-summary", "harvest-coverage"],
                    tab="Artifacts",
                ),
                Shot(
                    "artifact-harvest-summary",
                    f"/artifacts/artifact/{summary['id']}",
                    f"the harvest-summary table: {len(rows)} sites (site, name, level, reports, new, changed, …)",
                    ["harvest-summary", site],
                ),
            ]
            if "harvest-coverage" in artifacts:
                coverage = markdown_rows(artifacts["harvest-coverage"]["data"])
                shots.append(
                    Shot(
                        "artifact-harvest-coverage",
                        f"/artifacts/artifact/{artifacts['harvest-coverage']['id']}",
                        f"the harvest-coverage table: {len(coverage)} rows by province, level and kind",
                        ["harvest-coverage", coverage[0]["province"]] if coverage else ["harvest-coverage"],
                    )
                )
            if "harvest-failures" in artifacts:
                shots.append(
                    Shot(
                        "artifact-harvest-failures",
                        f"/artifacts/artifact/{artifacts['harvest-failures']['id']}",
                        "the harvest-failures markdown: failed extractions, sites not harvested, re-drive commands",
                        ["harvest-failures", "nianbao failures"],
                    )
                )
            pngs, refused = take_screenshots(c.ui, shots, args.out)
            for shot, png in zip(shots, pngs, strict=True):
                print(f"{png}: {shot.shows}")
            print(f"requests to other hosts than 127.0.0.1 refused by the browser: {refused}")
            print(
                f"ui_screenshot: flow_run={run['id']} state={run['state']} artifacts={len(artifacts)} shots={len(pngs)}"
            )
    except KeyboardInterrupt:
        print("interrupted: every process started here was stopped", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception:
        keep = True  # the logs of the servers and workers say why
        raise
    finally:
        if keep:
            print(f"logs and Prefect database kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
