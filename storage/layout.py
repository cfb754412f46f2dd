"""The one place that builds object keys (ARCHITECTURE.md, "Storage layout").

Every part of a key that comes from outside (site codes, ids, kinds) is checked, so no key can escape its prefix.
"""

from __future__ import annotations

import re

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def safe(part: str | int) -> str:
    """Return `part` if it can stand as one path segment, else raise ValueError."""
    text = str(part)
    if not _SAFE.match(text) or ".." in text:
        raise ValueError(f"unsafe key segment {text!r}: use letters, digits, '_', '.', '-'")
    return text


def warc(year: int, site: str, crawl_id: str) -> str:
    return f"raw/{safe(year)}/{safe(site)}/{safe(crawl_id)}.warc.gz"


def doc(kind: str, year: int | str, site: str, doc_id: str) -> str:
    return f"docs/{safe(kind)}/{safe(year)}/{safe(site)}/{safe(doc_id)}.json"


def docs_prefix(kind: str, year: int) -> str:
    return f"docs/{safe(kind)}/{safe(year)}/"


def doc_version(kind: str, year: int | str, site: str, doc_id: str, sha256: str) -> str:
    """Where an earlier version of a changed report is kept (outside the manifest's `{site}/{doc_id}.json`)."""
    return f"docs/{safe(kind)}/{safe(year)}/{safe(site)}/history/{safe(doc_id)}.{safe(sha256[:16])}.json"


def is_current_doc(key: str) -> bool:
    """True for `docs/{kind}/{year}/{site}/{doc_id}.json`, false for history versions."""
    parts = key.split("/")
    return len(parts) == 5 and parts[0] == "docs" and parts[4].endswith(".json")


def state(site: str) -> str:
    return f"state/{safe(site)}.json"


def manifest(kind: str, year: int) -> str:
    return f"manifests/{safe(kind)}/{safe(year)}.parquet"


def figures(kind: str, year: int) -> str:
    """The statistical tables' figures of one kind's reports on one year: one row per report (storage/figures.py)."""
    return f"figures/{safe(kind)}/{safe(year)}.parquet"


RUNS = "runs/"


def run(run_id: str) -> str:
    return f"{RUNS}{safe(run_id)}.json"


def batch(run_id: str, part: int) -> str:
    """The rows of one batch of a harvest spread over Prefect workers, for the run that gathers them."""
    return f"batches/{safe(run_id)}/{safe(part)}.json"


def failure(year: int, site: str, capture_id: str) -> str:
    return f"failures/{safe(year)}/{safe(site)}/{safe(capture_id)}.json"


def coverage(kind: str, year: int) -> str:
    """One row per unit that owes the kind's report for the year (nianbao.coverage), for DuckDB and the map."""
    return f"coverage/{safe(kind)}/{safe(year)}.parquet"


def warc_prefix(year: int, site: str | None = None) -> str:
    """The WARCs of a report year, or of one site in it."""
    return f"raw/{safe(year)}/{safe(site)}/" if site else f"raw/{safe(year)}/"


def wacz(year: int, site: str, kind: str | None = None) -> str:
    """A site's WACZ package of a report year (all kinds' reports as its pages, or one kind's)."""
    return f"wacz/{safe(year)}/{safe(kind)}/{safe(site)}.wacz" if kind else f"wacz/{safe(year)}/{safe(site)}.wacz"
