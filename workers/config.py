"""Celery configuration (lowercase settings, read by `app.config_from_object`).

The broker and result backend come from REDIS_URL; the embedded runtime sets it to the Redis it started.
`redis://:PASSWORD@host:6379/0` is plain TCP; `rediss://:PASSWORD@host:6380/0` is TLS with the server certificate
verified (system CAs, or NIANBAO_REDIS_CA; a client certificate from NIANBAO_REDIS_CERT / NIANBAO_REDIS_KEY). Those
settings are checked when this module loads, so a worker with a wrong path stops at once, naming the variable.
"""

import os

from workers.connection import redis_tls_options

broker_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
result_backend = broker_url
# Without these kombu would accept any certificate on rediss:// (it warns and turns verification off), and
# Celery's backend would refuse the URL; both take redis-py's names, like the readiness probes.
broker_use_ssl = redis_backend_use_ssl = redis_tls_options(broker_url)
broker_connection_retry_on_startup = True

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
result_expires = 7 * 24 * 3600

# Extraction has its own queue, so that anything else (re-drives, maintenance) never waits behind a harvest.
task_routes = {"nianbao.extract": {"queue": "extract"}}
task_default_queue = "default"

# A task is acknowledged after it ran, and a worker killed mid-task gives it back to the queue; extraction
# is idempotent (doc_id + sha256) so running it twice stores nothing twice.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
# Redis redelivers unacknowledged tasks after the visibility timeout: keep it above the hard time limit.
# A worker killed outright (SIGKILL, OOM) leaves its task unacknowledged; it runs again after this timeout.
task_soft_time_limit = 240
task_time_limit = 300
broker_transport_options = {
    "visibility_timeout": int(os.environ.get("NIANBAO_CELERY_VISIBILITY_TIMEOUT", "900")),
    # Sweep for such tasks every 10 s (the default only scans every 10th sweep, i.e. every 100 s).
    "unacked_restore_interval": int(os.environ.get("NIANBAO_CELERY_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": 1,
}
worker_max_tasks_per_child = 200  # bounds memory held by lxml/pdfium across many documents
worker_max_memory_per_child = 1_000_000  # KiB: a child above 1 GB after a task is replaced (a huge PDF)
worker_hijack_root_logger = False


# -- Redis restarting or failing over mid-run -------------------------------------------------------------------
# A task that ends while Redis is away stores its result once Redis is back (retried with backoff, capped at 10 s,
# about two minutes in all) instead of turning a stored document into a ConnectionError failure.
result_backend_always_retry = True
result_backend_max_retries = 30
# Captures a crawl queues while Redis is away wait for it the same way (Celery's default gives up after 0.6 s,
# which fails the crawl of the site).
task_publish_retry_policy = {"max_retries": 20, "interval_start": 0, "interval_step": 1, "interval_max": 5}


def _survive_a_dropped_transport() -> None:
    """Keep a Celery worker alive when its Redis connection drops while it holds a task (bench/chaos.py, redis row).

    Celery 5.7 first `collect()`s the broken connection, which drops its kombu transport, and then closes it; the
    Redis channel then gives back its unacknowledged messages, and a task that finishes later acknowledges, through
    that dropped transport: AttributeError on `None.hostname`, which Celery treats as unrecoverable. The worker
    exits, the task it was running dies with it and comes back only after the visibility timeout (15 min) — the
    harvest waits that long. Raising a connection error instead lets kombu and Celery do what they do for any
    lost connection (log, reconnect); the message stays in Redis's `unacked` set, redelivered after the visibility
    timeout, and runs again harmlessly (extraction is idempotent).
    """
    import redis
    from kombu.transport import redis as kombu_redis

    connparams = kombu_redis.Channel._connparams
    if getattr(connparams, "nianbao_patched", False):
        return

    def _connparams(self: kombu_redis.Channel, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise redis.ConnectionError("the connection to the broker was closed")
        return dict(connparams(self, asynchronous=asynchronous))

    _connparams.nianbao_patched = True  # type: ignore[attr-defined]
    kombu_redis.Channel._connparams = _connparams  # type: ignore[method-assign]


_survive_a_dropped_transport()
