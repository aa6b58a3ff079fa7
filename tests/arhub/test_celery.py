"""A real Celery worker consuming from the real Redis broker."""

import pytest
from django.conf import settings

from arhub.celery import app
from arhub.models import Invitation
from arhub.tasks import invitations_purge_expired, ping
from tests.factories import InvitationFactory


@pytest.mark.integration
def test_ping_round_trip_through_redis(worker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert ping.delay().get(timeout=20) == "pong"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_purge_task_runs_in_the_worker(worker):
    from django.utils import timezone

    old = InvitationFactory(expires_at=timezone.now() - timezone.timedelta(days=40))
    fresh = InvitationFactory()
    assert invitations_purge_expired.delay().get(timeout=20) == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not Invitation.objects.filter(pk=old.pk).exists()


def test_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
