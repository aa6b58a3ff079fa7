"""Placeholder values for messages about an invoice ({invoice_number}, {amount_due}, ...),
written the way the customer reads them: their language, the invoice's currency."""

from __future__ import annotations

from arhub.messaging.placeholders import format_amount, format_day, value_locale
from arhub.models import Organization
from invoicing.models import Invoice
from invoicing.pay_links import pay_link_url


def invoice_message_values(
    *, org: Organization, invoice: Invoice, short_dates: bool = False
) -> dict[str, str]:
    locale = value_locale(org=org, language=invoice.customer.language)
    due = invoice.due_date or invoice.issue_date
    return {
        "invoice_number": invoice.number,
        "invoice_total": format_amount(invoice.total, invoice.currency, locale=locale),
        "amount_due": format_amount(invoice.balance_due, invoice.currency, locale=locale),
        "due_date": format_day(due, locale=locale, short=short_dates) if due else "",
        "pay_link": pay_link_url(org=org, invoice=invoice),
    }
