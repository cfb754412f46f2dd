"""Steps 2–3 of a harvest: crawl the sites in batches, one crawl process per batch (hosts in parallel, never two
crawls of one host at once), then wait for the Celery workers to extract what each crawl sent.

The crawl process is I/O, a task with retries; planning the batches and reading the outcome are plain functions.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from time import monotonic, sleep
from typing import Any
from uuid import UUID

import httpx
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import AsyncResult
from kombu.exceptions import OperationalError
from prefect import get_run_logger, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, GlobalConcurrencyLimitUpdate
from prefect.client.schemas.objects import ConcurrencyLeaseHolder
from prefect.context import TaskRunContext
from prefect.exceptions import MissingContextError, ObjectAlreadyExists
from prefect.settings import get_current_settings
from redis.exceptions import RedisError

from flows.progress import listen, report
from flows.summary import site_row
from nianbao.records import CaptureOutcome, CrawlSummary, SiteRow
from nianbao.sites import Site, lanes
from storage.state import mark_extracted
from storage.store import Store

CRAWL_TIMEOUT_S = 20 * 60  # above CLOSESPIDER_TIMEOUT (15 min): the crawl ends itself first


HOST_LEASE_S = 120


EXTRACTION_TIMEOUT_S = 30 * 60  # for one site's captures, the queue included
RESULT_POLL_S = 15.0  # a task's result is read again this often while it is waited for


MAX_PARALLEL_CRAWLS = int(os.environ.get("NIANBAO_MAX_PARALLEL_CRAWLS", "4"))  # crawl processes at once


SITES_PER_BATCH = int(os.environ.get("NIANBAO_SITES_PER_BATCH", "5000"))  # sites in one crawl process, at most


HOSTS_IN_FLIGHT = int(os.environ.get("NIANBAO_HOSTS_IN_FLIGHT", "256"))  # hosts one crawl process crawls at once


_running_crawls: set[subprocess.Popen[str]] = set()


def stop_crawls() -> None:
    """Ask the crawl processes still running to stop (Scrapy closes them cleanly on SIGTERM)."""
    for crawl in list(_running_crawls):
        crawl.terminate()


def host_limit(host: str) -> str:
    """The Prefect global concurrency limit that keeps crawls of one host from overlapping, across runs."""
    return "crawl-host-" + re.sub(r"[^a-z0-9.-]+", "-", host.lower())


def claim_hosts(hosts: set[str]) -> None:
    """Create the limits (one slot each) of the hosts that have none yet: one read of all limits, then the missing.

    On Prefect's temporary API (no PREFECT_API_URL: the embedded default), slots still taken are freed: that API
    keeps its leases in the memory of a server that lives and dies with one `nianbao harvest`, so a slot taken
    when this run starts belongs to a harvest that was killed, and nothing would ever give it back.
    """
    wanted = {host_limit(host) for host in hosts}
    with get_client(sync_client=True) as client:
        existing: dict[str, Any] = {}
        while page := client.read_global_concurrency_limits(limit=200, offset=len(existing)):
            existing |= {limit.name: limit for limit in page}
        for name in sorted(wanted - set(existing)):  # created at once: known missing, no read by name first
            with contextlib.suppress(ObjectAlreadyExists):  # a run starting beside this one made it meanwhile
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
        if get_current_settings().api.url is None:
            for name in sorted(wanted & set(existing)):
                if existing[name].active_slots:
                    get_run_logger().warning("%s: freeing a slot left by a killed harvest", name)
                    client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(active_slots=0))


def run_logger() -> Any:
    """The flow or task run's logger (its lines shown in the Prefect UI); this module's outside a run."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


@contextlib.contextmanager
def holding_hosts(hosts: list[str]) -> Iterator[None]:
    """Hold the concurrency limits of `hosts` while the block runs, in one lease renewed meanwhile.

    The lease is taken and released through the API's lease calls, not Prefect's `concurrency()`: that emits an
    event per limit naming every other one, and Prefect refuses events naming more than 100 — a batch of 500 hosts
    logged 1,000 error tracebacks, and the work of building them cost seconds at both ends of every batch.

    The Prefect API may be restarting when the block ends (an upgrade, a crash): the release is then refused a
    connection. A crawl that finished must not be thrown away and run again for that, so the error is logged, not
    raised, and the release is tried again once the API answers (waiting at most until the lease ends,
    HOST_LEASE_S). A server that keeps its leases on disk (`nianbao server` does) then frees the slots at once; if
    it never answers, it takes them back when the lease ends.
    """
    lease = take_hosts([host_limit(h) for h in hosts])
    logger = run_logger()  # handed to the renewal thread, which has no run context
    stop = threading.Event()
    renewal = threading.Thread(target=_renew_lease, args=(lease, stop, logger), name="host-lease", daemon=True)
    renewal.start()
    try:
        yield
    finally:
        stop.set()
        renewal.join()
        _release_lease(lease, hosts, logger)


def take_hosts(names: list[str]) -> UUID:
    """One lease on a slot of every limit in `names`: all or none, so two runs never each hold what the other waits
    for. While another run holds one of them (423 Locked), wait as the API says (Retry-After) and ask again."""
    run = TaskRunContext.get()
    holder = ConcurrencyLeaseHolder(type="task_run", id=run.task_run.id) if run else None
    while True:
        with get_client(sync_client=True) as client:
            try:
                answer = client.increment_concurrency_slots_with_lease(
                    names=names, slots=1, mode="concurrency", lease_duration=HOST_LEASE_S, holder=holder
                )
                return UUID(answer.json()["lease_id"])
            except httpx.HTTPStatusError as e:
                if e.response.status_code != 423:
                    raise
                sleep(min(float(e.response.headers.get("Retry-After") or 5), HOST_LEASE_S / 4))


def _renew_lease(lease: UUID, stop: threading.Event, logger: Any) -> None:
    """Renew `lease` every quarter of its duration until `stop`; a refused renewal is tried at the next turn."""
    while not stop.wait(HOST_LEASE_S / 4):
        try:
            with get_client(sync_client=True) as client:
                client.renew_concurrency_lease(lease, HOST_LEASE_S)
        except httpx.HTTPError as e:
            logger.warning("host lease %s not renewed: %r; trying again", lease, e)


def _release_lease(lease: UUID, hosts: list[str], logger: Any) -> None:
    """Free the hosts' slots; a refused release is tried again once the API answers (see holding_hosts)."""
    for attempt in (1, 2):
        try:
            with get_client(sync_client=True) as client:
                client.release_concurrency_slots_with_lease(lease)
            return
        except httpx.HTTPError as e:
            logger.warning("host limits of %s not released: %r; waiting for the Prefect API", hosts, e)
            if attempt == 1 and wait_for_api(HOST_LEASE_S):
                continue
            logger.warning("the Prefect API did not free them; the server does when the lease ends")
            return


def wait_for_api(timeout_s: float, step_s: float = 2.0) -> bool:
    """Whether the Prefect API answers its health check within `timeout_s`."""
    deadline = monotonic() + timeout_s
    while monotonic() < deadline:
        with get_client(sync_client=True) as client:
            if client.api_healthcheck() is None:
                return True
        sleep(step_s)
    return False


def plan_batches(
    sites: list[Site],
    processes: int = MAX_PARALLEL_CRAWLS,
    most: int = SITES_PER_BATCH,
    hosts_in_flight: int = HOSTS_IN_FLIGHT,
) -> list[list[Site]]:
    """Split the sites into crawl batches: few and large, none above `most` sites (or one host's sites).

    A batch is one crawl process (crawler.crawl --sites-file): one Scrapy crawler crawling `hosts_in_flight` hosts
    at once. Only as many processes as keep every host busy: ⌈sites ÷ hosts_in_flight⌉, at most `processes`.
    The sites of one host stay in one batch, where they are crawled one after the other.
    """
    wanted = min(max(1, processes), math.ceil(len(sites) / max(1, hosts_in_flight)))
    size = max(1, min(most, math.ceil(len(sites) / max(1, wanted))))
    batches: list[list[Site]] = []
    batch: list[Site] = []
    for lane in lanes(sites):
        if batch and (len(batch) >= size or len(batch) + len(lane) > most):
            batches.append(batch)
            batch = []
        batch += lane
    return [*batches, batch] if batch else batches


def batch_name(sites: list[Site]) -> str:
    return sites[0].code if len(sites) == 1 else f"{sites[0].code}+{len(sites) - 1}"


# Retried: the host limits can be refused for a while (the API answers 503 under load), and a re-crawl is cheap
# (the sites' state makes it conditional).
@task(name="crawl-sites", task_run_name="crawl-{sites[0].code}…", retries=2, retry_delay_seconds=[10, 30])
def crawl_batch(
    sites: list[Site], year: int, kinds: list[str], store_url: str, force: bool = False
) -> list[CrawlSummary]:
    """Crawl a batch of sites in one `python -m crawler.crawl` process; return one summary per site.

    The batch holds the concurrency limits of all its hosts while it runs. A crawl process that dies (killed,
    out of memory) is started once more for the sites it had not finished; a site still unfinished after that
    gets a summary with the error, so the flow records it and goes on.
    """
    hosts = sorted({site.host for site in sites})
    longest_lane = max(len(lane) for lane in lanes(sites))
    timeout = CRAWL_TIMEOUT_S * max(longest_lane, math.ceil(len(sites) / HOSTS_IN_FLIGHT))
    summaries: dict[str, CrawlSummary] = {}
    # The lease is renewed while the batch runs; a flow process that dies stops renewing it, and the server
    # takes the slots back HOST_LEASE_S later. An API restarting when the crawl ends does not fail the batch.
    with holding_hosts(hosts):
        for attempt in (1, 2):
            left = [site for site in sites if site.code not in summaries]
            if not left:
                break
            for site in left:
                report("crawl-started", site=site.code)
            error = _run_crawl_process(left, year, kinds, store_url, force, timeout, summaries)
            if error and attempt == 1:
                get_run_logger().warning(
                    "crawl of %s: %s; starting again for the unfinished sites", batch_name(left), error
                )
    for site in sites:
        if site.code not in summaries:
            summaries[site.code] = CrawlSummary.failed(site.code, year, error or "the crawl process ended without it")
    return [summaries[site.code] for site in sites]


def _run_crawl_process(
    sites: list[Site], year: int, kinds: list[str], store_url: str, force: bool, timeout: float,
    summaries: dict[str, CrawlSummary],
) -> str | None:  # fmt: skip
    """Run one crawl process over `sites`, adding each site's summary to `summaries` as its line arrives.

    Return None when the process ended well, else what went wrong (exit code and the end of its log).
    """
    with tempfile.TemporaryDirectory(prefix="nianbao-batch-") as tmp:
        sites_file, log_file = os.path.join(tmp, "sites.json"), os.path.join(tmp, "crawl.log")
        with open(sites_file, "w", encoding="utf-8") as out:
            json.dump([site.model_dump(mode="json") for site in sites], out, ensure_ascii=False)
        command = [sys.executable, "-m", "crawler.crawl", "--sites-file", sites_file, "--year", str(year)]
        command += ["--store", store_url, "--hosts-in-flight", str(HOSTS_IN_FLIGHT), *(f"--kind={k}" for k in kinds)]
        command += ["--force"] if force else []
        with open(log_file, "w+", encoding="utf-8") as log, subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True
        ) as crawl:  # fmt: skip
            _running_crawls.add(crawl)
            timed_out = threading.Event()

            def stop_at_timeout() -> None:
                timed_out.set()
                crawl.kill()

            timer = threading.Timer(timeout, stop_at_timeout)
            timer.start()
            try:
                for line in crawl.stdout or ():
                    if line.startswith("{"):
                        summary = CrawlSummary.from_dict(json.loads(line))
                        summaries[summary.site] = summary
                        if not summary.error:
                            report(
                                "crawled", site=summary.site, pages=summary.pages, captures=summary.captures,
                                seconds=summary.seconds, summary=summary,
                            )  # fmt: skip
                crawl.wait()
            finally:
                timer.cancel()
                _running_crawls.discard(crawl)
            if crawl.returncode == 0:
                return None
            log.seek(0)
            tail = "\n".join(log.read().strip().splitlines()[-5:])
    killed = f" (killed at the timeout, {timeout:.0f}s)" if timed_out.is_set() else ""
    return f"crawl process exited with {crawl.returncode}{killed}: {tail}"


def wait_for_extraction(
    crawl: CrawlSummary, site: Site, store: str, timeout_s: float = EXTRACTION_TIMEOUT_S
) -> list[CaptureOutcome]:
    """The outcome of every capture the crawl queued, in its order; a task still running at the deadline, or one
    that raised, is a failure without a URL.

    A plain function run in the flow's own thread, not a task: it only waits on Celery, and a task per site
    would hold a worker thread that a crawl of another host could use (and double the task runs per site).
    """
    from workers.celery import app
    from workers.queue import send_extract

    deadline = monotonic() + timeout_s
    outcomes = []
    captures = crawl.dispatched or [{}] * len(crawl.task_ids)
    for task_id, capture in zip(crawl.task_ids, captures, strict=True):
        result = AsyncResult(task_id, app=app)

        def send_again(task_id: str = task_id, capture: dict[str, Any] = capture) -> None:
            run_logger().warning(
                "site %s: the extraction task of %s was lost (neither queued nor held by any worker); "
                "sent again", site.code, capture.get("url"),
            )  # fmt: skip
            send_extract(capture, store, site.division, site.level, task_id=task_id)

        answer = task_answer(result, deadline, send_again if capture else None)
        if answer is None:
            answer = {"status": "failed", "reason": f"extraction still running after {timeout_s:.0f}s"}
        elif not isinstance(answer, dict):  # the task raised: Celery hands back the exception
            answer = {"status": "failed", "reason": f"{type(answer).__name__}: {answer}"}
        result.forget()
        outcomes.append(CaptureOutcome.from_dict(answer))
        report("extracted", site=crawl.site, status=outcomes[-1].status)
    return outcomes


def task_answer(result: AsyncResult, deadline: float, send_again: Callable[[], None] | None = None) -> Any:
    """A task's answer, or None at the deadline. Asked again every RESULT_POLL_S and through a Redis restart: sites
    are finished while crawls still run, so a wait can span a Redis outage, and each new ask reads the stored result
    (one published while the connection was down reaches no subscriber).

    A Redis restart can also lose the task's message, or leave it held for no worker (workers.queue): unanswered,
    and found nowhere or abandoned at two asks in a row (one could catch it between a worker taking and recording
    it), the task is sent again under its id with `send_again`.
    """
    from workers.queue import whereabouts

    unclaimed = 0
    while (left := deadline - monotonic()) > 0:
        try:
            return result.get(timeout=min(left, RESULT_POLL_S), propagate=False)
        except CeleryTimeoutError:
            if send_again is None:
                continue
        except (OSError, RedisError, OperationalError):  # Redis restarting: ask again in a moment
            sleep(min(left, 1.0))
            continue
        try:
            unclaimed = unclaimed + 1 if whereabouts(result.id) in ("nowhere", "abandoned") else 0
            if unclaimed == 2:
                send_again()
                unclaimed = 0
        except (OSError, RedisError, OperationalError):  # not known where it is: counted from zero again
            unclaimed = 0
    return None


def crawl_and_extract(sites: list[Site], year: int, kinds: list[str], store: str, force: bool) -> list[SiteRow]:
    """Crawl the sites in batches from this flow run (tasks), wait for their extraction; one row per site.

    A site is finished (its extraction waited for, its captures marked, its row made) as soon as its crawl process
    reports it, while the rest of its batch is still crawled: a batch of hundreds of sites would otherwise leave
    every one of them to be finished after its last site, and the run would end that much later.
    """
    # Batches of sites, one crawl process each; the sites of one host in one batch, one after the other (the
    # host's global limit also holds across runs, against an operator's re-run of the same site).
    claim_hosts({site.host for site in sites})
    ours = {site.code: site for site in sites}
    arrivals: queue.Queue[CrawlSummary | None] = queue.Queue()  # a site crawled, or None: a batch ended

    def on_event(event: str, data: dict[str, Any]) -> None:
        if event == "crawled" and data["summary"].site in ours:
            arrivals.put(data["summary"])

    rows: dict[str, SiteRow] = {}
    stop_listening = listen(on_event)
    try:
        batches = [(batch, crawl_batch.submit(batch, year, kinds, store, force)) for batch in plan_batches(sites)]
        for _, crawl in batches:
            crawl.add_done_callback(lambda _: arrivals.put(None))
        running = len(batches)
        while running:  # extraction runs on the Celery workers meanwhile
            summary = arrivals.get()
            if summary is None:
                running -= 1
            elif summary.site not in rows:  # a batch retried by Prefect reports its sites again
                rows[summary.site] = finish_site(ours[summary.site], summary, store)
    finally:
        stop_listening()

    # The sites no crawl reported: they failed, or their whole batch did.
    for batch, crawl in batches:
        state = crawl.wait() or crawl.state
        summaries = (
            crawl.result()
            if state.is_completed()
            else [CrawlSummary.failed(site.code, year, str(state.message or state.name)[:300]) for site in batch]
        )
        for site, summary in zip(batch, summaries, strict=True):
            if site.code not in rows:
                rows[site.code] = finish_site(site, summary, store)
    return [rows[site.code] for batch, _ in batches for site in batch]


def finish_site(site: Site, summary: CrawlSummary, store: str) -> SiteRow:
    """A crawled site's row: a failed crawl as it is, else with the outcome of every capture it queued."""
    if summary.error:
        get_run_logger().error("site %s failed: %s", site.code, summary.error)
        row = site_row(site, summary)
    else:
        outcomes = wait_for_extraction(summary, site, store)
        # Captures whose extraction ended (stored, unchanged, wrapper, or a recorded failure; a timeout or a crash
        # names none): now the next crawl may trust them.
        mark_extracted(Store(store), site.code, [o.url for o in outcomes if o.url])
        row = site_row(site, summary, outcomes)
    report("site-done", site=site.code, row=row)
    return row
