"""Celery configuration (lowercase settings, read by `app.config_from_object`).

The broker and result backend come from REDIS_URL; the embedded runtime sets it to the Redis it started.
"""

import os

broker_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
result_backend = broker_url
broker_connection_retry_on_startup = True

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
result_expires = 7 * 24 * 3600

task_routes = {"nianbao.extract": {"queue": "extract"}}
task_default_queue = "extract"

# A task is acknowledged after it ran, and a worker killed mid-task gives it back to the queue; extraction
# is idempotent (doc_id + sha256) so running it twice stores nothing twice.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1
# Redis redelivers unacknowledged tasks after the visibility timeout: keep it above the hard time limit.
task_soft_time_limit = 240
task_time_limit = 300
broker_transport_options = {"visibility_timeout": 3600}
worker_max_tasks_per_child = 200  # bounds memory held by lxml/pdfium across many documents
worker_hijack_root_logger = False
