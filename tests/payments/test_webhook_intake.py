"""The Stripe webhook: a good event is stored once and its task queued on commit; anything
else is a 400 with a short reason and writes nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from payments.models import PaymentSettings, StripeEvent, StripeEventStatus
from payments.tasks import stripe_event_apply_task
from tests.payments.stripe_webhook_helpers import (
    OTHER_SECRET,
    WEBHOOK_SECRET,
    event_make,
    signature_header,
    stripe_connect,
    webhook_post,
    webhook_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(stripe_event_apply_task, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def acme(tenant):
    stripe_connect(tenant.org)
    return tenant.org


def _event(**kwargs):
    return event_make(
        "payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}, **kwargs
    )


def test_a_good_event_is_stored_and_its_task_queued_once_committed(
    acme, queued, django_capture_on_commit_callbacks
):
    event = _event()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = webhook_post(Client(), acme, event)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    stored = StripeEvent.objects.get(organization=acme)
    assert (stored.event_id, stored.type, stored.livemode, stored.status) == (
        event["id"],
        "payment_intent.succeeded",
        False,
        StripeEventStatus.RECEIVED,
    )
    assert stored.payload == event
    assert len(callbacks) == 1
    assert queued == [(acme.pk, stored.pk)]


def test_the_same_event_twice_is_acknowledged_and_ignored(
    acme, queued, django_capture_on_commit_callbacks
):
    event = _event()
    body = json.dumps(event)
    with django_capture_on_commit_callbacks(execute=True):
        first = webhook_post(Client(), acme, body)
        second = webhook_post(Client(), acme, body)
    assert first.status_code == second.status_code == 200
    assert second.json()["duplicate"] is True
    assert StripeEvent.objects.filter(organization=acme).count() == 1
    assert len(queued) == 1


def test_no_stripe_api_call_and_no_apply_in_the_request(acme, queued):
    """The request stores the event and answers; applying it is the task's job."""
    response = webhook_post(Client(), acme, _event())
    assert response.status_code == 200
    assert StripeEvent.objects.get().status == StripeEventStatus.RECEIVED
    assert queued == []  # on_commit has not run inside the test's transaction


def _refused(response, reason_part: str) -> None:
    assert response.status_code == 400, response.content
    assert reason_part in response.json()["error"]
    assert StripeEvent.objects.count() == 0


def test_a_forged_signature_is_refused(acme):
    body = json.dumps(_event())
    t = int(time.time())
    header = f"t={t},v1={'0' * 64}"
    _refused(webhook_post(Client(), acme, body, header=header), "bad signature")


def test_a_body_changed_after_signing_is_refused(acme):
    event = _event()
    header = signature_header(json.dumps(event))
    event["data"]["object"]["amount_received"] = 1
    _refused(webhook_post(Client(), acme, json.dumps(event), header=header), "bad signature")


def test_a_signature_made_with_another_secret_is_refused(acme):
    _refused(webhook_post(Client(), acme, _event(), secret="whsec_wrong"), "bad signature")


def test_another_organizations_secret_does_not_open_this_endpoint(acme, other_tenant):
    stripe_connect(other_tenant.org, secret=OTHER_SECRET)
    _refused(webhook_post(Client(), acme, _event(), secret=OTHER_SECRET), "bad signature")
    # The same event, signed for B and posted to B's endpoint, lands in B only.
    response = webhook_post(Client(), other_tenant.org, _event(), secret=OTHER_SECRET)
    assert response.status_code == 200
    assert StripeEvent.objects.get().organization_id == other_tenant.org.pk


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "bad signature"),
        ("garbage", "bad signature"),
        ("t=abc,v1=00", "bad signature"),
        ("t=1700000000", "bad signature"),
        ("v1=" + "0" * 64, "bad signature"),
    ],
)
def test_a_missing_or_malformed_header_is_refused(acme, header, reason):
    response = Client().post(
        webhook_url(acme),
        data=json.dumps(_event()),
        content_type="application/json",
        headers={"Stripe-Signature": header} if header else {},
    )
    _refused(response, reason)


def test_a_stale_signature_is_refused_and_one_just_in_time_accepted(acme):
    body = json.dumps(_event())
    header = signature_header(body)
    with time_machine.travel(timezone.now() + timedelta(seconds=310), tick=False):
        _refused(webhook_post(Client(), acme, body, header=header), "bad signature")
    with time_machine.travel(timezone.now() + timedelta(seconds=290), tick=False):
        assert webhook_post(Client(), acme, body, header=header).status_code == 200


def test_a_timestamp_from_the_future_is_refused_and_one_within_the_window_accepted(acme):
    body = json.dumps(_event())
    now = int(time.time())
    header = signature_header(body, timestamp=now + 400)
    _refused(webhook_post(Client(), acme, body, header=header), "bad signature")
    header = signature_header(body, timestamp=now + 200)
    assert webhook_post(Client(), acme, body, header=header).status_code == 200


def test_an_unknown_organization_is_refused(acme):
    response = webhook_post(Client(), acme, _event())
    assert response.status_code == 200
    StripeEvent.objects.all().delete()
    body = json.dumps(_event())
    response = Client().post(
        "/webhooks/stripe/no-such-org/",
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": signature_header(body)},
    )
    _refused(response, "unknown organization")


def test_an_organization_without_stripe_is_refused(tenant):
    _refused(webhook_post(Client(), tenant.org, _event()), "Stripe is not connected")
    PaymentSettings.objects.create(organization=tenant.org)
    _refused(webhook_post(Client(), tenant.org, _event()), "Stripe is not connected")


def test_a_secret_that_cannot_be_decrypted_is_refused(acme):
    PaymentSettings.objects.filter(organization=acme).update(stripe_webhook_secret="not-fernet")
    _refused(webhook_post(Client(), acme, _event()), "Stripe is not connected")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "body is not JSON"),
        ('{"id": "evt_1", "amount": NaN}', "body is not JSON"),
        ("[1, 2, 3]", "not an event"),
        ('{"id": "evt_1", "type": "x"}', "not an event"),
        (
            '{"id": "evt_1", "type": "x", "livemode": "no", "created": 1, "data": {"object": {}}}',
            "not an event",
        ),
        (
            '{"id": "", "type": "x", "livemode": false, "created": 1, "data": {"object": {}}}',
            "not an event",
        ),
        (
            '{"id": "evt_1", "type": "x", "livemode": false, "created": 1, "data": []}',
            "not an event",
        ),
        (
            '{"id": "evt_1", "type": "x", "livemode": false, "created": 1,'
            ' "data": {"object": {"name": "a\\u0000b"}}}',
            "not storable",
        ),
    ],
)
def test_a_signed_body_that_is_not_an_event_is_refused(acme, body, reason):
    _refused(webhook_post(Client(), acme, body), reason)


def test_a_body_that_is_not_utf8_is_refused(acme):
    body = b'{"id": "evt_\xff"}'
    t = int(time.time())
    header = signature_header(body.decode("latin-1"), timestamp=t)
    response = Client().post(
        webhook_url(acme),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
    _refused(response, "UTF-8")


def test_only_post_is_allowed(acme):
    assert Client().get(webhook_url(acme)).status_code == 405


def test_the_secret_is_needed_not_the_session(acme, tenant):
    """A signed-in owner without a signature gets nowhere either (no CSRF, no login involved)."""
    client = tenant.client()
    response = client.post(
        webhook_url(acme), data=json.dumps(_event()), content_type="application/json"
    )
    _refused(response, "bad signature")
    response = webhook_post(Client(enforce_csrf_checks=True), acme, _event(), secret=WEBHOOK_SECRET)
    assert response.status_code == 200
