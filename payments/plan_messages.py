"""What the customer is told about their payment plan, in English and Spanish.

One message (kind PLAN_UPDATE) per decision or milestone: the plan started, the request
declined (with the owner's own words), a counter-offer or an offer to accept on the pay page,
the plan cancelled, an instalment paid (thank you), the plan complete. Email, and a text too
when the customer prefers texts (consent and suppression are the message service's business).

The wording fills the messaging placeholders (``{contact_name}``, ``{amount_due}``,
``{due_date}``, ``{pay_link}``, ``{org_name}``) like any template, plus a few parts written here
first: the invoices, the schedule and the owner's note. Those parts are the customer's and the
owner's text, so their braces are doubled before the placeholders are filled: a ``{`` in a note
is printed, never read as a placeholder.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from arhub.messaging.placeholders import format_amount, format_day, value_locale
from arhub.messaging.services import message_queue
from arhub.models import Channel, Message, MessageKind, Organization
from arhub.money import ZERO
from invoicing.pay_links import pay_link_url
from payments.models import Instalment, PaymentPlan
from payments.receipts import receipt_channels


class PlanNews(StrEnum):
    STARTED = "started"
    DECLINED = "declined"
    COUNTER = "counter"
    OFFER = "offer"
    CANCELLED = "cancelled"
    THANKS = "thanks"
    COMPLETED = "completed"


N = PlanNews
E, S = Channel.EMAIL, Channel.SMS

EMAIL: dict[tuple[PlanNews, str], tuple[str, str]] = {
    (N.STARTED, "en"): (
        "Your payment plan with {org_name} has started",
        "Hi {contact_name},\n\n"
        "Thank you for setting up a payment plan for {invoices}. It has started, and this is "
        "the schedule:\n\n{schedule}\n\n"
        "The next payment, {amount_due}, is due on {due_date}. You can see the plan and pay "
        "here:\n{pay_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    (N.DECLINED, "en"): (
        "About your payment plan request",
        "Hi {contact_name},\n\n"
        "Thank you for asking for a payment plan for {invoices}. We are sorry, but we cannot "
        "agree to it as asked.{note}\n\n"
        "What is owed, {amount_due}, can be paid here, and if you would like to talk about "
        "other ways to pay, just reply to this email:\n{pay_link}\n\n"
        "Thank you for understanding,\n{org_name}",
    ),
    (N.COUNTER, "en"): (
        "A payment plan suggestion from {org_name}",
        "Hi {contact_name},\n\n"
        "Thank you for asking for a payment plan for {invoices}. We cannot agree to it quite "
        "as asked, but we would like to suggest this schedule instead:\n\n{schedule}{note}\n\n"
        "If it works for you, you can accept it here:\n{pay_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    (N.OFFER, "en"): (
        "A payment plan offer from {org_name}",
        "Hi {contact_name},\n\n"
        "To make {invoices} easier to pay, we would like to offer you a payment plan:\n\n"
        "{schedule}{note}\n\n"
        "If it works for you, you can accept it here:\n{pay_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    (N.CANCELLED, "en"): (
        "Your payment plan with {org_name}",
        "Hi {contact_name},\n\n"
        "This is to let you know that the payment plan for {invoices} has been cancelled. "
        "What is still owed, {amount_due}, can be paid here:\n{pay_link}\n\n"
        "If you have any questions, just reply to this email.\n\n"
        "Thank you,\n{org_name}",
    ),
    (N.THANKS, "en"): (
        "Thank you for your payment",
        "Hi {contact_name},\n\n"
        "Thank you: we have received your plan payment for {invoices}. The next one, "
        "{amount_due}, is due on {due_date}. You can see the plan here:\n{pay_link}\n\n"
        "Thank you for keeping it on track,\n{org_name}",
    ),
    (N.COMPLETED, "en"): (
        "Your payment plan is complete: thank you",
        "Hi {contact_name},\n\n"
        "That was the last payment of your plan for {invoices}: everything is paid. Thank you "
        "for keeping to it.\n\n"
        "With best wishes,\n{org_name}",
    ),
    (N.STARTED, "es"): (
        "Su plan de pagos con {org_name} ha comenzado",
        "Hola {contact_name}:\n\n"
        "Gracias por acordar un plan de pagos para {invoices}. Ya está en marcha con este "
        "calendario:\n\n{schedule}\n\n"
        "El próximo pago, de {amount_due}, vence el {due_date}. Puede ver el plan y pagar "
        "aquí:\n{pay_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    (N.DECLINED, "es"): (
        "Sobre su solicitud de plan de pagos",
        "Hola {contact_name}:\n\n"
        "Gracias por pedirnos un plan de pagos para {invoices}. Lo sentimos, pero no podemos "
        "aceptarlo tal como lo pidió.{note}\n\n"
        "Puede pagar lo pendiente, {amount_due}, aquí; y si quiere hablar de otras formas de "
        "pago, responda a este correo:\n{pay_link}\n\n"
        "Gracias por su comprensión,\n{org_name}",
    ),
    (N.COUNTER, "es"): (
        "Una propuesta de plan de pagos de {org_name}",
        "Hola {contact_name}:\n\n"
        "Gracias por pedirnos un plan de pagos para {invoices}. No podemos aceptarlo tal "
        "como lo pidió, pero le proponemos este calendario:\n\n{schedule}{note}\n\n"
        "Si le viene bien, puede aceptarlo aquí:\n{pay_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    (N.OFFER, "es"): (
        "Una oferta de plan de pagos de {org_name}",
        "Hola {contact_name}:\n\n"
        "Para facilitarle el pago de {invoices}, le ofrecemos un plan de pagos:\n\n"
        "{schedule}{note}\n\n"
        "Si le viene bien, puede aceptarlo aquí:\n{pay_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    (N.CANCELLED, "es"): (
        "Su plan de pagos con {org_name}",
        "Hola {contact_name}:\n\n"
        "Le informamos de que el plan de pagos para {invoices} ha sido cancelado. Puede "
        "pagar lo pendiente, {amount_due}, aquí:\n{pay_link}\n\n"
        "Si tiene alguna pregunta, responda a este correo.\n\n"
        "Gracias,\n{org_name}",
    ),
    (N.THANKS, "es"): (
        "Gracias por su pago",
        "Hola {contact_name}:\n\n"
        "Gracias: hemos recibido el pago de su plan para {invoices}. El próximo, de "
        "{amount_due}, vence el {due_date}. Puede ver el plan aquí:\n{pay_link}\n\n"
        "Gracias por mantenerlo al día,\n{org_name}",
    ),
    (N.COMPLETED, "es"): (
        "Su plan de pagos está completo: gracias",
        "Hola {contact_name}:\n\n"
        "Ese fue el último pago de su plan para {invoices}: todo está pagado. Gracias por "
        "cumplirlo.\n\n"
        "Un cordial saludo,\n{org_name}",
    ),
}

SMS: dict[tuple[PlanNews, str], str] = {
    (N.STARTED, "en"): "{org_name}: Hi {contact_name}, your payment plan has started. Next "
    "payment {amount_due} due {due_date}. Plan: {pay_link} Thank you!",
    (N.DECLINED, "en"): "{org_name}: Hi {contact_name}, sorry, we cannot agree to the payment "
    "plan as asked. Details and other ways to pay: {pay_link} Thank you!",
    (N.COUNTER, "en"): "{org_name}: Hi {contact_name}, we have suggested another payment plan "
    "for you. See and accept it here: {pay_link} Thank you!",
    (N.OFFER, "en"): "{org_name}: Hi {contact_name}, we would like to offer you a payment "
    "plan. See and accept it here: {pay_link} Thank you!",
    (N.CANCELLED, "en"): "{org_name}: Hi {contact_name}, your payment plan was cancelled. "
    "{amount_due} is still owed: {pay_link} Thank you!",
    (N.THANKS, "en"): "{org_name}: Thank you, {contact_name}! Plan payment received. Next: "
    "{amount_due} due {due_date}. {pay_link}",
    (N.COMPLETED, "en"): "{org_name}: Thank you, {contact_name}! Your payment plan is "
    "complete: everything is paid.",
    (N.STARTED, "es"): "{org_name}: Hola {contact_name}, su plan de pagos ha comenzado. "
    "Próximo pago {amount_due} el {due_date}. Plan: {pay_link} ¡Gracias!",
    (N.DECLINED, "es"): "{org_name}: Hola {contact_name}, lo sentimos, no podemos aceptar el "
    "plan de pagos tal como lo pidió. Detalles y otras opciones: {pay_link} ¡Gracias!",
    (N.COUNTER, "es"): "{org_name}: Hola {contact_name}, le proponemos otro plan de pagos. "
    "Véalo y acéptelo aquí: {pay_link} ¡Gracias!",
    (N.OFFER, "es"): "{org_name}: Hola {contact_name}, le ofrecemos un plan de pagos. Véalo y "
    "acéptelo aquí: {pay_link} ¡Gracias!",
    (N.CANCELLED, "es"): "{org_name}: Hola {contact_name}, su plan de pagos fue cancelado. "
    "Pendiente: {amount_due}. {pay_link} ¡Gracias!",
    (N.THANKS, "es"): "{org_name}: ¡Gracias, {contact_name}! Pago del plan recibido. "
    "Próximo: {amount_due} el {due_date}. {pay_link}",
    (N.COMPLETED, "es"): "{org_name}: ¡Gracias, {contact_name}! Su plan de pagos está "
    "completo: todo está pagado.",
}

_NOTE = {"en": "\n\nA note from {org_name}:\n", "es": "\n\nUna nota de {org_name}:\n"}
_INVOICE_WORDS = {
    "en": ("invoice {}", "invoices {}", " and "),
    "es": ("la factura {}", "las facturas {}", " y "),
}


def _literal(text: str) -> str:
    """Customer or owner text, safe to put among placeholders."""
    return text.replace("{", "{{").replace("}", "}}")


def _invoices_text(numbers: list[str], language: str) -> str:
    one, many, last_join = _INVOICE_WORDS[language]
    if len(numbers) == 1:
        return one.format(numbers[0])
    return many.format(", ".join(numbers[:-1]) + last_join + numbers[-1])


def _schedule_text(instalments: list[Instalment], currency: str, locale: str) -> str:
    return "\n".join(
        f"• {format_day(row.due_date, locale=locale)}: "
        f"{format_amount(row.amount, currency, locale=locale)}"
        for row in instalments
    )


def plan_wording(
    *, news: PlanNews, channel: str, language: str, parts: dict[str, str]
) -> tuple[str, str]:
    """(subject, body) for ``news`` with ``parts`` (invoices, schedule, note: literal text)
    written in; the messaging placeholders are left for ``message_queue`` to fill."""
    language = language if (news, language) in SMS else "en"
    if channel == S:
        return "", SMS[(news, language)]
    subject, body = EMAIL[(news, language)]
    note = parts.get("note", "")
    filled = {
        "invoices": _literal(parts.get("invoices", "")),
        "schedule": _literal(parts.get("schedule", "")),
        "note": _NOTE[language] + _literal(note) if note else "",
    }
    for name, text in filled.items():
        body = body.replace("{" + name + "}", text)
    return subject, body


def plan_tell(
    *, org: Organization, plan: PaymentPlan, news: PlanNews, note: str = ""
) -> list[Message]:
    """Queue the customer's message(s) about ``plan``: on the channels they prefer, in their
    language, with the pay link of the plan's first invoice."""
    customer = plan.customer
    links = list(plan.plan_invoices.select_related("invoice").order_by("invoice_id"))
    invoices = [link.invoice for link in links]
    instalments = list(plan.instalments.order_by("due_date", "seq"))
    language = customer.language if (news, customer.language) in SMS else "en"
    locale = value_locale(org=org, language=language)
    upcoming = next((row for row in instalments if row.remaining > 0), None)
    owed = sum((invoice.balance_due for invoice in invoices), ZERO)
    amount: Decimal = upcoming.remaining if upcoming is not None else owed
    due_on = upcoming.due_date if upcoming is not None else None
    if news in (N.DECLINED, N.CANCELLED):
        amount, due_on = owed, None
    parts = {
        "invoices": _invoices_text([invoice.number for invoice in invoices], language),
        "schedule": _schedule_text(instalments, plan.currency, locale),
        "note": note.strip(),
    }
    pay_link = pay_link_url(org=org, invoice=invoices[0])
    messages = []
    for channel in receipt_channels(customer):
        short = channel == S
        values = {
            "amount_due": format_amount(amount, plan.currency, locale=locale),
            "due_date": format_day(due_on, locale=locale, short=short) if due_on else "",
            "pay_link": pay_link,
        }
        messages.append(
            message_queue(
                org=org,
                customer=customer,
                kind=MessageKind.PLAN_UPDATE,
                channel=channel,
                values=values,
                invoice=invoices[0],
                wording=plan_wording(news=news, channel=channel, language=language, parts=parts),
            )
        )
    return messages
