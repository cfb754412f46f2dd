"""The extract queue, seen from outside the workers: sending a capture to extraction, and finding its message.

Redis can lose a task message outright: a worker's BRPOP takes it off the queue, and Redis stops (a restart, a
failover) before the worker has recorded it as unacknowledged. Nothing redelivers such a message; the flow waiting
for its answer would wait until its deadline. `whereabouts` tells such a task apart from one merely waiting or
running, so that the flow can send it again under the same id (extraction is idempotent: doc_id + sha256).

A message can also stay held with no worker behind it: a worker whose Redis connection drops forgets the tasks it
had reserved but not started (Celery 5.7, `Consumer.on_close`), a worker killed outright forgets all it held, and
Redis keeps their messages as unacknowledged until the visibility timeout (15 min) gives them back. Such a task is
`abandoned` when the workers, asked, do not know it.
"""

from __future__ import annotations

from typing import Any, Literal

from celery.result import AsyncResult

from workers.celery import app
from workers.connection import redis_client

EXTRACT_QUEUE = "extract"
LOOK_LIMIT = 2_000  # messages read from the queue to look for one task; a longer queue is not searched
CLAIM_WAIT_S = 1.0  # how long the workers' answers to "do you hold this task?" are waited for

Whereabouts = Literal["queued", "held", "abandoned", "nowhere", "unknown"]


def send_extract(
    capture: dict[str, Any], store_url: str, division: str, level: str, task_id: str | None = None
) -> AsyncResult:
    """Queue one capture's extraction (workers.tasks.extract); its result is what the flow waits on. `task_id`:
    send a lost task again under its own id."""
    args = [capture, store_url, division, level]
    return app.send_task("nianbao.extract", args=args, queue=EXTRACT_QUEUE, task_id=task_id)


def whereabouts(task_id: str) -> Whereabouts:
    """Where the message of an unanswered task is: `queued` (waiting on the extract queue), `held` (taken by a
    worker, running or prefetched: Redis keeps it as unacknowledged until the worker acknowledges it; also when no
    worker answered the question), `abandoned` (unacknowledged in Redis, but no worker that answered holds it),
    `nowhere` (lost, or in the instant between a worker taking it and recording it), or `unknown` (the queue is
    longer than LOOK_LIMIT: not searched)."""
    needle = task_id.encode()
    with redis_client(app.conf.broker_url) as client:
        unacked = app.conf.broker_transport_options.get("unacked_key", "unacked")
        held = any(needle in message for message in client.hvals(unacked))
        if not held:
            if client.llen(EXTRACT_QUEUE) > LOOK_LIMIT:
                return "unknown"
            return "queued" if any(needle in message for message in client.lrange(EXTRACT_QUEUE, 0, -1)) else "nowhere"
    # The workers are asked with the connection closed: their answer takes up to CLAIM_WAIT_S.
    return "abandoned" if claimed(task_id) is False else "held"


def claimed(task_id: str) -> bool | None:
    """Whether a worker says it runs, holds or has scheduled the task (Celery's `inspect query_task`, a broadcast
    every worker answers from its main process, even while its pool is busy); None if no worker answered."""
    replies = app.control.inspect(timeout=CLAIM_WAIT_S).query_task(task_id)
    if not replies:
        return None
    return any(task_id in tasks for tasks in replies.values())
