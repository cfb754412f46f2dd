"""The national harvest: every site of the registry, for one report year, into the object store.

Runbook it replaces:
  1. choose the sites (the registry, or the ones named),
  2. crawl the sites in batches, one crawl process per batch (here, or with `spread` as `harvest-batch` flow runs
     on the pool's workers), hosts in parallel, never two crawls of one host at once,
  3. wait for the Celery workers to extract what each crawl sent,
  4. rebuild the manifests of the kinds and year,
  5. write the run summary and publish it in the Prefect UI (run table, coverage, failures).
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.task_runners import ThreadPoolTaskRunner

from flows.tasks import DEFAULT_STORE, MAX_PARALLEL_CRAWLS, NATIONAL_REGISTRY, default_year, harvest_sites, select_sites
from nianbao.reports import load_kinds


@flow(name="harvest", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_CRAWLS), log_prints=True)  # type: ignore[arg-type]
def harvest(
    year: int | None = None,
    registry: str = NATIONAL_REGISTRY,
    kinds: list[str] | None = None,
    sites: list[str] | None = None,
    store: str = DEFAULT_STORE,
    force: bool = False,
    spread: bool = False,
) -> dict[str, Any]:
    """Harvest the reports on `year` (default: last year) of the chosen kinds from the registry's sites.

    `spread` runs the batches on the work pool's workers (the `harvest-batch` deployment must exist).
    """
    chosen = select_sites(registry, sites)  # 1
    kinds = kinds or list(load_kinds())
    return harvest_sites(chosen, year or default_year(), kinds, store, registry, force, spread)  # 2-5
