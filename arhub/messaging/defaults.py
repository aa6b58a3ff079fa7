"""The built-in wording of every message, per kind, channel and language.

Warm and plain: the person's name, the invoice, the amount, the date, the one link, thank you.
Texts name the business first, so a customer knows at once who is writing; SMS texts aim to fit
one 160-character segment with ordinary names and amounts, and the ones that may start a
conversation say how to stop. An owner's own wording (MessageTemplate) replaces any of these.
"""

from __future__ import annotations

from dataclasses import dataclass

from arhub.models import Channel, MessageKind

# The customer languages we write in; mirrors invoicing.Language, which the core may not import
# (a test keeps the two equal).
LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("es", "Español"))
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class DefaultText:
    subject: str
    body: str


E, S = Channel.EMAIL, Channel.SMS
K = MessageKind

DEFAULTS: dict[tuple[str, str, str], DefaultText] = {
    # ---- English, email
    (K.INVOICE, E, "en"): DefaultText(
        "Invoice {invoice_number} from {org_name}",
        "Hi {contact_name},\n\n"
        "Here is invoice {invoice_number} for {amount_due}, due on {due_date}.\n\n"
        "You can see the details and pay here:\n{pay_link}\n\n"
        "If anything looks wrong, just reply to this email and we will put it right.\n\n"
        "Thank you for your business,\n{org_name}",
    ),
    (K.REMINDER, E, "en"): DefaultText(
        "A friendly reminder about invoice {invoice_number}",
        "Hi {contact_name},\n\n"
        "This is a friendly reminder about invoice {invoice_number} for {amount_due}, "
        "due on {due_date}.\n\n"
        "You can pay it here in a minute or two:\n{pay_link}\n\n"
        "If you have already paid, thank you, and please ignore this note. If something is "
        "holding it up, reply and let us know; we are happy to help.\n\n"
        "Thanks,\n{org_name}",
    ),
    (K.REMINDER_DIGEST, E, "en"): DefaultText(
        "A friendly reminder about {invoice_count} invoices",
        "Hi {contact_name},\n\n"
        "A friendly reminder about these invoices, {total_due} in all:\n\n"
        "{invoice_list}\n\n"
        "You can see them and pay them together here:\n{statement_link}\n\n"
        "If you have already paid, thank you, and please ignore this note. If something is "
        "holding them up, reply and let us know.\n\n"
        "Thanks,\n{org_name}",
    ),
    (K.RECEIPT, E, "en"): DefaultText(
        "Receipt for your payment to {org_name}",
        "Hi {contact_name},\n\n"
        "We received your payment of {payment_amount} on {payment_date}. Thank you!\n\n"
        "Your receipt is attached. Your balance with us is now {balance_due}, and you can "
        "see your statement at any time here:\n{statement_link}\n\n"
        "We appreciate your business.\n\nBest wishes,\n{org_name}",
    ),
    (K.THANK_YOU, E, "en"): DefaultText(
        "Thank you for your payment",
        "Hi {contact_name},\n\n"
        "Thank you for paying invoice {invoice_number}. We received {payment_amount} on "
        "{payment_date}, and the invoice is now settled.\n\n"
        "We really appreciate your business.\n\n"
        "{org_name}",
    ),
    (K.DISPUTE_UPDATE, E, "en"): DefaultText(
        "An update on your question about invoice {invoice_number}",
        "Hi {contact_name},\n\n"
        "There is an update on the question you raised about invoice {invoice_number}. "
        "You can read it and reply here:\n{pay_link}\n\n"
        "Thank you for your patience,\n{org_name}",
    ),
    (K.PLAN_UPDATE, E, "en"): DefaultText(
        "Your payment plan with {org_name}",
        "Hi {contact_name},\n\n"
        "A quick note about your payment plan: the next payment of {amount_due} is due on "
        "{due_date}.\n\n"
        "You can see the plan and pay here:\n{pay_link}\n\n"
        "Thank you for keeping it on track,\n{org_name}",
    ),
    (K.STATEMENT, E, "en"): DefaultText(
        "Your statement from {org_name}",
        "Hi {contact_name},\n\n"
        "Here is your statement. Your balance with us is {balance_due}.\n\n"
        "You can see every invoice and payment here:\n{statement_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    (K.OTHER, E, "en"): DefaultText(
        "A message from {org_name}",
        "Hi {contact_name},\n\n"
        "You can see your account with us at any time here:\n{statement_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    # ---- English, SMS
    (K.INVOICE, S, "en"): DefaultText(
        "",
        "{org_name}: Hi {contact_name}, invoice {invoice_number} for {amount_due} is due "
        "{due_date}. Pay here: {pay_link} Reply STOP to opt out",
    ),
    (K.REMINDER, S, "en"): DefaultText(
        "",
        "{org_name} reminder: Hi {contact_name}, invoice {invoice_number} for {amount_due} "
        "is due {due_date}. Pay: {pay_link} Thank you! STOP to opt out",
    ),
    (K.REMINDER_DIGEST, S, "en"): DefaultText(
        "",
        "{org_name} reminder: Hi {contact_name}, {invoice_count} invoices, {total_due} in all, "
        "are open. Pay: {statement_link} Thank you! STOP to opt out",
    ),
    (K.RECEIPT, S, "en"): DefaultText(
        "",
        "{org_name}: Thank you {contact_name}! We received {payment_amount} on "
        "{payment_date}. Balance: {balance_due}. Statement: {statement_link}",
    ),
    (K.THANK_YOU, S, "en"): DefaultText(
        "",
        "{org_name}: Thank you {contact_name}! Invoice {invoice_number} is paid in full. "
        "We appreciate your business.",
    ),
    (K.DISPUTE_UPDATE, S, "en"): DefaultText(
        "",
        "{org_name}: Hi {contact_name}, there is an update on your question about invoice "
        "{invoice_number}: {pay_link}",
    ),
    (K.PLAN_UPDATE, S, "en"): DefaultText(
        "",
        "{org_name}: Hi {contact_name}, your next plan payment of {amount_due} is due "
        "{due_date}. Pay: {pay_link} Thank you!",
    ),
    (K.STATEMENT, S, "en"): DefaultText(
        "",
        "{org_name}: Hi {contact_name}, your balance with us is {balance_due}. "
        "Statement: {statement_link} Thank you!",
    ),
    (K.OTHER, S, "en"): DefaultText(
        "",
        "{org_name}: Hi {contact_name}, your account with us: {statement_link} Thank you!",
    ),
    # ---- Spanish, email
    (K.INVOICE, E, "es"): DefaultText(
        "Factura {invoice_number} de {org_name}",
        "Hola {contact_name}:\n\n"
        "Le enviamos la factura {invoice_number} por {amount_due}, con vencimiento el "
        "{due_date}.\n\n"
        "Puede ver el detalle y pagarla aquí:\n{pay_link}\n\n"
        "Si algo no está bien, responda a este correo y lo corregimos.\n\n"
        "Gracias por su confianza,\n{org_name}",
    ),
    (K.REMINDER, E, "es"): DefaultText(
        "Un recordatorio amable sobre la factura {invoice_number}",
        "Hola {contact_name}:\n\n"
        "Le recordamos amablemente la factura {invoice_number} por {amount_due}, con "
        "vencimiento el {due_date}.\n\n"
        "Puede pagarla aquí en un par de minutos:\n{pay_link}\n\n"
        "Si ya la pagó, muchas gracias y disculpe la molestia. Si hay algún inconveniente, "
        "responda a este correo; con gusto le ayudamos.\n\n"
        "Gracias,\n{org_name}",
    ),
    (K.REMINDER_DIGEST, E, "es"): DefaultText(
        "Un recordatorio amable sobre {invoice_count} facturas",
        "Hola {contact_name}:\n\n"
        "Le recordamos amablemente estas facturas, {total_due} en total:\n\n"
        "{invoice_list}\n\n"
        "Puede verlas y pagarlas juntas aquí:\n{statement_link}\n\n"
        "Si ya las pagó, muchas gracias y disculpe la molestia. Si hay algún inconveniente, "
        "responda a este correo.\n\n"
        "Gracias,\n{org_name}",
    ),
    (K.RECEIPT, E, "es"): DefaultText(
        "Recibo de su pago a {org_name}",
        "Hola {contact_name}:\n\n"
        "Recibimos su pago de {payment_amount} el {payment_date}. ¡Muchas gracias!\n\n"
        "Le adjuntamos el recibo. Su saldo con nosotros es ahora de {balance_due}, y puede "
        "consultar su estado de cuenta cuando quiera aquí:\n{statement_link}\n\n"
        "Valoramos mucho su confianza.\n\nSaludos cordiales,\n{org_name}",
    ),
    (K.THANK_YOU, E, "es"): DefaultText(
        "Gracias por su pago",
        "Hola {contact_name}:\n\n"
        "Gracias por pagar la factura {invoice_number}. Recibimos {payment_amount} el "
        "{payment_date} y la factura queda saldada.\n\n"
        "Valoramos mucho su confianza.\n\n"
        "{org_name}",
    ),
    (K.DISPUTE_UPDATE, E, "es"): DefaultText(
        "Novedades sobre su consulta de la factura {invoice_number}",
        "Hola {contact_name}:\n\n"
        "Hay novedades sobre la consulta que nos hizo acerca de la factura {invoice_number}. "
        "Puede leerlas y responder aquí:\n{pay_link}\n\n"
        "Gracias por su paciencia,\n{org_name}",
    ),
    (K.PLAN_UPDATE, E, "es"): DefaultText(
        "Su plan de pagos con {org_name}",
        "Hola {contact_name}:\n\n"
        "Una nota breve sobre su plan de pagos: el próximo pago de {amount_due} vence el "
        "{due_date}.\n\n"
        "Puede ver el plan y pagar aquí:\n{pay_link}\n\n"
        "Gracias por mantenerlo al día,\n{org_name}",
    ),
    (K.STATEMENT, E, "es"): DefaultText(
        "Su estado de cuenta de {org_name}",
        "Hola {contact_name}:\n\n"
        "Le enviamos su estado de cuenta. Su saldo con nosotros es de {balance_due}.\n\n"
        "Puede ver cada factura y cada pago aquí:\n{statement_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    (K.OTHER, E, "es"): DefaultText(
        "Un mensaje de {org_name}",
        "Hola {contact_name}:\n\n"
        "Puede consultar su cuenta con nosotros cuando quiera aquí:\n{statement_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    # ---- Spanish, SMS
    (K.INVOICE, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, la factura {invoice_number} por {amount_due} vence "
        "el {due_date}. Pague en: {pay_link} STOP para salir",
    ),
    (K.REMINDER, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, le recordamos la factura {invoice_number} por "
        "{amount_due}, vence el {due_date}. Pague: {pay_link} STOP para salir",
    ),
    (K.REMINDER_DIGEST, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, tiene {invoice_count} facturas abiertas, {total_due} "
        "en total. Pague: {statement_link} ¡Gracias! STOP para salir",
    ),
    (K.RECEIPT, S, "es"): DefaultText(
        "",
        "{org_name}: ¡Gracias {contact_name}! Recibimos {payment_amount} el {payment_date}. "
        "Saldo: {balance_due}. Estado de cuenta: {statement_link}",
    ),
    (K.THANK_YOU, S, "es"): DefaultText(
        "",
        "{org_name}: ¡Gracias {contact_name}! Recibimos el pago de la factura "
        "{invoice_number}. Valoramos su confianza.",
    ),
    (K.DISPUTE_UPDATE, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, hay novedades sobre su consulta de la factura "
        "{invoice_number}: {pay_link}",
    ),
    (K.PLAN_UPDATE, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, el siguiente pago de su plan, {amount_due}, vence "
        "el {due_date}. Pague: {pay_link} ¡Gracias!",
    ),
    (K.STATEMENT, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, su saldo con nosotros es de {balance_due}. "
        "Estado de cuenta: {statement_link} ¡Gracias!",
    ),
    (K.OTHER, S, "es"): DefaultText(
        "",
        "{org_name}: Hola {contact_name}, su cuenta con nosotros: {statement_link} ¡Gracias!",
    ),
}


def default_text(*, kind: str, channel: str, language: str) -> DefaultText:
    """The built-in text; English when there is none in the customer's language."""
    found = DEFAULTS.get((kind, channel, language))
    if found is None:
        found = DEFAULTS[(kind, channel, FALLBACK_LANGUAGE)]
    return found
