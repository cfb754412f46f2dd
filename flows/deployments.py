"""Deployments of the flows on a Prefect server: what `nianbao deploy` creates.

- `harvest/national-harvest`: every year after the 1 April deadline, the national harvest of the previous report
  year; and on the 1st of every month, an incremental re-run (the site state makes unchanged pages cheap).
  It runs with `spread`: its batches of sites become flow runs of `harvest-batch/harvest-batch`, which spread
  over however many Prefect workers serve the pool.
- `harvest-site/harvest-site`: no schedule; an operator runs it from the UI (custom run: site, year, force) or
  with `nianbao rerun SITE --year Y`.
All run on a work pool of the process type.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from prefect import Flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron

ROOT = Path(__file__).resolve().parent.parent
POOL = "nianbao-process"
TIMEZONE = "Asia/Shanghai"
# 5 April 02:00: reports on the previous year are due by 1 April; a few days let late uploads land.
YEARLY = Cron("0 2 5 4 *", timezone=TIMEZONE)
# 1st of each month 03:00: pick up reports published late or changed since (incremental, cheap).
MONTHLY = Cron("0 3 1 * *", timezone=TIMEZONE)


def ensure_pool(name: str) -> None:
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
        except ObjectAlreadyExists:
            pass


def deploy_flows(pool: str, store: str, registry: str) -> dict[str, UUID]:
    """Create or update the deployments; return their ids by name."""
    ensure_pool(pool)
    national: Flow = Flow.from_source(source=ROOT, entrypoint="flows/harvest.py:harvest")  # type: ignore[assignment]
    one_site: Flow = Flow.from_source(source=ROOT, entrypoint="flows/harvest_site.py:harvest_site")  # type: ignore[assignment]
    batch: Flow = Flow.from_source(source=ROOT, entrypoint="flows/harvest_batch.py:harvest_batch")  # type: ignore[assignment]
    parameters = {"store": store, "registry": registry}
    return {
        "harvest/national-harvest": national.deploy(  # type: ignore[dict-item]
            name="national-harvest",
            work_pool_name=pool,
            schedules=[YEARLY, MONTHLY],
            parameters={**parameters, "spread": True},
            description="Yearly national harvest of the previous report year, and monthly incremental re-runs.",
            build=False,
            push=False,
            print_next_steps=False,
        ),
        "harvest-site/harvest-site": one_site.deploy(  # type: ignore[dict-item]
            name="harvest-site",
            work_pool_name=pool,
            parameters=parameters,
            description="Re-run one site: parameters site, year, force.",
            build=False,
            push=False,
            print_next_steps=False,
        ),
        "harvest-batch/harvest-batch": batch.deploy(  # type: ignore[dict-item]
            name="harvest-batch",
            work_pool_name=pool,
            parameters=parameters,
            description="One batch of sites of a national harvest; started by national-harvest, not by hand.",
            build=False,
            push=False,
            print_next_steps=False,
        ),
    }
