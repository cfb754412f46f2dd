"""Run summaries in the store (`runs/{run_id}.json`): what each harvest did.

The harvest flow writes one at its end; the CLI (`nianbao status`, the hints of `nianbao rerun`), the dataset
site and the chaos bench read them back as RunSummary records, oldest first.
"""

from __future__ import annotations

from nianbao.records import RunSummary
from storage import layout
from storage.store import Store


def write_run(store: Store, summary: RunSummary) -> None:
    store.put_json(layout.run(summary.run_id), summary.to_dict())


def read_runs(store: Store) -> list[RunSummary]:
    """Every run summary in the store, oldest first (by when its sites were done)."""
    runs = [RunSummary.from_dict(store.get_json(key)) for key in store.keys(layout.RUNS)]
    return sorted(runs, key=lambda run: run.finished_at)
