"""The words of the customer's pay page, statement portal and statement PDF, in each customer
language we support (as ``invoicing.pdf_labels`` does for the invoice).

Sentences with blanks are ``str.format`` templates; the view fills them with amounts and dates
already formatted, and Django escapes the result. Dates in sentences are written the way the
customer's language writes them (``invoicing.terms.sentence_locale``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel.dates import format_date, format_skeleton

from invoicing.models import Language
from invoicing.terms import sentence_locale
from payments.models import PaymentMethod

WORDS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "skip": "Skip to content",
        "invoice_from": "Invoice {number} from {org}",
        "amount_due_today": "Amount due today",
        "next_payment": "Next payment",
        "due_on": "Due {date}",
        "overdue_one": "1 day overdue",
        "overdue_many": "{n} days overdue",
        "due_in_one": "due in 1 day",
        "due_in_many": "due in {n} days",
        "due_today": "due today",
        "discount_offer": (
            "Pay {amount} by {date} and save {saving} ({percent}% early-payment discount)."
        ),
        "discount_last_day": "Today is the last day of the discount.",
        "discount_after": "After {date} the full {balance} is due.",
        "partly_paid": "{paid} paid so far, {left} left to pay.",
        "items": "What this invoice is for",
        "bill_to": "Billed to",
        "breakdown": "What is owed",
        "breakdown_paid": "How it was paid",
        "fees_included": "This includes {fees} in late fees, explained below.",
        "invoice_total": "Invoice total",
        "late_fee": "Late fee, {date}",
        "paid_on_date": "Paid {date} ({method})",
        "credited_by": "Credit note {number}",
        "discount_allowed": "Early-payment discount allowed",
        "balance": "Balance",
        "discount_today": "Early-payment discount if paid by {date}",
        "late_fees": "Late fees",
        "late_fee_row": "Charged on {date}: {rule}",
        "payments_to_date": "Payments and credits",
        "how_to_pay": "How to pay",
        "pay_online": "Pay online",
        "online_methods": "Card, Apple Pay, Google Pay or Link.",
        "online_methods_debit": "Card, Apple Pay, Google Pay, Link or a bank debit.",
        "online_secure": "You finish on Stripe's secure payment page; we never see your card.",
        "pay_amount": "Pay {amount}",
        "pay_other": "Pay a different amount",
        "amount_label": "Amount to pay ({currency})",
        "amount_help": "At least {minimum} and at most {balance}.",
        "amount_help_no_discount": "A part payment does not earn the early-payment discount.",
        "continue": "Continue to payment",
        "bank_transfer": "Bank transfer",
        "quote_reference": "Please quote {reference} as the payment reference.",
        "ask_bank_details": "Please ask {org} for their bank details.",
        "cheque": "Cheque",
        "cheque_payable": "Make it payable to {name} and post it to:",
        "cheque_back": "Please write {reference} on the back.",
        "also_accept": "We also accept: {methods}.",
        "card_unavailable_others": (
            "Card payment is briefly unavailable — you can pay by {methods} below, "
            "or try again in a few minutes."
        ),
        "card_unavailable": (
            "Card payment is briefly unavailable — please try again in a few minutes."
        ),
        "or": "or",
        "problem": "There is a problem",
        "enter_amount": "Enter the amount you want to pay.",
        "amount_not_number": "Enter the amount as a number, like 120.50.",
        "amount_positive": "Enter an amount more than zero.",
        "amount_decimals": "Enter the amount in {currency} without extra decimals.",
        "amount_too_much": "Only {balance} is owed on this invoice.",
        "amount_too_little": "The smallest payment we can take is {minimum}.",
        "paid_heading": "Paid in full — thank you!",
        "paid_thanks": "Thank you for your payment, {name}. Nothing more is owed on this invoice.",
        "paid_on": "Paid on",
        "amount": "Amount",
        "method": "Method",
        "see_statement": "See all your invoices with {org}",
        "notice_confirming": (
            "Thank you — your payment is being confirmed. Your receipt will follow by email."
        ),
        "notice_cancelled": "No payment was made. You can pay whenever you are ready.",
        # The statement portal and its PDF
        "statement": "Statement",
        "account_with": "Your account with {org}",
        "as_of": "As of {date}",
        "open_invoices": "Open invoices",
        "invoice": "Invoice",
        "issued": "Issued",
        "due": "Due",
        "status": "Status",
        "due_now": "Amount due today",
        "pay_invoice": "Pay invoice",
        "questions": "Questions? Write to",
        "pay_selected": "Pay the selected invoices ({currency})",
        "pay_selected_help": "Tick the invoices to pay; they are paid together in one payment.",
        "total_due": "Total due in {currency}",
        "nothing_owed": "Nothing is owed. Thank you!",
        "history": "Payment history",
        "date": "Date",
        "invoices_paid": "Invoices paid",
        "no_payments": "No payments yet.",
        "download_statement": "Download statement (PDF)",
        "download_invoice": "Invoice {number} (PDF)",
        "choose_one": "Choose at least one invoice to pay.",
        "cannot_pay_here": (
            "One of the invoices you chose cannot be paid here. Please choose again."
        ),
        "recent_payments": "Recent payments",
        "quote_numbers": "Please quote the invoice numbers as the payment reference.",
        "cheque_back_numbers": "Please write the invoice numbers on the back.",
        "credit_on_account": "Credit on your account: {amount}",
        "discount_until_short": "with {percent}% discount until {date}",
        "includes_fees": "includes {fees} late fees",
        "customer": "Customer",
        # Pages without a live link
        "invalid_title": "This link is no longer valid",
        "invalid_contact": "Please contact {org} for the current invoice or a new link.",
        "invalid_contact_email": (
            "Please contact {org} at {email} for the current invoice or a new link."
        ),
        "invalid_unknown": (
            "It may have been cut short when it was copied. Please try the link in the email "
            "again, or contact the business that sent it."
        ),
        "timed_out_title": "This page has timed out",
        "timed_out_body": (
            "For your security this page closes after {minutes} minutes without use. "
            "Please open the link in your email again."
        ),
        "too_many_title": "Too many attempts",
        "too_many_body": "Please wait a minute and try again. Thank you for your patience.",
    },
    Language.SPANISH: {
        "skip": "Ir al contenido",
        "invoice_from": "Factura {number} de {org}",
        "amount_due_today": "Importe a pagar hoy",
        "next_payment": "Próximo pago",
        "due_on": "Vence el {date}",
        "overdue_one": "vencida hace 1 día",
        "overdue_many": "vencida hace {n} días",
        "due_in_one": "vence en 1 día",
        "due_in_many": "vence en {n} días",
        "due_today": "vence hoy",
        "discount_offer": (
            "Pague {amount} a más tardar el {date} y ahorre {saving} "
            "({percent}% de descuento por pronto pago)."
        ),
        "discount_last_day": "Hoy es el último día del descuento.",
        "discount_after": "Después del {date} se debe el total de {balance}.",
        "partly_paid": "Pagado hasta ahora: {paid}. Queda por pagar: {left}.",
        "items": "Conceptos de esta factura",
        "bill_to": "Facturado a",
        "breakdown": "Lo que se debe",
        "breakdown_paid": "Cómo se pagó",
        "fees_included": "Incluye {fees} de recargos por demora, detallados más abajo.",
        "invoice_total": "Total de la factura",
        "late_fee": "Recargo por demora, {date}",
        "paid_on_date": "Pagado el {date} ({method})",
        "credited_by": "Nota de crédito {number}",
        "discount_allowed": "Descuento por pronto pago aplicado",
        "balance": "Saldo",
        "discount_today": "Descuento por pronto pago si paga a más tardar el {date}",
        "late_fees": "Recargos por demora",
        "late_fee_row": "Cargado el {date}: {rule}",
        "payments_to_date": "Pagos y abonos",
        "how_to_pay": "Cómo pagar",
        "pay_online": "Pagar en línea",
        "online_methods": "Tarjeta, Apple Pay, Google Pay o Link.",
        "online_methods_debit": "Tarjeta, Apple Pay, Google Pay, Link o domiciliación bancaria.",
        "online_secure": (
            "El pago se completa en la página segura de Stripe; nunca vemos su tarjeta."
        ),
        "pay_amount": "Pagar {amount}",
        "pay_other": "Pagar otro importe",
        "amount_label": "Importe a pagar ({currency})",
        "amount_help": "Mínimo {minimum} y máximo {balance}.",
        "amount_help_no_discount": "Un pago parcial no tiene descuento por pronto pago.",
        "continue": "Continuar al pago",
        "bank_transfer": "Transferencia bancaria",
        "quote_reference": "Indique {reference} como referencia del pago.",
        "ask_bank_details": "Pida a {org} sus datos bancarios.",
        "cheque": "Cheque",
        "cheque_payable": "Emítalo a nombre de {name} y envíelo a:",
        "cheque_back": "Escriba {reference} en el reverso.",
        "also_accept": "También aceptamos: {methods}.",
        "card_unavailable_others": (
            "El pago con tarjeta no está disponible en este momento: puede pagar por {methods} "
            "más abajo, o volver a intentarlo en unos minutos."
        ),
        "card_unavailable": (
            "El pago con tarjeta no está disponible en este momento: vuelva a intentarlo en "
            "unos minutos."
        ),
        "or": "o",
        "problem": "Hay un problema",
        "enter_amount": "Indique el importe que desea pagar.",
        "amount_not_number": "Escriba el importe como un número, por ejemplo 120,50.",
        "amount_positive": "Indique un importe mayor que cero.",
        "amount_decimals": "Indique el importe en {currency} sin decimales de más.",
        "amount_too_much": "En esta factura solo se deben {balance}.",
        "amount_too_little": "El pago mínimo que podemos aceptar es {minimum}.",
        "paid_heading": "Pagada en su totalidad. ¡Gracias!",
        "paid_thanks": "Gracias por su pago, {name}. No queda nada pendiente en esta factura.",
        "paid_on": "Pagada el",
        "amount": "Importe",
        "method": "Forma de pago",
        "see_statement": "Vea todas sus facturas con {org}",
        "notice_confirming": (
            "Gracias: estamos confirmando su pago. Recibirá el recibo por correo electrónico."
        ),
        "notice_cancelled": "No se realizó ningún pago. Puede pagar cuando lo desee.",
        "statement": "Estado de cuenta",
        "account_with": "Su cuenta con {org}",
        "as_of": "A fecha de {date}",
        "open_invoices": "Facturas pendientes",
        "invoice": "Factura",
        "issued": "Emitida",
        "due": "Vence",
        "status": "Estado",
        "due_now": "Importe a pagar hoy",
        "pay_invoice": "Pagar la factura",
        "questions": "¿Preguntas? Escriba a",
        "pay_selected": "Pagar las facturas seleccionadas ({currency})",
        "pay_selected_help": (
            "Marque las facturas que desea pagar; se pagan juntas en un solo pago."
        ),
        "total_due": "Total pendiente en {currency}",
        "nothing_owed": "No hay nada pendiente. ¡Gracias!",
        "history": "Historial de pagos",
        "date": "Fecha",
        "invoices_paid": "Facturas pagadas",
        "no_payments": "Todavía no hay pagos.",
        "download_statement": "Descargar el estado de cuenta (PDF)",
        "download_invoice": "Factura {number} (PDF)",
        "choose_one": "Elija al menos una factura para pagar.",
        "cannot_pay_here": (
            "Una de las facturas elegidas no se puede pagar aquí. Vuelva a elegir, por favor."
        ),
        "recent_payments": "Pagos recientes",
        "quote_numbers": "Indique los números de factura como referencia del pago.",
        "cheque_back_numbers": "Escriba los números de factura en el reverso.",
        "credit_on_account": "Saldo a su favor: {amount}",
        "discount_until_short": "con un {percent}% de descuento hasta el {date}",
        "includes_fees": "incluye {fees} de recargos",
        "customer": "Cliente",
        "invalid_title": "Este enlace ya no es válido",
        "invalid_contact": (
            "Póngase en contacto con {org} para obtener la factura actual o un enlace nuevo."
        ),
        "invalid_contact_email": (
            "Póngase en contacto con {org} en {email} para obtener la factura actual o un "
            "enlace nuevo."
        ),
        "invalid_unknown": (
            "Puede que se haya cortado al copiarlo. Pruebe de nuevo con el enlace del correo "
            "electrónico o póngase en contacto con la empresa que se lo envió."
        ),
        "timed_out_title": "Esta página ha caducado",
        "timed_out_body": (
            "Por su seguridad, esta página se cierra tras {minutes} minutos sin uso. "
            "Abra de nuevo el enlace de su correo electrónico."
        ),
        "too_many_title": "Demasiados intentos",
        "too_many_body": "Espere un minuto y vuelva a intentarlo. Gracias por su paciencia.",
    },
}

METHODS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        PaymentMethod.CHEQUE: "cheque",
        PaymentMethod.BANK_TRANSFER: "bank transfer",
        PaymentMethod.CASH: "cash",
        PaymentMethod.CARD: "card",
        PaymentMethod.STRIPE: "card, online",
        PaymentMethod.OTHER: "other",
    },
    Language.SPANISH: {
        PaymentMethod.CHEQUE: "cheque",
        PaymentMethod.BANK_TRANSFER: "transferencia bancaria",
        PaymentMethod.CASH: "efectivo",
        PaymentMethod.CARD: "tarjeta",
        PaymentMethod.STRIPE: "tarjeta, en línea",
        PaymentMethod.OTHER: "otro",
    },
}


# The one-time notices a pay session carries back from Stripe's Checkout
# (``payments.checkout_views``), by name.
NOTICES = {"confirming": "notice_confirming", "cancelled": "notice_cancelled"}


def notice_text(words: dict[str, str], notice: str) -> str:
    return words[NOTICES[notice]] if notice in NOTICES else ""


def words_for(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS[Language.ENGLISH])


def payment_method_word(method: str, language: str) -> str:
    return METHODS.get(language, METHODS[Language.ENGLISH]).get(method, method)


@dataclass(frozen=True)
class Days:
    """Dates in the customer's words: "March 10" (or "10 March" for en-GB, "10 de marzo")."""

    locale: str

    @classmethod
    def of(cls, *, org_locale: str, language: str) -> Days:
        return cls(sentence_locale(org_locale=org_locale, language=language))

    def long(self, day: date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def medium(self, day: date) -> str:
        return format_date(day, format="medium", locale=self.locale)

    def short(self, day: date, *, today: date) -> str:
        """Without the year when it is this year's."""
        if day.year != today.year:
            return self.long(day)
        return format_skeleton("MMMMd", day, locale=self.locale)


def aging_words(words: dict[str, str], *, due: date | None, today: date) -> str:
    """ "12 days overdue", "due in 5 days", "due today"."""
    if due is None:
        return ""
    days = (due - today).days
    if days < 0:
        return words["overdue_one"] if days == -1 else words["overdue_many"].format(n=-days)
    if days == 0:
        return words["due_today"]
    return words["due_in_one"] if days == 1 else words["due_in_many"].format(n=days)
