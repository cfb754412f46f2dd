"""Re-run one site: when a portal was down, changed, or an operator wants it again (`nianbao rerun`).

The same steps as the national harvest, for one site; `force` re-fetches pages the site's state says are
unchanged.
"""

from __future__ import annotations

from prefect import flow

from flows.harvest import harvest_sites
from flows.sites import DEFAULT_STORE, NATIONAL_REGISTRY, default_year, select_sites
from nianbao.records import RunSummary
from nianbao.reports import load_kinds


@flow(name="harvest-site", log_prints=True)
def harvest_site(
    site: str,
    year: int | None = None,
    registry: str = NATIONAL_REGISTRY,
    kinds: list[str] | None = None,
    store: str = DEFAULT_STORE,
    force: bool = False,
) -> RunSummary:
    """Harvest one site of the registry for `year` (default: last year)."""
    chosen = select_sites(registry, [site])
    return harvest_sites(chosen, year or default_year(), kinds or list(load_kinds()), store, registry, force)
