"""Step 4 of a harvest: collect what the run stored into tables — the manifests, the figures table and the
coverage tables of the kinds and year."""

from __future__ import annotations

from collections import Counter
from typing import Any

from prefect import task

from nianbao.coverage import STATUSES, Outcome, coverage_rows, outcome_of, owed_units, rates
from nianbao.records import SiteRow
from nianbao.reports import load_kinds
from nianbao.sites import load_registry
from storage.coverage import read_coverage, write_coverage
from storage.figures import KIND as FIGURES_KIND
from storage.figures import figure_rows, national_summary, write_figures
from storage.manifest import read_manifest, write_manifest
from storage.store import Store


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
    store_url: str, registry_path: str, kinds: list[str], year: int, site_rows: list[SiteRow]
) -> dict[str, dict[str, Any]]:
    """For each kind: one row per unit that owes the report (the provinces the registry reaches), from the
    manifest written just before and this run's crawl outcomes; the table goes to `coverage/{kind}/{year}.parquet`.
    Returns per kind its key, its status counts and its rates by province and level."""
    store = Store(store_url)
    registry = load_registry(registry_path)  # the whole registry: a re-run of one site still counts every unit
    provinces = {site.division[:2] for site in registry}
    this_run = {row.site: outcome_of(row) for row in site_rows}
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
