"""Stripe webhook intake under gunicorn: signed events accepted per second (the organization
and its encrypted secret looked up, the signature checked by the ``stripe`` library, the event
stored by id, its task queued on Redis) against a bare Django view on the same server that only
reads the same body. A third row is a repeat delivery of an event already stored (checked,
found, acknowledged, nothing queued).

Every event is new (its own id) and about the same size as a real ``checkout.session.completed``
(about 2 KB); bodies and signatures are made before the clock starts. Each accepted response
must say it stored the event, and the rows must all be there afterwards, or the benchmark stops:
a webhook that refused everything fast must not pass for a fast one. The events are of a type
the app ignores and are deleted at the end, so a worker that later drains the queue changes
nothing.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from bench.registry import Context, Row
from bench.server import gunicorn

BARE_PATH = "/bench/bare-body/"
REQUESTS = 300
WARMUP = 30
SECRET = "whsec_benchmark_signing_secret_0000000000"
EVENT_TYPE = "bench.intake"  # no handler: applying it would only mark it ignored


def run(ctx: Context) -> list[Row]:
    import django

    django.setup()
    import stripe

    from arhub.models import Organization
    from arhub.secret_box import secret_encrypt
    from payments.models import PaymentSettings, StripeEvent

    org = Organization.objects.get(slug=ctx.org_slug)
    PaymentSettings.objects.update_or_create(
        organization=org,
        defaults={"stripe_webhook_secret": secret_encrypt(SECRET)},
    )
    webhook_path = f"/webhooks/stripe/{org.slug}/"
    prefix = f"evt_bench_{uuid.uuid4().hex[:12]}_"

    def signed(n: int) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(_event(f"{prefix}{n:05d}", org.pk))
        t = int(time.time())
        signature = stripe.WebhookSignature._compute_signature(f"{t}.{body}", SECRET)
        headers = {"Content-Type": "application/json", "Stripe-Signature": f"t={t},v1={signature}"}
        return body.encode(), headers

    events = [signed(n) for n in range(WARMUP + REQUESTS)]
    env = {**ctx.env, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
    try:
        with gunicorn("bench.wsgi:application", env, ready_path="/bench/bare/") as srv:
            conn = srv.connection()
            queue = iter(events)
            repeat = events[0]

            def webhook() -> None:
                body, headers = next(queue)
                answer = _post(conn, webhook_path, body, headers)
                if answer.get("duplicate") is not False:
                    raise RuntimeError(f"the webhook did not store a new event: {answer}")

            def duplicate() -> None:
                answer = _post(conn, webhook_path, repeat[0], repeat[1])
                if answer.get("duplicate") is not True:
                    raise RuntimeError(f"a repeated event was not recognised: {answer}")

            def bare() -> None:
                _post(conn, BARE_PATH, events[0][0], {"Content-Type": "application/json"})

            for _ in range(WARMUP):
                webhook()
                bare()
            # Interleaved, so a slow patch of the machine lands on all three alike.
            hook_s, dup_s, bare_s = _interleaved([webhook, duplicate, bare], REQUESTS)
            conn.close()
        stored = StripeEvent.objects.filter(organization=org, event_id__startswith=prefix)
        if stored.count() != WARMUP + REQUESTS:
            raise RuntimeError(
                f"{stored.count()} events stored, expected {WARMUP + REQUESTS}: lost or doubled"
            )
    finally:
        StripeEvent.objects.filter(organization=org, event_id__startswith=prefix).delete()

    hook_ms, dup_ms, bare_ms = (statistics.median(t) * 1000 for t in (hook_s, dup_s, bare_s))
    return [
        Row("Stripe webhook, new event", _rate(hook_s), "bare view reading the body",
            _rate(bare_s), "events/s"),
        Row("Stripe webhook, new event p50", hook_ms, "bare view p50", bare_ms, "ms"),
        Row("Stripe webhook, repeated event", _rate(dup_s), "bare view reading the body",
            _rate(bare_s), "events/s"),
        Row("Stripe webhook, repeated event p50", dup_ms, "bare view p50", bare_ms, "ms"),
    ]  # fmt: skip


def _event(event_id: str, org_id: int) -> dict[str, Any]:
    """About the size and shape of a checkout.session.completed event."""
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": EVENT_TYPE,
        "data": {
            "object": {
                "id": "cs_test_" + "a1B2c3D4e5" * 6,
                "object": "checkout.session",
                "amount_subtotal": 125000,
                "amount_total": 125000,
                "currency": "gbp",
                "client_reference_id": "4242",
                "customer_details": {
                    "email": "accounts@harbour-tiles.example",
                    "name": "Harbour Tiles Wholesale Distribution Ltd",
                    "address": {
                        "city": "Bristol",
                        "country": "GB",
                        "line1": "Unit 4, Avonmouth Trade Park",
                        "line2": None,
                        "postal_code": "BS11 8AZ",
                        "state": None,
                    },
                    "phone": None,
                    "tax_exempt": "none",
                    "tax_ids": [],
                },
                "expires_at": int(time.time()) + 86400,
                "livemode": False,
                "metadata": {
                    "arhub_org": str(org_id),
                    "arhub_checkout": "4242",
                    "arhub_invoices": "1201,1202,1203",
                },
                "mode": "payment",
                "payment_intent": "pi_3Q" + "x7Yz" * 6,
                "payment_method_types": ["card", "link", "bacs_debit"],
                "payment_status": "paid",
                "status": "complete",
                "success_url": "https://arhub.example/pay/checkout/4242/return/",
                "cancel_url": "https://arhub.example/pay/checkout/4242/cancel/",
                "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
                "url": None,
            }
        },
    }


def _post(
    conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict[str, str]
) -> dict[str, Any]:
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise RuntimeError(f"POST {path} answered {response.status}: {data[:300]!r}")
    answer: dict[str, Any] = json.loads(data)
    return answer


def _interleaved(actions: list[Callable[[], Any]], rounds: int) -> list[list[float]]:
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(rounds):
        for action, times in zip(actions, timings, strict=True):
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
    return timings


def _rate(seconds: list[float]) -> float:
    """Events per second from one sender posting one at a time."""
    return len(seconds) / sum(seconds)
