"""Statement links: the unguessable address of a customer's statement portal, where they see
every open invoice, pay several at once and download a statement. Same token rules as an
invoice's pay link (``arhub.link_tokens``), with their own purpose and prefix, so a pay token
never opens a statement or the other way round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from arhub.link_tokens import link_nonce, link_token, link_token_plausible
from arhub.models import Organization
from arhub.secret_tokens import hash_secret
from invoicing.models import Customer
from payments.models import StatementLink

TOKEN_PREFIX = "s"


def _token_for(nonce: str) -> str:
    return link_token(purpose="statement-link", prefix=TOKEN_PREFIX, nonce=nonce)


def statement_link_token(link: StatementLink) -> str:
    return _token_for(link.nonce)


def statement_link_active(*, org: Organization, customer: Customer) -> StatementLink:
    """The customer's current link, made on first use."""
    if customer.organization_id != org.pk:
        raise ValueError("The customer belongs to another organization.")
    found = (
        StatementLink.objects.for_org(org)
        .filter(customer=customer, revoked_at__isnull=True)
        .first()
    )
    if found is not None:
        return found
    nonce = link_nonce()
    try:
        with transaction.atomic():
            return StatementLink.objects.create(
                organization=org,
                customer=customer,
                nonce=nonce,
                token_hash=hash_secret(_token_for(nonce)),
            )
    except IntegrityError:
        # Another request made it first (one active link per customer): use theirs.
        return StatementLink.objects.for_org(org).get(customer=customer, revoked_at__isnull=True)


def statement_link_url(*, org: Organization, customer: Customer) -> str:
    token = statement_link_token(statement_link_active(org=org, customer=customer))
    return settings.SITE_URL.rstrip("/") + reverse("statement_page", args=[token])


def statement_link_revoke(*, org: Organization, customer: Customer) -> int:
    """Stop the customer's links from working; the next ``statement_link_active`` makes a new
    one."""
    return (
        StatementLink.objects.for_org(org)
        .filter(customer=customer, revoked_at__isnull=True)
        .update(revoked_at=timezone.now())
    )


def statement_link_resolve(token: str) -> StatementLink | None:
    """The live link a token names, with its customer and organization, or None."""
    if not link_token_plausible(token, prefix=TOKEN_PREFIX):
        return None
    return (
        StatementLink.objects.select_related("customer", "organization")
        .filter(token_hash=hash_secret(token), revoked_at__isnull=True)
        .first()
    )
