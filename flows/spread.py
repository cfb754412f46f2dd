"""Step 2, spread: the batches of a national harvest as `harvest-batch` flow runs on the work pool's workers."""

from __future__ import annotations

from time import monotonic, sleep
from typing import Any, cast

from prefect import get_run_logger
from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound

from flows.batches import (
    CRAWL_TIMEOUT_S,
    EXTRACTION_TIMEOUT_S,
    MAX_PARALLEL_CRAWLS,
    batch_name,
    claim_hosts,
    plan_batches,
)
from flows.summary import site_row
from nianbao.records import CrawlSummary, SiteRow
from nianbao.sites import Site
from storage import layout
from storage.store import Store

BATCH_DEPLOYMENT = "harvest-batch/harvest-batch"


def spread_over_workers(
    sites: list[Site], year: int, kinds: list[str], store: str, registry: str, force: bool, run_id: str
) -> list[SiteRow]:
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
    rows_of: dict[int, list[SiteRow]] = {}
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
                    rows_of[part] = [SiteRow.from_dict(row) for row in target.get_json(key)]
                else:
                    error = f"batch run {state.name}: {state.message or 'no rows written'}"
                    rows_of[part] = [site_row(site, CrawlSummary.failed(site.code, year, error)) for site in batch]
    return [row for part in sorted(rows_of) for row in rows_of[part]]
