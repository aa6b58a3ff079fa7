"""Stripe delivering at once: the same signed event five times, and the three success events
of one payment (each several times), from threads with their own database connections, each
applied as soon as its request commits. Exactly one event row per id, one payment, the
balance reduced once. And the whole path through a real Celery worker."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from invoicing.models import Invoice
from payments.models import Payment, StripeEvent, StripeEventStatus
from payments.tasks import stripe_event_apply_task
from tests.invoicing.factories import CustomerFactory
from tests.invoicing.invoice_factories import invoice_make
from tests.payments.stripe_webhook_helpers import (
    checkout_make,
    event_make,
    session_object,
    stripe_connect,
    success_events,
    webhook_post,
)


def _shop(org, *, currency="GBP", price="100.00"):
    stripe_connect(org)
    customer = CustomerFactory(organization=org, currency=currency)
    invoice = invoice_make(org, customer=customer, lines=(("Work", "1", price),))
    return invoice, checkout_make(org, customer, [(invoice, invoice.total)])


def _at_once(actions: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = actions[index]()
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def apply_on_commit(monkeypatch):
    """The task runs in the delivering thread right after its request commits, so applying
    races as hard as receiving."""
    monkeypatch.setattr(
        stripe_event_apply_task, "delay", lambda *args: stripe_event_apply_task.run(*args)
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_five_times_at_once_is_stored_and_applied_once(
    tenant, apply_on_commit
):
    invoice, checkout = _shop(tenant.org)
    session = session_object(checkout, payment_intent="pi_five")
    body = json.dumps(event_make("checkout.session.completed", session))

    responses = _at_once([lambda: webhook_post(Client(), tenant.org, body) for _ in range(5)])

    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.json()["duplicate"] for r in responses) == [False, True, True, True, True]
    event = StripeEvent.objects.get(organization=tenant.org)
    assert event.status == StripeEventStatus.APPLIED
    payment = Payment.objects.get(organization=tenant.org)
    assert payment.amount == Decimal("100.00")
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0


@pytest.mark.django_db(transaction=True)
def test_the_success_events_of_one_payment_racing_each_other_record_one_payment(
    tenant, apply_on_commit
):
    invoice, checkout = _shop(tenant.org, currency="JPY", price="9800")
    bodies = [json.dumps(e) for e in success_events(checkout, payment_intent="pi_race_all")]

    responses = _at_once(
        [lambda body=body: webhook_post(Client(), tenant.org, body) for body in bodies * 3]
    )

    assert {r.status_code for r in responses} == {200}
    events = StripeEvent.objects.filter(organization=tenant.org)
    assert events.count() == 3
    payment = Payment.objects.get(organization=tenant.org)
    assert (payment.amount, payment.currency) == (Decimal("9800"), "JPY")
    assert {(e.status, e.payment_id) for e in events} == {(StripeEventStatus.APPLIED, payment.pk)}
    refreshed = Invoice.objects.get(pk=invoice.pk)
    assert (refreshed.amount_paid, refreshed.balance_due) == (Decimal("9800"), 0)


@pytest.mark.django_db(transaction=True)
def test_a_signed_event_is_applied_by_a_real_celery_worker(tenant, worker):
    invoice, checkout = _shop(tenant.org)
    session = session_object(checkout, payment_intent="pi_worker")
    response = webhook_post(Client(), tenant.org, event_make("checkout.session.completed", session))
    assert response.status_code == 200

    event = StripeEvent.objects.get(organization=tenant.org)
    deadline = time.monotonic() + 30
    while event.status == StripeEventStatus.RECEIVED and time.monotonic() < deadline:
        time.sleep(0.1)
        event.refresh_from_db()
    assert event.status == StripeEventStatus.APPLIED, event.status_reason
    assert event.payment is not None
    assert event.payment.stripe_payment_intent == "pi_worker"
    assert Invoice.objects.get(pk=invoice.pk).balance_due == 0
