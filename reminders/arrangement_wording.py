"""What the plan's and the promise's own reminders say, in the customer's language, and the
values that fill them in.

Gentle: the customer named the day or agreed the plan, so these remind them of their own word
and thank them; nothing here warns or threatens. The instalment's reminder before its day is
the plan-update template (Settings → Messages, or the built-in one); these two are ours:

* the "as agreed" reminder of a promise to pay (a reminder: the invoice's placeholders, with
  ``{due_date}`` the promised day), on that day or, when it could not go that day, just after;
* the notice of a missed instalment (a plan update: ``{amount_due}`` what is left of it,
  ``{due_date}`` the last day of the grace, after which the plan would end).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from arhub.messaging.placeholders import format_amount, format_day, value_locale
from arhub.models import Channel, Organization
from invoicing.message_values import invoice_message_values
from invoicing.models import Invoice
from invoicing.pay_links import pay_link_url
from payments.models import Instalment, PromiseToPay

E, S = Channel.EMAIL, Channel.SMS
FALLBACK = "en"
# The three messages: a promise's "as agreed", an instalment's reminder, a missed notice.
PROMISE, INSTALMENT, MISSED = "promise", "instalment", "missed"
# Per channel: the placeholder values and the wording (None: the kind's template).
MessageFor = Callable[[str], tuple[dict[str, str], tuple[str, str] | None]]

# (channel, language, on the promised day) -> (subject, body)
AS_AGREED_WORDS: dict[tuple[str, str, bool], tuple[str, str]] = {
    (E, "en", True): (
        "As agreed: invoice {invoice_number} today",
        "Hi {contact_name},\n\n"
        "As we agreed, invoice {invoice_number} for {amount_due} is due today, {due_date}.\n\n"
        "You can pay it here in a minute or two:\n{pay_link}\n\n"
        "If you have already paid, thank you, and please ignore this note. If something has "
        "changed, just reply and let us know.\n\n"
        "Thank you,\n{org_name}",
    ),
    (E, "en", False): (
        "As agreed: invoice {invoice_number}",
        "Hi {contact_name},\n\n"
        "As we agreed, invoice {invoice_number} for {amount_due} was to be paid on {due_date}, "
        "and we have not seen the payment yet.\n\n"
        "You can pay it here in a minute or two:\n{pay_link}\n\n"
        "If it is already on its way, thank you, and please ignore this note. If something has "
        "changed, just reply and let us know.\n\n"
        "Thank you,\n{org_name}",
    ),
    (S, "en", True): (
        "",
        "{org_name}: Hi {contact_name}, as agreed, invoice {invoice_number} for {amount_due} "
        "is due today. Pay: {pay_link} Thank you! STOP to opt out",
    ),
    (S, "en", False): (
        "",
        "{org_name}: Hi {contact_name}, as agreed, invoice {invoice_number} for {amount_due} "
        "was due {due_date}. Pay: {pay_link} Thank you! STOP to opt out",
    ),
    (E, "es", True): (
        "Según lo acordado: factura {invoice_number} hoy",
        "Hola {contact_name}:\n\n"
        "Tal como acordamos, la factura {invoice_number} por {amount_due} vence hoy, "
        "{due_date}.\n\n"
        "Puede pagarla aquí en un par de minutos:\n{pay_link}\n\n"
        "Si ya la pagó, muchas gracias, y no tenga en cuenta este mensaje. Si algo ha cambiado, "
        "responda y díganoslo.\n\n"
        "Gracias,\n{org_name}",
    ),
    (E, "es", False): (
        "Según lo acordado: factura {invoice_number}",
        "Hola {contact_name}:\n\n"
        "Tal como acordamos, la factura {invoice_number} por {amount_due} debía pagarse el "
        "{due_date}, y aún no hemos recibido el pago.\n\n"
        "Puede pagarla aquí en un par de minutos:\n{pay_link}\n\n"
        "Si el pago ya está en camino, muchas gracias, y no tenga en cuenta este mensaje. Si "
        "algo ha cambiado, responda y díganoslo.\n\n"
        "Gracias,\n{org_name}",
    ),
    (S, "es", True): (
        "",
        "{org_name}: Hola {contact_name}, según lo acordado, la factura {invoice_number} por "
        "{amount_due} vence hoy. Pague: {pay_link} ¡Gracias! STOP para salir",
    ),
    (S, "es", False): (
        "",
        "{org_name}: Hola {contact_name}, según lo acordado, la factura {invoice_number} por "
        "{amount_due} vencía el {due_date}. Pague: {pay_link} ¡Gracias! STOP para salir",
    ),
}

# (channel, language) -> (subject, body)
MISSED_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    (E, "en"): (
        "About your payment plan with {org_name}",
        "Hi {contact_name},\n\n"
        "Your latest plan payment of {amount_due} has not reached us yet. No problem if it is "
        "on its way: if it arrives by {due_date}, your plan simply carries on as agreed.\n\n"
        "You can pay it here:\n{pay_link}\n\n"
        "If something has come up, reply and let us know; we are happy to talk it through.\n\n"
        "Thank you,\n{org_name}",
    ),
    (S, "en"): (
        "",
        "{org_name}: Hi {contact_name}, your plan payment of {amount_due} has not reached us "
        "yet. Pay by {due_date} and the plan carries on: {pay_link} Thank you!",
    ),
    (E, "es"): (
        "Sobre su plan de pagos con {org_name}",
        "Hola {contact_name}:\n\n"
        "Aún no hemos recibido el último pago de su plan, de {amount_due}. Si ya está en "
        "camino, no se preocupe: si nos llega a más tardar el {due_date}, su plan sigue tal "
        "como lo acordamos.\n\n"
        "Puede pagarlo aquí:\n{pay_link}\n\n"
        "Si ha surgido algún imprevisto, responda y lo hablamos con gusto.\n\n"
        "Gracias,\n{org_name}",
    ),
    (S, "es"): (
        "",
        "{org_name}: Hola {contact_name}, aún no recibimos el pago de su plan de {amount_due}. "
        "Si paga a más tardar el {due_date}, el plan sigue: {pay_link} ¡Gracias!",
    ),
}


def as_agreed_wording(*, channel: str, language: str, on_the_day: bool) -> tuple[str, str]:
    found = AS_AGREED_WORDS.get((channel, language, on_the_day))
    return found or AS_AGREED_WORDS[(channel, FALLBACK, on_the_day)]


def missed_wording(*, channel: str, language: str) -> tuple[str, str]:
    return MISSED_WORDS.get((channel, language)) or MISSED_WORDS[(channel, FALLBACK)]


def promise_message(org: Organization, promise: PromiseToPay, today: date) -> MessageFor:
    """The "as agreed" reminder: the invoice's values, ``{due_date}`` the promised day."""
    invoice, customer = promise.invoice, promise.invoice.customer
    locale = value_locale(org=org, language=customer.language)

    def message(channel: str) -> tuple[dict[str, str], tuple[str, str] | None]:
        short = channel == Channel.SMS
        values = invoice_message_values(org=org, invoice=invoice, short_dates=short)
        values["due_date"] = format_day(promise.promised_date, locale=locale, short=short)
        overdue = (today - invoice.due_date).days if invoice.due_date else 0
        values["days_overdue"] = str(max(overdue, 0))
        on_the_day = today == promise.promised_date
        wording = as_agreed_wording(
            channel=channel, language=customer.language, on_the_day=on_the_day
        )
        return values, wording

    return message


def plan_message(
    org: Organization, instalment: Instalment, invoice: Invoice, what: str, grace_days: int
) -> MessageFor:
    """An instalment's reminder or missed notice: ``{amount_due}`` what is left of it, the pay
    link of ``invoice`` (the plan's oldest invoice still owed)."""
    plan, customer = instalment.plan, instalment.plan.customer
    locale = value_locale(org=org, language=customer.language)
    # The reminder names the instalment's day; the missed notice the last day of the grace.
    day = instalment.due_date
    if what == MISSED:
        day += timedelta(days=grace_days)

    def message(channel: str) -> tuple[dict[str, str], tuple[str, str] | None]:
        short = channel == Channel.SMS
        values = {
            "amount_due": format_amount(instalment.remaining, plan.currency, locale=locale),
            "due_date": format_day(day, locale=locale, short=short),
            "pay_link": pay_link_url(org=org, invoice=invoice),
        }
        if what == MISSED:
            return values, missed_wording(channel=channel, language=customer.language)
        return values, None  # the plan-update template

    return message
