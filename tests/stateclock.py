"""Time passing between crawls, for the re-run tests and bench/reruns.py: the sites' state made older."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path


def age_state(store: Path, days: float) -> None:
    """Move the state's clock (every entry's `checked` and `since`) back by `days`: the next crawl comes that later."""
    for path in (store / "state").glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        for entry in data["urls"].values():
            for name in ("checked", "since"):
                if entry.get(name):
                    entry[name] = (datetime.fromisoformat(entry[name]) - timedelta(days=days)).isoformat()
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
