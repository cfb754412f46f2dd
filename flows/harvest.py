"""The national harvest: every site of the registry, for one report year, into the object store.

Runbook it replaces (each step a module of flows/):
  1. choose the sites (the registry, or the ones named)                                         flows/sites.py
  2. crawl the sites in batches, one crawl process per batch, hosts in parallel, never two
     crawls of one host at once (here, or spread as `harvest-batch` runs on the pool's workers)  flows/batches.py,
  3. wait for the Celery workers to extract what each crawl sent                                flows/spread.py
  4. collect the stored documents into the manifests, the figures table and the coverage tables flows/collect.py
  5. write the run summary and show it in the Prefect UI (run table, hosts, coverage, figures)  flows/summary.py
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from prefect.task_runners import ThreadPoolTaskRunner

from flows.batches import MAX_PARALLEL_CRAWLS, crawl_and_extract
from flows.collect import summarise_figures, write_coverage_tables, write_manifests
from flows.progress import report
from flows.sites import DEFAULT_STORE, NATIONAL_REGISTRY, default_year, select_sites
from flows.spread import spread_over_workers
from flows.summary import host_rows, publish_artifacts, write_run_summary
from nianbao.records import RunSummary
from nianbao.reports import load_kinds
from nianbao.sites import Site


@flow(name="harvest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_CRAWLS), log_prints=True)  # type: ignore[arg-type]
def harvest(
    year: int | None = None,
    registry: str = NATIONAL_REGISTRY,
    kinds: list[str] | None = None,
    sites: list[str] | None = None,
    store: str = DEFAULT_STORE,
    force: bool = False,
    spread: bool = False,
) -> RunSummary:
    """Harvest the reports on `year` (default: last year) of the chosen kinds from the registry's sites.

    `spread` runs the batches on the work pool's workers (the `harvest-batch` deployment must exist).
    """
    chosen = select_sites(registry, sites)  # 1
    kinds = kinds or list(load_kinds())
    return harvest_sites(chosen, year or default_year(), kinds, store, registry, force, spread)  # 2-5


def harvest_sites(
    chosen: list[Site], year: int, kinds: list[str], store: str, registry: str, force: bool, spread: bool = False
) -> RunSummary:
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

    # 2–3. crawl the batches and wait for their extraction: one row per site
    if spread:
        rows = spread_over_workers(chosen, year, kinds, store, registry, force, run_id)
    else:
        rows = crawl_and_extract(chosen, year, kinds, store, force)

    # 4. collect the stored documents into tables
    finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    manifests = write_manifests(store, kinds, year)
    figures = summarise_figures(store, kinds, year)
    coverage = write_coverage_tables(store, registry, kinds, year, rows)

    # 5. the run summary, and what operators see of it
    hosts = host_rows(rows)
    summary = RunSummary(
        run_id=run_id, year=year, kinds=kinds, store=store, registry=registry, finished_at=finished_at, sites=rows,
        hosts=hosts, refusing_hosts=sorted({row.host for row in rows if row.refusing}), manifests=manifests,
        figures=figures, coverage=coverage,
    )  # fmt: skip
    write_run_summary(store, summary)
    publish_artifacts(summary)
    create_table_artifact(
        key="harvest-hosts",
        table=hosts,
        description=f"Harvest {run_id}: what each host answered; {sum(h['refusing'] for h in hosts)} kept refusing",
    )
    return summary
