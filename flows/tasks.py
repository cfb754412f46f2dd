"""The tasks of a harvest, shared by the flows `harvest` (many sites) and `harvest-site` (one site).

Network and process I/O are tasks with retries; the bookkeeping between them is plain functions.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from time import monotonic, sleep
from typing import Any, cast

from celery.result import AsyncResult
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitUpdate
from prefect.concurrency.sync import concurrency
from prefect.exceptions import ObjectNotFound
from prefect.settings import get_current_settings

from flows.progress import report
from nianbao.coverage import STATUSES, Outcome, coverage_rows, outcome_of, owed_units, rates
from nianbao.records import CrawlSummary
from nianbao.reports import load_kinds
from nianbao.sites import Site, lanes, load_registry
from storage import layout
from storage.coverage import read_coverage, write_coverage
from storage.figures import KIND as FIGURES_KIND
from storage.figures import figure_rows, national_summary, write_figures
from storage.manifest import read_manifest, write_manifest
from storage.state import mark_extracted
from storage.store import Store

CRAWL_TIMEOUT_S = 20 * 60  # above CLOSESPIDER_TIMEOUT (15 min): the crawl ends itself first
HOST_LEASE_S = 120
EXTRACTION_TIMEOUT_S = 30 * 60  # for one site's captures, the queue included
MAX_PARALLEL_CRAWLS = int(os.environ.get("NIANBAO_MAX_PARALLEL_CRAWLS", "4"))  # crawl processes at once
SITES_PER_BATCH = int(os.environ.get("NIANBAO_SITES_PER_BATCH", "5000"))  # sites in one crawl process, at most
HOSTS_IN_FLIGHT = int(os.environ.get("NIANBAO_HOSTS_IN_FLIGHT", "256"))  # hosts one crawl process crawls at once
NATIONAL_REGISTRY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nianbao", "registry", "national.yaml")
DEFAULT_STORE = os.environ.get("NIANBAO_STORE", "./data")
BATCH_DEPLOYMENT = "harvest-batch/harvest-batch"


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
        for name in sorted(wanted - set(existing)):
            client.upsert_global_concurrency_limit_by_name(name, limit=1)
        if get_current_settings().api.url is None:
            for name in sorted(wanted & set(existing)):
                if existing[name].active_slots:
                    get_run_logger().warning("%s: freeing a slot left by a killed harvest", name)
                    client.update_global_concurrency_limit(name, GlobalConcurrencyLimitUpdate(active_slots=0))


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
    # takes the slots back HOST_LEASE_S later.
    with concurrency([host_limit(h) for h in hosts], occupy=1, lease_duration=HOST_LEASE_S):
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
            timer = threading.Timer(timeout, crawl.kill)
            timer.start()
            try:
                for line in crawl.stdout or ():
                    if line.startswith("{"):
                        summary = CrawlSummary.from_dict(json.loads(line))
                        summaries[summary.site] = summary
                        if not summary.error:
                            report(
                                "crawled", site=summary.site, pages=summary.pages, captures=summary.captures,
                                seconds=summary.seconds,
                            )  # fmt: skip
                crawl.wait()
            finally:
                timer.cancel()
                _running_crawls.discard(crawl)
            if crawl.returncode == 0:
                return None
            log.seek(0)
            tail = "\n".join(log.read().strip().splitlines()[-5:])
    killed = " (killed at the timeout)" if crawl.returncode == -signal.SIGKILL else ""
    return f"crawl process exited with {crawl.returncode}{killed}: {tail}"


# -- 3. wait for extraction ------------------------------------------------------------------------------------
def wait_for_extraction(crawl: CrawlSummary, timeout_s: float = EXTRACTION_TIMEOUT_S) -> dict[str, Any]:
    """Collect the result of every capture the crawl queued; a task still running at the deadline is a failure.

    A plain function run in the flow's own thread, not a task: it only waits on Celery, and a task per site
    would hold a worker thread that a crawl of another host could use (and double the task runs per site).
    """
    from workers.celery import app

    deadline = monotonic() + timeout_s
    counts: Counter[str] = Counter()
    # Pages the crawl could not fetch (timeouts, resets, 5xx after retries, size caps) it recorded in failures/.
    failures: list[dict[str, str]] = [{"url": f["url"], "reason": f["reason"]} for f in crawl.fetch_failed]
    counts["failed"] += len(failures)
    extracted: list[str] = []  # captures whose extraction ended (stored, unchanged, wrapper, or a recorded failure)
    for task_id in crawl.task_ids:
        result = AsyncResult(task_id, app=app)
        try:
            outcome = result.get(timeout=max(deadline - monotonic(), 1), propagate=False)
        except TimeoutError:
            outcome = {"status": "failed", "reason": f"extraction still running after {timeout_s:.0f}s"}
        if not isinstance(outcome, dict):  # the task raised: Celery hands back the exception
            outcome = {"status": "failed", "reason": f"{type(outcome).__name__}: {outcome}"}
        result.forget()
        counts[outcome["status"]] += 1
        counts["with_figures"] += bool(outcome.get("figures"))
        if outcome.get("url"):  # a finished task names its capture; a timeout or a crash does not
            extracted.append(outcome["url"])
        if outcome["status"] == "failed":
            failures.append({"url": outcome.get("url", ""), "reason": outcome.get("reason", "")})
        report("extracted", site=crawl.site, status=outcome["status"])
    return {**crawl.to_dict(), "results": dict(counts), "failures": failures, "extracted": extracted}


# -- 4. manifests ----------------------------------------------------------------------------------------------
@task(name="write-manifests", retries=2, retry_delay_seconds=[2, 5])
def write_manifests(store_url: str, kinds: list[str], year: int) -> dict[str, int]:
    """The manifest of every kind, and the figures table when information-disclosure reports were harvested."""
    store = Store(store_url)
    written = [write_manifest(store, kind, year) for kind in kinds]
    if FIGURES_KIND in kinds:
        written.append(write_figures(store, year))
    return dict(written)


def summarise_figures(store_url: str, kinds: list[str], year: int) -> dict[str, Any] | None:
    """National totals per field and the reports whose checks failed (None when no such reports were harvested)."""
    if FIGURES_KIND not in kinds:
        return None
    return national_summary(figure_rows(Store(store_url), year))


# -- 5. summary ------------------------------------------------------------------------------------------------
# A site's line of a run in the order an operator reads it (the run summary's JSON is stored with sorted keys, so
# the order is kept here, not in the rows).
SITE_COLUMNS = ("site", "name", "level", "reports", "new", "changed", "unchanged", "failed", "blocked", "error",
                "stored", "with_figures", "pages", "reports_found", "seconds")  # fmt: skip


def site_row(site: Site, outcome: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
    """One site's line of the run, in the order an operator reads it: the site, what it holds (reports known this
    run, of which new, changed, unchanged), what went wrong, then the crawl's own figures.

    `reports` counts every report page the run met: those fetched and extracted, and those the site's state
    let it skip (a 304, or the same bytes: `unchanged` at the crawl). `reports_found` are the fetched ones only,
    the captures sent to extraction.
    """
    outcome = outcome or {}
    results = outcome.get("results", {})
    # A detail page that only wraps its attachments is not a report of its own.
    fetched = outcome.get("captures", 0) - results.get("wrapper", 0)
    # Unchanged: not modified (304) or the same bytes at the crawl, or the same document at extraction.
    unchanged = outcome.get("unchanged", 0) + results.get("unchanged", 0)
    return {
        "site": site.code,
        "name": site.name,
        "level": site.level,
        "reports": fetched + outcome.get("unchanged", 0),
        "new": results.get("new", 0),
        "changed": results.get("changed", 0),
        "unchanged": unchanged,
        "failed": results.get("failed", 0) + (1 if error else 0),
        "blocked": outcome.get("blocked") or "",
        "error": error or "",
        "stored": results.get("new", 0) + results.get("changed", 0) + unchanged,
        "with_figures": results.get("with_figures", 0),  # information-disclosure reports whose tables were read
        "pages": outcome.get("pages", 0),
        "reports_found": fetched,
        "seconds": outcome.get("seconds", 0),
        "host": outcome.get("host") or site.host,
        # What the host answered (2xx … 5xx, timeouts), and whether it kept refusing (429/503 after the retries).
        "statuses": outcome.get("statuses", {}),
        "robots_forbidden": outcome.get("robots_forbidden", 0),
        "throttled": outcome.get("throttled", 0),
        "refusing": bool(outcome.get("refused_by_host", 0)),
        "failures": outcome.get("failures", []),
    }


HOST_COLUMNS = ("2xx", "3xx", "4xx", "5xx", "timeouts", "download_errors")


def host_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per host, what it answered over the run (its sites together): the status classes, timeouts, requests
    refused by robots.txt, 429/503 answers that slowed it down, and whether it kept refusing."""
    hosts: dict[str, dict[str, Any]] = {}
    for row in rows:
        host = hosts.setdefault(
            row.get("host", ""),
            {"host": row.get("host", ""), "sites": 0, **dict.fromkeys(HOST_COLUMNS, 0), "robots_forbidden": 0,
             "throttled": 0, "refusing": False},
        )  # fmt: skip
        host["sites"] += 1
        for column in HOST_COLUMNS:
            host[column] += row.get("statuses", {}).get(column, 0)
        host["robots_forbidden"] += row.get("robots_forbidden", 0)
        host["throttled"] += row.get("throttled", 0)
        host["refusing"] = host["refusing"] or bool(row.get("refusing"))
    return sorted(hosts.values(), key=lambda h: (not h["refusing"], -h["throttled"], h["host"]))


@task(name="write-run-summary", retries=2, retry_delay_seconds=[2, 5])
def write_run_summary(store_url: str, summary: dict[str, Any]) -> str:
    key = layout.run(summary["run_id"])
    Store(store_url).put_json(key, summary)
    return key


# -- 6. coverage -----------------------------------------------------------------------------------------------
def previous_outcomes(store: Store, kind: str, year: int) -> dict[str, Outcome]:
    """What earlier harvests found of each unit's own site, from the coverage table they wrote: a re-run of one
    site leaves the others as they were (missing, blocked) instead of not crawled."""
    try:
        rows = read_coverage(store, kind, year)
    except FileNotFoundError:
        return {}
    outcomes = {}
    for row in rows:
        if row["status"] == "missing":
            outcomes[row["site"]] = Outcome(crawled=True)
        elif row["status"] == "portal_blocked":
            outcomes[row["site"]] = Outcome(crawled=False, blocked=row["reason"])
    return outcomes


@task(name="write-coverage", retries=2, retry_delay_seconds=[2, 5])
def write_coverage_tables(
    store_url: str, registry_path: str, kinds: list[str], year: int, site_rows: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """For each kind: one row per unit that owes the report (the provinces the registry reaches), from the
    manifest written just before and this run's crawl outcomes; the table goes to `coverage/{kind}/{year}.parquet`.
    Returns per kind its key, its status counts and its rates by province and level."""
    store = Store(store_url)
    registry = load_registry(registry_path)  # the whole registry: a re-run of one site still counts every unit
    provinces = {site.division[:2] for site in registry}
    this_run = {row["site"]: outcome_of(row) for row in site_rows}
    written = {}
    for kind in kinds:
        rules = load_kinds()[kind]
        units = owed_units(rules, year, registry, provinces)
        documents = read_manifest(store, kind, year).to_pylist()
        outcomes = previous_outcomes(store, kind, year) | this_run
        rows = coverage_rows(rules, year, units, documents, outcomes)
        counts = Counter(row["status"] for row in rows)
        written[kind] = {
            "key": write_coverage(store, kind, year, rows),
            "units": len(rows),
            **{status: counts[status] for status in STATUSES},
            "rates": rates(rows),
        }
    return written


def markdown_table(rows: list[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as a markdown table, in the order of `columns` (default: the first row's), numbers right-aligned."""
    if not rows:
        return "Nothing to show.\n"
    columns = list(columns or rows[0])

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    numeric = [all(isinstance(r.get(c), int | float) for r in rows) for c in columns]
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |"]
    lines.append("|" + "|".join("---:" if n else "---" for n in numeric) + "|")
    lines += ["| " + " | ".join(cell(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def markdown_rows(markdown: str) -> list[dict[str, str]]:
    """The rows of a table `markdown_table` wrote (in an artifact read back through the API), by column name."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    if len(lines) < 2:
        return []
    names = [c.strip() for c in lines[0].strip("|").split(" | ")]
    return [dict(zip(names, (c.strip() for c in line.strip("|").split(" | ")), strict=False)) for line in lines[2:]]


def publish_artifacts(summary: dict[str, Any]) -> None:
    """What an operator reads in the Prefect UI: the run table, coverage, and the failures to re-drive."""
    run_id, year, store, kinds = summary["run_id"], summary["year"], summary["store"], summary["kinds"]
    # Markdown tables, not table artifacts: Prefect's UI lays a table artifact's columns out alphabetically
    # (blocked, changed, error, … site twelfth); a markdown table keeps the operator's order.
    create_markdown_artifact(
        key="harvest-summary",
        markdown=f"# Harvest {run_id}: report year {year}\n\n" + markdown_table(summary["sites"], SITE_COLUMNS),
        description=f"Harvest {run_id}: report year {year}, {len(summary['sites'])} sites, store {store}",
    )
    coverage = [
        {"province": row["province"], "level": row["level"], "kind": kind, **row}
        for kind, table in summary["coverage"].items()
        for row in table["rates"]
    ]
    create_markdown_artifact(
        key="harvest-coverage",
        markdown=f"# Coverage of report year {year}\n\n" + markdown_table(coverage),
        description=f"Units that owe each kind's report on {year}, by province and level: on time, late, missing, "
        f"portal blocked, not crawled, no portal known (tables: {', '.join(layout.coverage(k, year) for k in kinds)})",
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
    if summary.get("figures"):
        publish_figures(summary["figures"], run_id, year)


def publish_figures(figures: dict[str, Any], run_id: str, year: int) -> None:
    """The information-disclosure figures of the run's year: national totals per field, and the reports whose
    printed figures fail the format's checks."""
    create_table_artifact(
        key="figures-totals",
        table=[{"field": field, "total": total} for field, total in figures["totals"].items()],
        description=f"Harvest {run_id}: totals over the {figures['with_figures']} information-disclosure reports on "
        f"{year} with figures (of {figures['reports']})",
    )
    lines = [f"# Figures that do not add up — harvest {run_id}", ""]
    lines += [
        f"- `{row['site']}` [{row['title']}]({row['url']}): {', '.join(row['flags'])}"
        for row in figures["failed_checks"]
    ] or ["Every report's figures pass the format's checks."]
    if figures["without_figures"]:
        lines += ["", "## Reports without figures", ""]
        lines += [f"- {reason}: {count}" for reason, count in figures["without_figures"].items()]
    create_markdown_artifact(key="figures-checks", markdown="\n".join(lines), description="Figures failing checks")


def crawl_and_extract(sites: list[Site], year: int, kinds: list[str], store: str, force: bool) -> list[dict[str, Any]]:
    """Crawl the sites in batches from this flow run (tasks), wait for their extraction; one row per site."""
    logger = get_run_logger()
    # Batches of sites, one crawl process each; the sites of one host in one batch, one after the other (the
    # host's global limit also holds across runs, against an operator's re-run of the same site).
    claim_hosts({site.host for site in sites})
    batches = [(batch, crawl_batch.submit(batch, year, kinds, store, force)) for batch in plan_batches(sites)]

    # Extraction runs on the Celery workers meanwhile; collecting a site's results waits for its batch only.
    rows = []
    for batch, crawl in batches:
        state = crawl.wait() or crawl.state
        summaries = (
            crawl.result()
            if state.is_completed()
            else [CrawlSummary.failed(site.code, year, str(state.message or state.name)[:300]) for site in batch]
        )
        for site, outcome in zip(batch, summaries, strict=True):
            if outcome.error:
                logger.error("site %s failed: %s", site.code, outcome.error)
                rows.append(site_row(site, None, outcome.error))
            else:
                collected = wait_for_extraction(outcome)
                mark_extracted(Store(store), site.code, collected["extracted"])  # now the next crawl may trust them
                rows.append(site_row(site, collected, None))
            report("site-done", site=site.code, row=rows[-1])
    return rows


def spread_over_workers(
    sites: list[Site], year: int, kinds: list[str], store: str, registry: str, force: bool, run_id: str
) -> list[dict[str, Any]]:
    """Run each batch as a flow run of the `harvest-batch` deployment, so the batches spread over the Prefect
    workers of its pool; at most MAX_PARALLEL_CRAWLS in flight. Each batch run leaves its rows in the store
    (`batches/{run_id}/`); a batch run that fails or leaves none gives its sites a row with the error.
    """
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment

    logger = get_run_logger()
    claim_hosts({site.host for site in sites})
    batches = plan_batches(sites)
    target = Store(store)
    pending = list(enumerate(batches))
    running: dict[Any, tuple[int, list[Site], float]] = {}  # flow run id → (part, batch, deadline)
    rows_of: dict[int, list[dict[str, Any]]] = {}
    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(BATCH_DEPLOYMENT)
        except ObjectNotFound:
            raise RuntimeError(
                f"spread needs the deployment {BATCH_DEPLOYMENT}: run `nianbao deploy` against this Prefect server"
            ) from None
        while pending or running:
            while pending and len(running) < MAX_PARALLEL_CRAWLS:
                part, batch = pending.pop(0)
                parameters = {"sites": [s.code for s in batch], "year": year, "registry": registry, "kinds": kinds}
                parameters |= {"store": store, "force": force, "run_id": run_id, "part": part}
                run = cast(FlowRun, run_deployment(BATCH_DEPLOYMENT, parameters=parameters, timeout=0, as_subflow=True))
                running[run.id] = (part, batch, monotonic() + CRAWL_TIMEOUT_S * len(batch) + EXTRACTION_TIMEOUT_S)
                logger.info("batch %d (%s) submitted as flow run %s", part, batch_name(batch), run.name)
            sleep(2)
            for run_id_, (part, batch, deadline) in list(running.items()):
                state = client.read_flow_run(run_id_).state
                if state is None or not (state.is_final() or monotonic() > deadline):
                    continue
                del running[run_id_]
                key = layout.batch(run_id, part)
                if state.is_completed() and target.exists(key):
                    rows_of[part] = target.get_json(key)
                else:
                    error = f"batch run {state.name}: {state.message or 'no rows written'}"
                    rows_of[part] = [site_row(site, None, error) for site in batch]
    return [row for part in sorted(rows_of) for row in rows_of[part]]


def harvest_sites(
    chosen: list[Site], year: int, kinds: list[str], store: str, registry: str, force: bool, spread: bool = False
) -> dict[str, Any]:
    """The body of the flows: crawl, extract, manifests, summary, artifacts.

    With `spread`, the batches run as flow runs of `harvest-batch` on the pool's workers; else in this run.
    """
    logger = get_run_logger()
    unknown = [k for k in kinds if k not in load_kinds()]
    if unknown:
        raise ValueError(f"unknown report kind(s) {', '.join(unknown)}; configured: {', '.join(load_kinds())}")
    run_id = f"{year}-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    logger.info("run %s: %d sites, report year %d, kinds %s, store %s", run_id, len(chosen), year, kinds, store)
    report("started", sites=[s.code for s in chosen], run_id=run_id)
    if spread:
        rows = spread_over_workers(chosen, year, kinds, store, registry, force, run_id)
    else:
        rows = crawl_and_extract(chosen, year, kinds, store, force)

    summary = {
        "run_id": run_id,
        "year": year,
        "kinds": kinds,
        "store": store,
        "registry": registry,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sites": rows,
        "hosts": host_rows(rows),
        "refusing_hosts": sorted({row["host"] for row in rows if row.get("refusing")}),
        "manifests": write_manifests(store, kinds, year),
        "figures": summarise_figures(store, kinds, year),
    }
    summary["coverage"] = write_coverage_tables(store, registry, kinds, year, rows)
    summary["run_key"] = write_run_summary(store, summary)
    publish_artifacts(summary)
    hosts = host_rows(rows)
    create_table_artifact(
        key="harvest-hosts",
        table=hosts,
        description=f"Harvest {run_id}: what each host answered; {sum(h['refusing'] for h in hosts)} kept refusing",
    )
    return summary
