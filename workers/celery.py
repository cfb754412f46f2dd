"""The Celery app: configuration only; the tasks live in workers.tasks."""

from celery import Celery

app = Celery("nianbao", include=["workers.tasks"])
app.config_from_object("workers.config")
