"""Pay links: the unguessable address of an invoice's pay page (token rules in
``arhub.link_tokens``). Revoking marks the row; the next link gets a fresh nonce.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from arhub.link_tokens import link_nonce, link_token, link_token_plausible
from arhub.models import Organization
from arhub.secret_tokens import hash_secret
from invoicing.models import Invoice, PayLink

TOKEN_PREFIX = "p"


def _token_for(nonce: str) -> str:
    return link_token(purpose="pay-link", prefix=TOKEN_PREFIX, nonce=nonce)


def pay_link_token(link: PayLink) -> str:
    return _token_for(link.nonce)


def pay_link_active(*, org: Organization, invoice: Invoice) -> PayLink:
    """The invoice's current link, made on first use."""
    link = PayLink.objects.for_org(org).filter(invoice=invoice, revoked_at__isnull=True).first()
    if link is not None:
        return link
    nonce = link_nonce()
    try:
        with transaction.atomic():
            return PayLink.objects.create(
                organization=org,
                invoice=invoice,
                nonce=nonce,
                token_hash=hash_secret(_token_for(nonce)),
            )
    except IntegrityError:
        # Another request made it first (one active link per invoice): use theirs.
        return PayLink.objects.for_org(org).get(invoice=invoice, revoked_at__isnull=True)


def pay_link_url(*, org: Organization, invoice: Invoice) -> str:
    token = pay_link_token(pay_link_active(org=org, invoice=invoice))
    return settings.SITE_URL.rstrip("/") + reverse("pay_page", args=[token])


def pay_link_revoke(*, org: Organization, invoice: Invoice) -> int:
    """Stop every link of the invoice from working; the next ``pay_link_active`` makes a new
    one."""
    return (
        PayLink.objects.for_org(org)
        .filter(invoice=invoice, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )


def pay_link_resolve(token: str) -> PayLink | None:
    """The live link a token names, with its invoice and organization, or None. Called by the
    pay page (payments) before any organization is known: the token is the only key."""
    if not link_token_plausible(token, prefix=TOKEN_PREFIX):
        return None
    return (
        PayLink.objects.select_related("invoice", "organization")
        .filter(token_hash=hash_secret(token), revoked_at__isnull=True)
        .first()
    )
