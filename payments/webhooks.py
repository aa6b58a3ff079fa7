"""``POST /webhooks/stripe/<org-slug>/``: Stripe's events, verified, stored, acknowledged.

Each organization has its own endpoint and its own signing secret (stored encrypted). The
signature is checked over the raw body with the official ``stripe`` library and a five-minute
window both ways: older is a replay, and a timestamp from the future is refused too, so a
captured request cannot be held back and replayed later either. Anything that fails (unknown
organization, Stripe not connected, a bad, forged or stale signature, a body that is not an
event) is a 400 with a short reason and writes nothing. A good event is stored by its id and
the task that applies it is queued; the answer goes back at once, without calling Stripe.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import stripe
from django.db import DataError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from arhub.models import Organization
from arhub.secret_box import SecretUnreadable, secret_decrypt
from payments.models import PaymentSettings
from payments.stripe_events import stripe_event_receive

logger = logging.getLogger(__name__)

# Seconds a signature stays good, either side of now.
TOLERANCE = 300


class Refused(Exception):
    """The request is not a good Stripe event for this endpoint; the message says why."""


def _signing_secret(org_slug: str) -> tuple[Organization, str]:
    # The settings with their organization in one query: this runs for every event.
    found = (
        PaymentSettings.objects.select_related("organization")
        .filter(organization__slug=org_slug)
        .only("stripe_webhook_secret", "organization")
        .first()
    )
    if found is None:
        if not Organization.objects.filter(slug=org_slug).exists():
            raise Refused("unknown organization")
        raise Refused("Stripe is not connected")
    if not found.stripe_webhook_secret:
        raise Refused("Stripe is not connected")
    try:
        return found.organization, secret_decrypt(found.stripe_webhook_secret)
    except SecretUnreadable:
        logger.error(
            "Stripe webhook secret of organization %s cannot be decrypted", found.organization_id
        )
        raise Refused("Stripe is not connected") from None


def _timestamp(header: str) -> int:
    for item in header.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "t":
            return int(value)
    raise ValueError("no timestamp")


def signature_check(body: str, header: str, secret: str) -> None:
    """Stripe's own check (the HMAC and the age), plus the future half of the window."""
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, tolerance=TOLERANCE)
        timestamp = _timestamp(header)
    except (stripe.SignatureVerificationError, ValueError):
        raise Refused("bad signature") from None
    if timestamp > time.time() + TOLERANCE:
        raise Refused("bad signature")


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def event_parse(body: str) -> dict[str, Any]:
    """The event's envelope, checked for what the rest of the code relies on."""
    try:
        event = json.loads(body, parse_constant=_constant)
    except ValueError:
        raise Refused("body is not JSON") from None
    if not isinstance(event, dict):
        raise Refused("not an event")
    if "\\u0000" in body:
        # PostgreSQL's jsonb has no NUL character; Stripe never sends one.
        raise Refused("body is not storable JSON")
    data = event.get("data")
    created = event.get("created")
    if (
        not isinstance(event.get("id"), str)
        or not 0 < len(event["id"]) <= 100
        or not isinstance(event.get("type"), str)
        or not event["type"]
        or not isinstance(event.get("livemode"), bool)
        or isinstance(created, bool)
        or not isinstance(created, int)
        or not isinstance(data, dict)
        or not isinstance(data.get("object"), dict)
    ):
        raise Refused("not an event")
    return event


def _refuse(org_slug: str, reason: str) -> JsonResponse:
    logger.warning("Stripe webhook for %r refused: %s", org_slug[:60], reason)
    return JsonResponse({"error": reason}, status=400)


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest, org_slug: str) -> JsonResponse:
    try:
        org, secret = _signing_secret(org_slug)
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("body is not UTF-8") from None
        signature_check(body, request.headers.get("Stripe-Signature", ""), secret)
        event = event_parse(body)
        try:
            stored = stripe_event_receive(org=org, event=event, body=body)
        except DataError:
            # Anything else PostgreSQL's jsonb refuses to store.
            raise Refused("body is not storable JSON") from None
    except Refused as exc:
        return _refuse(org_slug, str(exc))
    return JsonResponse({"received": True, "duplicate": stored is None})
