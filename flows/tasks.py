"""The tasks of a harvest, shared by the flows `harvest` (many sites) and `harvest-site` (one site).

Network and process I/O are tasks with retries; the bookkeeping between them is plain functions.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from time import monotonic
from typing import Any

from celery.result import AsyncResult
from prefect import allow_failure, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.concurrency.sync import concurrency
from prefect.futures import PrefectFuture

from flows.progress import report
from nianbao.divisions import province_of
from nianbao.reports import load_kinds
from nianbao.sites import Site, load_registry
from storage import layout
from storage.manifest import manifest_rows, write_manifest
from storage.store import Store

CRAWL_TIMEOUT_S = 20 * 60  # above CLOSESPIDER_TIMEOUT (15 min): the crawl ends itself first
EXTRACTION_TIMEOUT_S = 30 * 60  # for one site's captures, the queue included
MAX_PARALLEL_CRAWLS = int(os.environ.get("NIANBAO_MAX_PARALLEL_CRAWLS", "4"))
NATIONAL_REGISTRY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nianbao", "registry", "national.yaml")
DEFAULT_STORE = os.environ.get("NIANBAO_STORE", "./data")


def default_year() -> int:
    """The report year a harvest is about unless told: last year (reports are due in the spring after it)."""
    return datetime.now(UTC).year - 1


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


def host_limit(host: str) -> str:
    """The Prefect global concurrency limit that keeps crawls of one host from overlapping, across runs."""
    return "crawl-host-" + re.sub(r"[^a-z0-9.-]+", "-", host.lower())


def claim_host(host: str) -> None:
    """Create the host's limit (one slot) if it does not exist yet."""
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(host_limit(host), limit=1)


@task(name="crawl-site", retries=1, retry_delay_seconds=[10], task_run_name="crawl-{site.code}")
def crawl_site(site: Site, year: int, kinds: list[str], store_url: str, force: bool = False) -> dict[str, Any]:
    """Run `python -m crawler.crawl` for one site; it stores the WARC and queues the captures."""
    command = [sys.executable, "-m", "crawler.crawl", "--site-json", site.model_dump_json(), "--year", str(year)]
    command += ["--store", store_url, *(f"--kind={kind}" for kind in kinds)]
    if force:
        command.append("--force")
    with concurrency(host_limit(site.host), occupy=1, lease_duration=CRAWL_TIMEOUT_S):
        report("crawl-started", site=site.code)
        return _run_crawl(site, command)


def _run_crawl(site: Site, command: list[str]) -> dict[str, Any]:
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
def wait_for_extraction(crawl: dict[str, Any], timeout_s: float = EXTRACTION_TIMEOUT_S) -> dict[str, Any]:
    """Collect the result of every capture the crawl queued; a task still running at the deadline is a failure.

    A plain function run in the flow's own thread, not a task: it only waits on Celery, and a task per site
    would hold a worker thread that a crawl of another host could use (and double the task runs per site).
    """
    from workers.celery import app

    deadline = monotonic() + timeout_s
    counts: Counter[str] = Counter()
    # Pages the crawl could not fetch (timeouts, resets, 5xx after retries, size caps) it recorded in failures/.
    failures: list[dict[str, str]] = [{"url": f["url"], "reason": f["reason"]} for f in crawl.get("fetch_failed", [])]
    counts["failed"] += len(failures)
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
        # A detail page that only wraps its attachments is not a report of its own.
        "reports_found": outcome.get("captures", 0) - results.get("wrapper", 0),
        "new": results.get("new", 0),
        "changed": results.get("changed", 0),
        # Unchanged: not modified (304) or the same bytes at the crawl, or the same document at extraction.
        "unchanged": outcome.get("unchanged", 0) + results.get("unchanged", 0),
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


def coverage(store: Store, sites: list[Site], kinds: list[str], year: int) -> list[dict[str, Any]]:
    """Per province and level: how many sites published each kind's report on `year`, how many on time."""
    by_site: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for kind in kinds:
        for row in manifest_rows(store, kind, year):
            by_site.setdefault((kind, row["site"]), []).append(row)
    table: dict[tuple[str, str, str], Counter[str]] = {}
    for site in sites:
        for kind in kinds:
            counts = table.setdefault((province_of(site.division), site.level, kind), Counter())
            rows = by_site.get((kind, site.code), [])
            counts["sites"] += 1
            counts["published"] += bool(rows)
            counts["on_time"] += any(r.get("on_time") for r in rows)
    return [
        {"province": province, "level": level, "kind": kind, **counts}
        for (province, level, kind), counts in sorted(table.items())
    ]


def publish_artifacts(summary: dict[str, Any], coverage_rows: list[dict[str, Any]]) -> None:
    """What an operator reads in the Prefect UI: the run table, coverage, and the failures to re-drive."""
    run_id, year, store = summary["run_id"], summary["year"], summary["store"]
    create_table_artifact(
        key="harvest-summary",
        table=[{k: v for k, v in row.items() if k != "failures"} for row in summary["sites"]],
        description=f"Harvest {run_id}: report year {year}, {len(summary['sites'])} sites, store {store}",
    )
    create_table_artifact(
        key="harvest-coverage",
        table=coverage_rows,
        description=f"Sites that published the report on {year}, and on time, by province and level",
    )
    failures = [(row["site"], f) for row in summary["sites"] for f in row["failures"]]
    errors = [
        (row["site"], row["error"] or row["blocked"]) for row in summary["sites"] if row["error"] or row["blocked"]
    ]
    lines = [f"# Failures of harvest {run_id}", ""]
    lines += [f"- `{site}` {f['url']}: {f['reason']}" for site, f in failures] or ["No extraction failed."]
    lines += ["", "## Sites not harvested", ""]
    lines += [f"- `{site}`: {reason}" for site, reason in errors] or ["Every site was crawled."]
    lines += [
        "",
        "Re-drive the failed extractions:",
        "",
        f"    nianbao failures --year {year} --redrive --store {store}",
    ]
    lines += ["", "Re-run one site:", "", f"    nianbao rerun SITE --year {year} --store {store}"]
    create_markdown_artifact(key="harvest-failures", markdown="\n".join(lines), description="Failures to re-drive")


def harvest_sites(
    chosen: list[Site], year: int, kinds: list[str], store: str, registry: str, force: bool
) -> dict[str, Any]:
    """The body of both flows: crawl, extract, manifests, summary, artifacts."""
    logger = get_run_logger()
    unknown = [k for k in kinds if k not in load_kinds()]
    if unknown:
        raise ValueError(f"unknown report kind(s) {', '.join(unknown)}; configured: {', '.join(load_kinds())}")
    run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    logger.info("run %s: %d sites, report year %d, kinds %s, store %s", run_id, len(chosen), year, kinds, store)
    report("started", sites=[s.code for s in chosen], run_id=run_id)

    # Crawls of one host run one after the other (the host's global limit also holds across runs);
    # within a run, chaining them keeps threads free for other hosts instead of waiting on the limit.
    for host in {site.host for site in chosen}:
        claim_host(host)
    last_on_host: dict[str, PrefectFuture[Any]] = {}
    crawls = []
    for site in chosen:
        previous = last_on_host.get(site.host)
        after = [allow_failure(previous)] if previous else []
        crawl = crawl_site.submit(site, year, kinds, store, force, wait_for=after)  # type: ignore[call-overload]
        last_on_host[site.host] = crawl
        crawls.append((site, crawl))

    # Extraction runs on the Celery workers meanwhile; collecting a site's results waits for its crawl only.
    rows = []
    for site, crawl in crawls:
        state = crawl.wait() or crawl.state
        if state.is_completed():
            rows.append(site_row(site, wait_for_extraction(crawl.result()), None))
        else:
            error = str(state.message or state.name)
            logger.error("site %s failed: %s", site.code, error)
            rows.append(site_row(site, None, error))
        report("site-done", site=site.code, row=rows[-1])

    summary = {
        "run_id": run_id,
        "year": year,
        "kinds": kinds,
        "store": store,
        "registry": registry,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sites": rows,
        "manifests": write_manifests(store, kinds, year),
    }
    summary["run_key"] = write_run_summary(store, summary)
    publish_artifacts(summary, coverage(Store(store), chosen, kinds, year))
    return summary
