"""Step 1 of a harvest: choose the sites (the registry, or the ones named) and the report year."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from nianbao.sites import Site, load_registry

NATIONAL_REGISTRY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "nianbao", "registry", "national.yaml")


DEFAULT_STORE = os.environ.get("NIANBAO_STORE", "./data")


def default_year() -> int:
    """The report year a harvest is about unless told: last year (reports are due in the spring after it)."""
    return datetime.now(UTC).year - 1


def select_sites(registry: str, codes: list[str] | None) -> list[Site]:
    sites = load_registry(registry)
    if not codes:
        return sites
    by_code = {s.code: s for s in sites}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        raise ValueError(f"unknown site code(s) {', '.join(unknown)} in {registry}; see `nianbao sites list`")
    return [by_code[c] for c in codes]
