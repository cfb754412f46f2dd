"""One batch of a national harvest, run by a Prefect worker: how a harvest spreads over many machines.

The national harvest (`harvest` with `spread`) cuts the sites into batches and starts one flow run of this
deployment per batch; whichever worker of the pool is free runs it:
  1. crawl the batch's sites in one crawl process (hosts in parallel, one host's sites in turn),
  2. wait for the Celery workers to extract what the crawl sent,
  3. leave one row per site in the store (`batches/{run_id}/{part}.json`) for the national run to gather.
Manifests, the run summary and the artifacts are the national run's, once every batch is in.
"""

from __future__ import annotations

from prefect import flow

from flows.batches import crawl_and_extract
from flows.sites import DEFAULT_STORE, NATIONAL_REGISTRY, select_sites
from nianbao.records import SiteRow
from storage import layout
from storage.store import Store


@flow(name="harvest-batch", flow_run_name="batch-{part}-of-{run_id}", log_prints=True)
def harvest_batch(
    sites: list[str],
    year: int,
    run_id: str,
    part: int,
    kinds: list[str],
    registry: str = NATIONAL_REGISTRY,
    store: str = DEFAULT_STORE,
    force: bool = False,
) -> list[SiteRow]:
    """Crawl and extract the named sites for `year`; store and return their rows."""
    rows = crawl_and_extract(select_sites(registry, sites), year, kinds, store, force)  # 1-2
    Store(store).put_json(layout.batch(run_id, part), [row.to_dict() for row in rows])  # 3
    return rows
