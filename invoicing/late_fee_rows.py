"""An invoice's late fees as printed on the invoice page, the PDF and the pay page: the day each
was charged, the rule that worked it out (in the customer's language, as it was charged), the
amount, and for a waived one who waived it and why. The fees are charged and waived by
payments; invoicing only reads them (``LateFee`` is its model)."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date

from arhub.models import Organization
from arhub.money import money_format
from invoicing.models import Invoice, LateFee


@dataclass(frozen=True)
class FeeRow:
    fee: LateFee
    charged_on: str
    rule: str
    amount: str
    waived: bool
    waive_reason: str


def late_fee_rows(
    *, org: Organization, invoice: Invoice, locale: str, include_waived: bool = True
) -> list[FeeRow]:
    """The invoice's fees, oldest period first; one query. ``locale`` writes the dates and
    amounts (the organization's on its pages, the PDF's on the PDF)."""
    fees = LateFee.objects.for_org(org).filter(invoice_id=invoice.pk)
    if not include_waived:
        fees = fees.filter(waived_at__isnull=True)
    babel_locale = locale.replace("-", "_")
    return [
        FeeRow(
            fee=fee,
            charged_on=format_date(fee.charged_on, format="medium", locale=babel_locale),
            rule=fee.rule,
            amount=money_format(fee.amount, invoice.currency, locale),
            waived=fee.is_waived,
            waive_reason=fee.waive_reason,
        )
        for fee in fees.order_by("period_start", "pk")
    ]
