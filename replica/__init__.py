"""A local copy of several government portals, served on loopback, with the reports a crawl should find.

from replica import Replica, sites_yaml, ground_truth
with Replica(port=0) as r:
    registry = sites_yaml(r.port)      # YAML for nianbao.sites.parse_registry
    expected = [g for g in ground_truth() if g["year"] == 2021]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GROUND_TRUTH = Path(__file__).parent / "ground_truth.json"

__all__ = ["Replica", "blocked_sites", "ground_truth", "sites_yaml"]


def __getattr__(name: str) -> Any:
    """`Replica` is imported on first use, so `python -m replica.server` runs it only once."""
    if name == "Replica":
        from replica.server import Replica

        return Replica
    raise AttributeError(name)


def _truth() -> dict[str, Any]:
    return json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))


def ground_truth() -> list[dict[str, Any]]:
    """Every report of every year and kind the replica publishes where a crawler can reach it."""
    return _truth()["reports"]


def blocked_sites() -> list[str]:
    """Codes of the sites that answer only with a 412 JavaScript challenge (no reachable reports)."""
    return _truth()["blocked_sites"]


def sites_yaml(port: int) -> str:
    """The sites registry of the replica for `port`, as YAML text."""
    from replica.build import REGISTRY
    from replica.server import hosts

    addr = hosts()
    lines = ["# The nianbao portal replica (python -m replica.server).", "sites:"]
    for r in REGISTRY:
        host = addr[r["label"]]
        base = f"http://{host}:{port}"
        start = base + r.get("start", "/")
        lines += [
            f"  - code: {r['code']}",
            f"    name: {r['name']}",
            f'    division: "{r["division"]}"',
            f"    level: {r['level']}",
            f"    start_urls: [{start}]",
            f'    allowed_domains: ["{host}"]',
            f"    listing_urls: [{', '.join(base + p for p in r['listing'])}]",
            "    local: true",
        ]
    return "\n".join(lines) + "\n"
