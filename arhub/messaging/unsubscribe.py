"""Unsubscribe links: a signed (organization, channel, address) so the link itself is the
credential; no login, no cookie, and it cannot be forged for another address or organization."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from arhub.models import Channel, Organization

SALT = "arhub.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeTarget:
    org_id: int
    channel: str
    address: str


def unsubscribe_token(*, org: Organization, address: str, channel: str = Channel.EMAIL) -> str:
    return signing.dumps({"o": org.pk, "c": channel, "a": address.strip().lower()}, salt=SALT)


def unsubscribe_target(token: str) -> UnsubscribeTarget | None:
    """The target of a token, or None when it was not made by us. Tokens do not expire: an
    unsubscribe link in an old email must keep working."""
    try:
        data = signing.loads(token, salt=SALT)
        return UnsubscribeTarget(
            org_id=int(data["o"]), channel=str(data["c"]), address=str(data["a"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_url(*, org: Organization, address: str, channel: str = Channel.EMAIL) -> str:
    token = unsubscribe_token(org=org, address=address, channel=channel)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])
