"""The customer's words for payment plans, in each language we write in: the pay page's choice,
the request form with its schedule, the panel that shows a plan asked for, offered or running,
and the one-time notices after a request or an acceptance.

Sentences with blanks are ``str.format`` templates filled with amounts and dates already
formatted for the customer (``payments.pay_labels.Days``); Django escapes the result.
"""

from __future__ import annotations

from invoicing.models import Language
from payments.models import PlanFrequency

WORDS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "choice": "Ask for a payment plan",
        "choice_hint": "Spread what you owe over up to {n} payments",
        "title": "A payment plan for invoice {number}",
        "intro": (
            "You owe {amount}. Choose how many payments and how often, and you will see every "
            "date and amount before you send anything."
        ),
        "count_label": "Number of payments",
        "frequency_label": "How often",
        "start_label": "First payment on",
        "start_help": "Any day from {first} to {last}.",
        "min_help": "Each payment is at least {minimum}.",
        "show": "Show the schedule",
        "schedule_heading": "Your schedule",
        "schedule_caption": "{count} payments of invoice {number}",
        "col_payment": "Payment",
        "col_date": "Date",
        "col_amount": "Amount",
        "col_status": "Status",
        "payment_n": "Payment {n}",
        "total": "Total",
        "adds_up": "The payments add up to {total}, what you owe on this invoice.",
        "note_label": "Anything you would like us to know (optional)",
        "send": "Ask for this plan",
        "send_hint": (
            "Plans within {org}'s usual terms start at once; others wait for {org} to agree. "
            "Either way we will let you know."
        ),
        "change": "Change the choices above and show the schedule again to see other dates.",
        "back": "Back to the invoice",
        "problem": "There is a problem",
        "count_missing": "Choose the number of payments.",
        "count_invalid": "Choose between {low} and {high} payments.",
        "frequency_missing": "Choose how often you will pay.",
        "frequency_invalid": "Choose one of the frequencies offered.",
        "start_missing": "Enter the date of your first payment.",
        "start_invalid": "Enter a real date, like {example}.",
        "start_past": "The first payment cannot be in the past. The earliest is {first}.",
        "start_late": "Choose a first payment date up to {last}.",
        "note_long": "Keep the note under {limit} characters.",
        "unavailable": (
            "This invoice cannot be put on a payment plan from here. Please pay it or contact "
            "{org}."
        ),
        "too_small": "What you owe is too small to spread over several payments.",
        "notice_started": "Thank you. Your payment plan has started; the schedule is below.",
        "notice_waiting": (
            "Thank you. Your request was sent to {org}. We will let you know their answer."
        ),
        "notice_accepted": "Thank you. You accepted the plan and it has started.",
        "active_heading": "Your payment plan",
        "active_summary": "{paid} paid of {total}.",
        "active_next": "Next payment: {amount} by {date}.",
        "active_due_now": (
            "The amount at the top is what your plan asks for now. You can always pay more."
        ),
        "covers": "Covers invoices {numbers}.",
        "waiting_heading": "Your payment plan request",
        "waiting_text": (
            "You asked on {date} to pay {total} in {count} payments. {org} will let you know "
            "their answer."
        ),
        "offer_heading": "{org} offers you a payment plan",
        "offer_text": (
            "Pay {total} in {count} payments, as below. Nothing changes until you accept."
        ),
        "offer_message": "Their message",
        "accept": "Accept this plan",
        "accept_failed": "This offer can no longer be accepted. Please contact {org}.",
        "declined_heading": "Your payment plan request",
        "declined_text": "{org} could not agree to the plan you asked for.",
        "status_paid": "Paid",
        "status_part": "{paid} paid",
        "status_due": "Due now",
        "status_overdue": "Overdue",
        "status_upcoming": "Upcoming",
    },
    Language.SPANISH: {
        "choice": "Pedir un plan de pagos",
        "choice_hint": "Reparta lo que debe en hasta {n} pagos",
        "title": "Un plan de pagos para la factura {number}",
        "intro": (
            "Debe {amount}. Elija cuántos pagos y cada cuánto tiempo, y verá cada fecha e "
            "importe antes de enviar nada."
        ),
        "count_label": "Número de pagos",
        "frequency_label": "Cada cuánto",
        "start_label": "Primer pago el",
        "start_help": "Cualquier día del {first} al {last}.",
        "min_help": "Cada pago es de al menos {minimum}.",
        "show": "Ver el calendario",
        "schedule_heading": "Su calendario",
        "schedule_caption": "{count} pagos de la factura {number}",
        "col_payment": "Pago",
        "col_date": "Fecha",
        "col_amount": "Importe",
        "col_status": "Estado",
        "payment_n": "Pago {n}",
        "total": "Total",
        "adds_up": "Los pagos suman {total}, lo que debe de esta factura.",
        "note_label": "Algo que quiera contarnos (opcional)",
        "send": "Pedir este plan",
        "send_hint": (
            "Los planes dentro de las condiciones habituales de {org} empiezan enseguida; los "
            "demás esperan a que {org} los acepte. En ambos casos le avisaremos."
        ),
        "change": "Cambie las opciones de arriba y vuelva a ver el calendario para otras fechas.",
        "back": "Volver a la factura",
        "problem": "Hay un problema",
        "count_missing": "Elija el número de pagos.",
        "count_invalid": "Elija entre {low} y {high} pagos.",
        "frequency_missing": "Elija cada cuánto pagará.",
        "frequency_invalid": "Elija una de las frecuencias ofrecidas.",
        "start_missing": "Indique la fecha de su primer pago.",
        "start_invalid": "Indique una fecha real, como {example}.",
        "start_past": "El primer pago no puede ser en el pasado. Lo más pronto es el {first}.",
        "start_late": "Elija una fecha de primer pago hasta el {last}.",
        "note_long": "Escriba menos de {limit} caracteres.",
        "unavailable": (
            "Esta factura no puede pasar a un plan de pagos desde aquí. Páguela o póngase en "
            "contacto con {org}."
        ),
        "too_small": "Lo que debe es demasiado poco para repartirlo en varios pagos.",
        "notice_started": "Gracias. Su plan de pagos ha empezado; el calendario está abajo.",
        "notice_waiting": (
            "Gracias. Hemos enviado su petición a {org}. Le avisaremos de su respuesta."
        ),
        "notice_accepted": "Gracias. Ha aceptado el plan y ya ha empezado.",
        "active_heading": "Su plan de pagos",
        "active_summary": "Pagado {paid} de {total}.",
        "active_next": "Próximo pago: {amount} antes del {date}.",
        "active_due_now": (
            "El importe de arriba es lo que su plan pide ahora. Siempre puede pagar más."
        ),
        "covers": "Incluye las facturas {numbers}.",
        "waiting_heading": "Su petición de plan de pagos",
        "waiting_text": (
            "El {date} pidió pagar {total} en {count} pagos. {org} le avisará de su respuesta."
        ),
        "offer_heading": "{org} le ofrece un plan de pagos",
        "offer_text": (
            "Pague {total} en {count} pagos, como se indica abajo. Nada cambia hasta que lo acepte."
        ),
        "offer_message": "Su mensaje",
        "accept": "Aceptar este plan",
        "accept_failed": "Esta oferta ya no se puede aceptar. Póngase en contacto con {org}.",
        "declined_heading": "Su petición de plan de pagos",
        "declined_text": "{org} no ha podido aceptar el plan que pidió.",
        "status_paid": "Pagado",
        "status_part": "{paid} pagado",
        "status_due": "A pagar ahora",
        "status_overdue": "Vencido",
        "status_upcoming": "Próximo",
    },
}

FREQUENCIES: dict[str, dict[str, str]] = {
    Language.ENGLISH: dict(PlanFrequency.choices),
    Language.SPANISH: {
        PlanFrequency.WEEKLY: "Cada semana",
        PlanFrequency.FORTNIGHTLY: "Cada dos semanas",
        PlanFrequency.MONTHLY: "Cada mes",
    },
}

# The one-time notices the plan form leaves for the pay page, by name.
NOTICES = {
    "plan_started": "notice_started",
    "plan_waiting": "notice_waiting",
    "plan_accepted": "notice_accepted",
}


def plan_words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS[Language.ENGLISH])


def frequency_word(frequency: str, language: str) -> str:
    return FREQUENCIES.get(language, FREQUENCIES[Language.ENGLISH]).get(frequency, frequency)
