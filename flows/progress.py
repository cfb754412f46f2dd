"""A hook for whoever watches a harvest in this process (the CLI's progress bars).

Tasks report events here; in a deployment nobody listens and the calls cost nothing. Prefect's own task
states and artifacts remain the record an operator reads in the UI.
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
