"""Telling the customer about their dispute: a reply from the business (the organization's own
DISPUTE_UPDATE wording) and the outcome (the wording here, in English and Spanish: what
changed, what is left to pay, the link, thanks). Internal notes never reach this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from arhub.messaging.placeholders import format_amount, value_locale
from arhub.messaging.services import message_queue
from arhub.models import Channel, Message, MessageKind, Organization
from disputes.models import Dispute, DisputeOutcome
from invoicing.message_values import invoice_message_values
from invoicing.models import Customer, Invoice, PreferredChannel


def dispute_channels(customer: Customer) -> list[str]:
    """Email, text or both, as the customer prefers; consent is the message service's
    business."""
    if customer.preferred_channel == PreferredChannel.SMS:
        return [Channel.SMS]
    if customer.preferred_channel == PreferredChannel.BOTH:
        return [Channel.EMAIL, Channel.SMS]
    return [Channel.EMAIL]


def _values(org: Organization, invoice: Invoice) -> dict[str, str]:
    values = invoice_message_values(org=org, invoice=invoice)
    return {"invoice_number": values["invoice_number"], "pay_link": values["pay_link"]}


def dispute_reply_queue(*, org: Organization, dispute: Dispute) -> list[Message]:
    """The business answered in the thread: "there is an update, read and reply here"."""
    invoice = dispute.invoice
    return [
        message_queue(
            org=org,
            customer=dispute.customer,
            kind=MessageKind.DISPUTE_UPDATE,
            channel=channel,
            values=_values(org, invoice),
            invoice=invoice,
        )
        for channel in dispute_channels(dispute.customer)
    ]


@dataclass(frozen=True)
class _Words:
    subject: str
    greeting: str
    credit: str  # {credit}, {balance_sentence}
    corrected: str
    no_change: str
    their_words: str
    balance_left: str  # {balance}
    balance_none: str
    link: str
    thanks: str
    sms_credit: str
    sms_corrected: str
    sms_no_change: str


# Owner text and amounts are put in as literal text; the remaining {placeholders} are filled
# by the message service.
_WORDS = {
    "en": _Words(
        subject="Invoice {invoice_number}: the answer to your question",
        greeting="Hi {contact_name},",
        credit="We have looked into your question about invoice {invoice_number} and "
        "issued a credit of {credit}. {balance_sentence}",
        corrected="We have looked into your question about invoice {invoice_number} and "
        "corrected it: a credit note of {credit} takes off the difference. {balance_sentence}",
        no_change="We have looked into your question about invoice {invoice_number}. "
        "The invoice stays as it is. {balance_sentence}",
        their_words="A note from us:",
        balance_left="The invoice now has {balance} left to pay.",
        balance_none="Nothing is left to pay on it.",
        link="You can see the details, reply or pay here:",
        thanks="Thank you for letting us know,",
        sms_credit="we credited {credit} on invoice {invoice_number}. {balance_sentence}",
        sms_corrected="we corrected invoice {invoice_number} (credit {credit}). {balance_sentence}",
        sms_no_change="we looked into invoice {invoice_number}; it stays as it is. "
        "{balance_sentence}",
    ),
    "es": _Words(
        subject="Factura {invoice_number}: la respuesta a su consulta",
        greeting="Hola {contact_name}:",
        credit="Hemos revisado su consulta sobre la factura {invoice_number} y le hemos "
        "abonado {credit}. {balance_sentence}",
        corrected="Hemos revisado su consulta sobre la factura {invoice_number} y la hemos "
        "corregido: una nota de crédito de {credit} descuenta la diferencia. {balance_sentence}",
        no_change="Hemos revisado su consulta sobre la factura {invoice_number}. "
        "La factura queda como está. {balance_sentence}",
        their_words="Una nota de nuestra parte:",
        balance_left="Ahora quedan {balance} por pagar en la factura.",
        balance_none="No queda nada por pagar en ella.",
        link="Puede ver el detalle, responder o pagar aquí:",
        thanks="Gracias por avisarnos,",
        sms_credit="le abonamos {credit} en la factura {invoice_number}. {balance_sentence}",
        sms_corrected="corregimos la factura {invoice_number} (abono de {credit}). "
        "{balance_sentence}",
        sms_no_change="revisamos la factura {invoice_number}; queda como está. {balance_sentence}",
    ),
}


def _literal(text: str) -> str:
    """Text the placeholder language must not read: a brace in it stays a brace."""
    return text.replace("{", "{{").replace("}", "}}")


def outcome_wording(
    *, org: Organization, dispute: Dispute, invoice: Invoice, channel: str
) -> tuple[str, str]:
    """(subject, body) telling the customer the outcome in their language."""
    language = dispute.customer.language if dispute.customer.language in _WORDS else "en"
    words = _WORDS[language]
    locale = value_locale(org=org, language=language)
    balance = invoice.balance_due
    balance_sentence = (
        words.balance_left.format(balance=format_amount(balance, invoice.currency, locale=locale))
        if balance > 0
        else words.balance_none
    )
    credit = dispute.credit_note.amount if dispute.credit_note is not None else None
    shown_credit = format_amount(credit, invoice.currency, locale=locale) if credit else ""
    fill = {
        "credit": _literal(shown_credit),
        "balance_sentence": _literal(balance_sentence),
        "invoice_number": "{invoice_number}",
    }
    if channel == Channel.SMS:
        template = {
            DisputeOutcome.CREDIT: words.sms_credit,
            DisputeOutcome.CORRECTED: words.sms_corrected,
        }.get(DisputeOutcome(dispute.outcome), words.sms_no_change)
        body = "{org_name}: " + words.greeting.rstrip(",:") + ", " + template.format(**fill)
        return "", body + " {pay_link}"
    template = {
        DisputeOutcome.CREDIT: words.credit,
        DisputeOutcome.CORRECTED: words.corrected,
    }.get(DisputeOutcome(dispute.outcome), words.no_change)
    parts = [words.greeting, template.format(**fill)]
    if dispute.outcome_message.strip():
        parts.append(words.their_words + "\n" + _literal(dispute.outcome_message.strip()))
    parts += [words.link + "\n{pay_link}", words.thanks + "\n{org_name}"]
    return words.subject, "\n\n".join(parts)


def dispute_outcome_queue(
    *, org: Organization, dispute: Dispute, invoice: Invoice
) -> list[Message]:
    """Tell the customer how their dispute ended; ``invoice`` as it is after any credit."""
    return [
        message_queue(
            org=org,
            customer=dispute.customer,
            kind=MessageKind.DISPUTE_UPDATE,
            channel=channel,
            values=_values(org, invoice),
            invoice=invoice,
            wording=outcome_wording(org=org, dispute=dispute, invoice=invoice, channel=channel),
        )
        for channel in dispute_channels(dispute.customer)
    ]
