"""A step's reminder as one real customer would read it, for the policy editor's preview.

The wording is what the sender would use (``reminders.wording.reminder_wording``: the step's
own, or the built-in one for its tone), filled in with the customer's latest open invoice as it
would read on the step's day (its number, what is owed, its due date, the days overdue then),
and composed as messaging composes the real message (``message_compose``), shown with the
Settings -> Messages preview's ``Preview``. The pay link stays a sample: a live one does not
belong on a settings page. Without a customer, or for one with no invoice, the figures are
samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from arhub.messaging.placeholders import (
    format_amount,
    format_day,
    sample_values,
    template_problems,
    value_locale,
)
from arhub.messaging.selectors import message_contact_for, message_customer_get
from arhub.messaging.services import message_compose
from arhub.messaging.sms import sms_length
from arhub.messaging.views import Preview
from arhub.models import Channel, MessageKind, Organization
from invoicing.models import Customer, Invoice
from reminders.models import ReminderStep, StepChannel
from reminders.schedule import channels_for
from reminders.selectors import policy_preview_invoice
from reminders.wording import reminder_wording

SAMPLE_CUSTOMER = "Bright Dental"


@dataclass(frozen=True)
class StepPreview:
    customer_name: str
    # The invoice the figures come from; empty when they are samples.
    invoice_number: str
    email: Preview | None
    sms: Preview | None

    def as_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer_name,
            "invoice": self.invoice_number,
            "email": self.email.as_json() if self.email else None,
            "sms": self.sms.as_json() if self.sms else None,
        }


def preview_channels(step_channel: str, preferred: str | None) -> list[str]:
    """The channels worth showing: a step's own, and for "the customer's preference" the
    customer's (both when there is no real customer)."""
    if step_channel == StepChannel.BOTH:
        return [Channel.EMAIL, Channel.SMS]
    if step_channel == StepChannel.PREFERRED:
        return channels_for(step_channel, preferred) if preferred else [Channel.EMAIL, Channel.SMS]
    return [step_channel]


def _invoice_values(
    org: Organization, invoice: Invoice, language: str, offset_days: int, short: bool
) -> dict[str, str]:
    locale = value_locale(org=org, language=language)
    return {
        "invoice_number": invoice.number,
        "invoice_total": format_amount(invoice.total, invoice.currency, locale=locale),
        "amount_due": format_amount(invoice.balance_due, invoice.currency, locale=locale),
        "due_date": format_day(invoice.due_date, locale=locale, short=short)
        if invoice.due_date
        else "",
        "days_overdue": str(max(offset_days, 0)),
    }


def _one(
    org: Organization,
    step: ReminderStep,
    customer: Customer,
    invoice: Invoice | None,
    channel: str,
) -> Preview:
    language = customer.language
    contact = (
        message_contact_for(customer=customer, kind=MessageKind.REMINDER, channel=channel)
        if customer.pk is not None
        else None
    )
    recipient = ""
    if contact is not None:
        recipient = (
            contact.email
            if channel == Channel.EMAIL
            else (contact.phone.as_e164 if contact.phone else "")
        )
    short = channel == Channel.SMS
    values = sample_values(
        org=org,
        language=language,
        currency=customer.currency or org.default_currency,
        today=timezone.localdate(timezone=ZoneInfo(org.timezone)),
        short_dates=short,
    )
    values["days_overdue"] = str(max(step.offset_days, 0))
    if invoice is not None:
        values.update(_invoice_values(org, invoice, language, step.offset_days, short))
    subject, body = reminder_wording(
        org=org, step=step, tone=step.tone, channel=channel, language=language
    )
    composed = message_compose(
        org=org,
        customer=customer,
        contact=contact,
        channel=channel,
        recipient=recipient or "customer@example.com",
        subject=subject,
        body=body,
        values=values,
        unsubscribe_link=settings.SITE_URL + "/u/sample-link/",
    )
    return Preview(
        customer_name=customer.display_name,
        recipient=recipient,
        subject=composed.subject,
        text=composed.body_text,
        html=mark_safe(composed.fragment),  # noqa: S308 - render() escaped every character
        sms=sms_length(composed.body_text) if channel == Channel.SMS else None,
    )


WORDING_LABELS = {"subject": "Email subject", "body": "Email text", "sms_body": "SMS text"}


def wording_problems(step: ReminderStep) -> dict[str, list[str]]:
    """What stops the step's own wording from rendering, by field, with suggestions
    ("Did you mean {amount_due}?"), as the services would say it on saving."""
    problems = {
        name: template_problems(getattr(step, name), MessageKind.REMINDER)
        for name in WORDING_LABELS
    }
    return {name: found for name, found in problems.items() if found}


def step_preview(*, org: Organization, step: ReminderStep, customer_id: int | None) -> StepPreview:
    """Raises Http404 for a customer outside the organization and PlaceholderError for
    wording that cannot render."""
    if customer_id is None:
        # Never saved: an organization without customers yet still sees its wording filled in.
        customer = Customer(
            organization=org,
            display_name=SAMPLE_CUSTOMER,
            language="en",
            currency=org.default_currency,
        )
        invoice = None
    else:
        customer = message_customer_get(org=org, customer_id=customer_id)
        invoice = policy_preview_invoice(org=org, customer=customer)
    preferred = customer.preferred_channel if customer.pk is not None else None
    shown = {
        channel: _one(org, step, customer, invoice, channel)
        for channel in preview_channels(step.channel, preferred)
    }
    return StepPreview(
        customer_name=customer.display_name,
        invoice_number=invoice.number if invoice is not None else "",
        email=shown.get(Channel.EMAIL),
        sms=shown.get(Channel.SMS),
    )
