"""The yearly harvest: every site of the registry, for one report year, into the object store.

Runbook it replaces:
  1. choose the sites (the registry, or the ones named),
  2. crawl each site in its own process, hosts in parallel, never two crawls of one host at once,
  3. wait for the Celery workers to extract what each crawl sent,
  4. rebuild the manifests of the kinds and year,
  5. write the run summary and show it in the Prefect UI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from time import monotonic
from typing import Any

from celery.result import AsyncResult
from prefect import allow_failure, flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from flows.progress import report
from nianbao.reports import load_kinds
from nianbao.sites import Site, load_registry
from storage import layout
from storage.manifest import write_manifest
from storage.store import Store

CRAWL_TIMEOUT_S = 20 * 60  # above CLOSESPIDER_TIMEOUT (15 min): the crawl ends itself first
EXTRACTION_TIMEOUT_S = 30 * 60  # for one site's captures, the queue included
MAX_PARALLEL_CRAWLS = int(os.environ.get("NIANBAO_MAX_PARALLEL_CRAWLS", "4"))


# -- 1. choose the sites ---------------------------------------------------------------------------------------
def select_sites(registry: str, codes: list[str] | None) -> list[Site]:
    sites = load_registry(registry)
    if not codes:
        return sites
    by_code = {s.code: s for s in sites}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValueError(f"unknown site code(s) {', '.join(unknown)} in {registry}; see `nianbao sites list`")
    return [by_code[c] for c in codes]


# -- 2. crawl ----------------------------------------------------------------------------------------------------
_running_crawls: set[subprocess.Popen[str]] = set()


def stop_crawls() -> None:
    """Ask the crawl processes still running to stop (Scrapy closes them cleanly on SIGTERM)."""
    for crawl in list(_running_crawls):
        crawl.terminate()


@task(name="crawl-site", retries=1, retry_delay_seconds=[10], task_run_name="crawl-{site.code}")
def crawl_site(site: Site, year: int, kinds: list[str], store_url: str) -> dict[str, Any]:
    """Run `python -m crawler.crawl` for one site; it stores the WARC and queues the captures."""
    report("crawl-started", site=site.code)
    command = [
        sys.executable,
        "-m",
        "crawler.crawl",
        "--site-json",
        site.model_dump_json(),
        "--year",
        str(year),
        "--store",
        store_url,
    ]
    for kind in kinds:
        command += ["--kind", kind]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as crawl:
        _running_crawls.add(crawl)
        try:
            stdout, stderr = crawl.communicate(timeout=CRAWL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            crawl.kill()
            raise RuntimeError(f"crawl of {site.code} still running after {CRAWL_TIMEOUT_S}s: killed") from None
        finally:
            _running_crawls.discard(crawl)
    if crawl.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"crawl of {site.code} exited with {crawl.returncode}: {tail}")
    summary: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    report("crawled", site=site.code, pages=summary["pages"], captures=summary["captures"])
    return summary


# -- 3. wait for extraction ------------------------------------------------------------------------------------
@task(name="wait-for-extraction", task_run_name="extract-{crawl[site]}")
def wait_for_extraction(crawl: dict[str, Any], timeout_s: float = EXTRACTION_TIMEOUT_S) -> dict[str, Any]:
    """Collect the result of every capture the crawl queued; a task still running at the deadline is a failure."""
    from workers.celery import app

    deadline = monotonic() + timeout_s
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    for task_id in crawl["task_ids"]:
        result = AsyncResult(task_id, app=app)
        try:
            outcome = result.get(timeout=max(deadline - monotonic(), 1), propagate=False)
        except TimeoutError:
            outcome = {"status": "failed", "reason": f"extraction still running after {timeout_s:.0f}s"}
        if not isinstance(outcome, dict):  # the task raised: Celery hands back the exception
            outcome = {"status": "failed", "reason": f"{type(outcome).__name__}: {outcome}"}
        result.forget()
        counts[outcome["status"]] += 1
        if outcome["status"] == "failed":
            failures.append({"url": outcome.get("url", ""), "reason": outcome.get("reason", "")})
        report("extracted", site=crawl["site"], status=outcome["status"])
    return {**crawl, "results": dict(counts), "failures": failures}


# -- 4. manifests ----------------------------------------------------------------------------------------------
@task(name="write-manifests", retries=2, retry_delay_seconds=[2, 5])
def write_manifests(store_url: str, kinds: list[str], year: int) -> dict[str, int]:
    store = Store(store_url)
    return {key: rows for key, rows in (write_manifest(store, kind, year) for kind in kinds)}


# -- 5. summary ------------------------------------------------------------------------------------------------
def site_row(site: Site, outcome: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
    outcome = outcome or {}
    results = outcome.get("results", {})
    return {
        "site": site.code,
        "name": site.name,
        "level": site.level,
        "pages": outcome.get("pages", 0),
        "reports_found": outcome.get("captures", 0),
        "new": results.get("new", 0),
        "changed": results.get("changed", 0),
        "unchanged": results.get("unchanged", 0),
        "stored": sum(results.get(s, 0) for s in ("new", "changed", "unchanged")),
        "failed": results.get("failed", 0) + (1 if error else 0),
        "blocked": outcome.get("blocked") or "",
        "error": error or "",
        "seconds": outcome.get("seconds", 0),
        "failures": outcome.get("failures", []),
    }


@task(name="write-run-summary", retries=2, retry_delay_seconds=[2, 5])
def write_run_summary(store_url: str, summary: dict[str, Any]) -> str:
    key = layout.run(summary["run_id"])
    Store(store_url).put_json(key, summary)
    return key


@flow(name="harvest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_CRAWLS), log_prints=True)  # type: ignore[arg-type]
def harvest(
    year: int,
    registry: str,
    kinds: list[str] | None = None,
    sites: list[str] | None = None,
    store: str = "./data",
) -> dict[str, Any]:
    """Harvest the reports on `year` of the chosen kinds from the chosen sites of `registry` into `store`."""
    logger = get_run_logger()
    kinds = kinds or list(load_kinds())
    unknown = [k for k in kinds if k not in load_kinds()]
    if unknown:
        raise ValueError(f"unknown report kind(s) {', '.join(unknown)}; configured: {', '.join(load_kinds())}")
    chosen = select_sites(registry, sites)
    run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    logger.info("run %s: %d sites, report year %d, kinds %s, store %s", run_id, len(chosen), year, kinds, store)
    report("started", sites=[s.code for s in chosen], run_id=run_id)

    # Crawls of one host run one after the other: each waits for the previous one, failed or not.
    last_on_host: dict[str, PrefectFuture[Any]] = {}
    extractions = []
    for site in chosen:
        previous = last_on_host.get(site.host)
        after = [allow_failure(previous)] if previous else []
        crawl = crawl_site.submit(site, year, kinds, store, wait_for=after)  # type: ignore[call-overload]
        last_on_host[site.host] = crawl
        extractions.append((site, wait_for_extraction.submit(crawl)))

    rows = []
    for site, extraction in extractions:
        state = extraction.wait() or extraction.state
        if state.is_completed():
            rows.append(site_row(site, extraction.result(), None))
        else:
            error = str(state.message or state.name)
            logger.error("site %s failed: %s", site.code, error)
            rows.append(site_row(site, None, error))
        report("site-done", site=site.code, row=rows[-1])

    manifests = write_manifests(store, kinds, year)
    summary = {
        "run_id": run_id,
        "year": year,
        "kinds": kinds,
        "store": store,
        "registry": registry,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sites": rows,
        "manifests": manifests,
    }
    summary["run_key"] = write_run_summary(store, summary)
    create_table_artifact(
        key="harvest-summary",
        table=[{k: v for k, v in row.items() if k != "failures"} for row in rows],
        description=f"Harvest {run_id}: report year {year}, {len(rows)} sites, store {store}",
    )
    return summary
