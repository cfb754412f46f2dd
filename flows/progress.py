"""A hook for whoever watches a harvest in this process: the CLI's progress bars, and the flow itself (a crawl
task's "crawled" event carries the site's summary, which flows.batches finishes while the batch still runs).

Tasks report events here; with nobody listening the calls cost nothing. Prefect's own task states and artifacts
remain the record an operator reads in the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Register a listener; return the function that removes it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def report(event: str, **data: Any) -> None:
    for listener in list(_listeners):
        listener(event, data)
