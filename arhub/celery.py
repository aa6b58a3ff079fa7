"""The Celery application. The beat schedule lives here, in code, so it is reviewed like code."""

import os
from datetime import timedelta

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arhub.settings.dev")

app = Celery("arhub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "purge-expired-invitations": {
        "task": "arhub.tasks.invitations_purge_expired",
        "schedule": timedelta(hours=6),
    },
}
