"""Reads for Settings -> Payments: where Stripe sends its events, and what a cheque is made out
to and mailed to when the owner leaves those blank."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from arhub.models import Organization
from invoicing.addresses import country_name, place_lines
from payments.models import PaymentSettings


def stripe_webhook_url(*, org: Organization) -> str:
    """The address to paste into Stripe's dashboard as the webhook endpoint."""
    return settings.SITE_URL + reverse("stripe_webhook", kwargs={"org_slug": org.slug})


def org_address_lines(*, org: Organization) -> list[str]:
    """The organization's own postal address, as its country writes it."""
    country = (org.country or "").upper()
    lines = [org.address_line1, org.address_line2]
    lines += place_lines(
        city=org.city, region=org.region, postal_code=org.postal_code, country=country
    )
    if country:
        lines.append(country_name(country, org.locale))
    return [line for line in lines if line]


def cheque_payable_to(*, org: Organization, payment_settings: PaymentSettings) -> str:
    """Who cheques are made out to: the name the owner set, else the organization's legal
    name, else its name."""
    return payment_settings.cheque_payable_to or org.legal_name or org.name


def cheque_address_lines(*, org: Organization, payment_settings: PaymentSettings) -> list[str]:
    """Where cheques are mailed: the address the owner set, else the organization's own."""
    if payment_settings.cheque_address:
        return [line for line in payment_settings.cheque_address.splitlines() if line.strip()]
    return org_address_lines(org=org)
