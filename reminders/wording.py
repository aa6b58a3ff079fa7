"""What a reminder says, by its step's tone, channel and the customer's language.

The owner's own wording wins: a step's subject and body (or SMS text) when it has them; for a
friendly step, the organization's reminder template (Settings → Messages); for several invoices
at once, the digest template. Otherwise the built-in words below. Firm and final texts stay
courteous: they say plainly that the invoice is late and ask for a reply if something is wrong,
never threaten. Same placeholders as every reminder (``arhub.messaging.placeholders``).
"""

from __future__ import annotations

from arhub.messaging.selectors import message_template_effective
from arhub.models import Channel, MessageKind, Organization
from reminders.models import ReminderStep, Tone

E, S = Channel.EMAIL, Channel.SMS

# (tone, channel, language) -> (subject, body); the friendly tone is the reminder template's.
BUILT_IN: dict[tuple[str, str, str], tuple[str, str]] = {
    (Tone.FIRM, E, "en"): (
        "Invoice {invoice_number} is now overdue",
        "Hi {contact_name},\n\n"
        "Invoice {invoice_number} for {amount_due} was due on {due_date} and is now "
        "{days_overdue} days overdue.\n\n"
        "Please pay it here today if you can:\n{pay_link}\n\n"
        "If something is stopping you from paying, just reply to this email and we will work "
        "it out together.\n\n"
        "Thank you,\n{org_name}",
    ),
    (Tone.FINAL, E, "en"): (
        "Final reminder: invoice {invoice_number}",
        "Hi {contact_name},\n\n"
        "We have not yet received payment for invoice {invoice_number} for {amount_due}, "
        "which was due on {due_date}, {days_overdue} days ago. This is our final reminder.\n\n"
        "Please pay it here:\n{pay_link}\n\n"
        "If there is a problem with the invoice, or you need a little more time, please reply "
        "today so we can sort it out together.\n\n"
        "Thank you,\n{org_name}",
    ),
    (Tone.FIRM, S, "en"): (
        "",
        "{org_name}: Hi {contact_name}, invoice {invoice_number} for {amount_due} is "
        "{days_overdue} days overdue. Please pay: {pay_link} Thank you. STOP to opt out",
    ),
    (Tone.FINAL, S, "en"): (
        "",
        "{org_name}: Final reminder, {contact_name}: invoice {invoice_number} for {amount_due} "
        "is overdue. Pay: {pay_link} or reply to talk. STOP to opt out",
    ),
    (Tone.FIRM, E, "es"): (
        "La factura {invoice_number} está vencida",
        "Hola {contact_name}:\n\n"
        "La factura {invoice_number} por {amount_due} venció el {due_date} y lleva "
        "{days_overdue} días de retraso.\n\n"
        "Le agradecemos que la pague hoy aquí:\n{pay_link}\n\n"
        "Si algo le impide pagarla, responda a este correo y lo resolvemos juntos.\n\n"
        "Gracias,\n{org_name}",
    ),
    (Tone.FINAL, E, "es"): (
        "Último recordatorio: factura {invoice_number}",
        "Hola {contact_name}:\n\n"
        "Aún no hemos recibido el pago de la factura {invoice_number} por {amount_due}, que "
        "venció el {due_date}, hace {days_overdue} días. Este es nuestro último "
        "recordatorio.\n\n"
        "Puede pagarla aquí:\n{pay_link}\n\n"
        "Si hay algún problema con la factura, o necesita un poco más de tiempo, responda hoy "
        "y lo resolvemos juntos.\n\n"
        "Gracias,\n{org_name}",
    ),
    (Tone.FIRM, S, "es"): (
        "",
        "{org_name}: Hola {contact_name}, la factura {invoice_number} por {amount_due} lleva "
        "{days_overdue} días vencida. Pague: {pay_link} Gracias. STOP para salir",
    ),
    (Tone.FINAL, S, "es"): (
        "",
        "{org_name}: Último aviso, {contact_name}: la factura {invoice_number} por "
        "{amount_due} está vencida. Pague: {pay_link} o responda. STOP para salir",
    ),
}


def built_in(*, tone: str, channel: str, language: str) -> tuple[str, str] | None:
    return BUILT_IN.get((tone, channel, language)) or BUILT_IN.get((tone, channel, "en"))


def reminder_wording(
    *,
    org: Organization,
    step: ReminderStep | None,
    tone: str,
    channel: str,
    language: str,
) -> tuple[str, str]:
    """(subject, body) for one invoice's reminder."""
    if step is not None:
        own_body = step.sms_body if channel == S else step.body
        if own_body.strip():
            return (step.subject if channel == E else "", own_body)
    if tone != Tone.FRIENDLY:
        found = built_in(tone=tone, channel=channel, language=language)
        if found is not None:
            return found
    text = message_template_effective(
        org=org, kind=MessageKind.REMINDER, channel=channel, language=language
    )
    return text.subject, text.body


def digest_wording(*, org: Organization, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) for several invoices in one message."""
    text = message_template_effective(
        org=org, kind=MessageKind.REMINDER_DIGEST, channel=channel, language=language
    )
    return text.subject, text.body
