from __future__ import annotations

from decimal import Decimal

import pytest

from arhub.models import Channel
from disputes.messages import dispute_channels, outcome_wording
from disputes.services import dispute_resolve
from tests.conftest import Tenant
from tests.disputes.helpers import customer_dispute

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("preferred", "channels"),
    [("email", [Channel.EMAIL]), ("sms", [Channel.SMS]), ("both", [Channel.EMAIL, Channel.SMS])],
)
def test_channels_follow_the_customers_preference(
    tenant: Tenant, preferred: str, channels: list[str]
) -> None:
    customer = customer_dispute(tenant.org).customer
    customer.preferred_channel = preferred
    assert dispute_channels(customer) == channels


@pytest.mark.parametrize(
    ("language", "outcome", "amount", "words"),
    [
        ("en", "credit", "340.00", "Nothing is left to pay on it."),
        ("en", "corrected", "10.00", "corrected it"),
        ("es", "credit", "10.00", "le hemos abonado"),
        ("es", "no_change", None, "La factura queda como está."),
    ],
)
def test_outcome_wording(
    tenant: Tenant, language: str, outcome: str, amount: str | None, words: str
) -> None:
    dispute = customer_dispute(tenant.org)
    dispute.customer.language = language
    dispute.customer.save()
    resolved = dispute_resolve(
        org=tenant.org,
        actor=None,
        dispute=dispute,
        outcome=outcome,
        message="Gracias." if language == "es" else "Thanks.",
        credit_amount=Decimal(amount) if amount else None,
    )
    invoice = resolved.invoice
    invoice.refresh_from_db()
    subject, body = outcome_wording(
        org=tenant.org, dispute=resolved, invoice=invoice, channel=Channel.EMAIL
    )
    assert "{invoice_number}" in subject
    assert words in body and "{pay_link}" in body
    _, sms = outcome_wording(org=tenant.org, dispute=resolved, invoice=invoice, channel=Channel.SMS)
    assert sms.startswith("{org_name}: ") and sms.endswith("{pay_link}")
    assert len(sms) < 300
