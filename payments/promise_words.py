"""The customer's words for promises to pay, in each language we write in: the pay page's choice,
form and panel, and the short confirmation message sent when a promise is made.

Sentences with blanks are ``str.format`` templates filled with values already formatted for the
customer (``payments.pay_labels.Days``); the message wording uses the messaging placeholders
(``{due_date}`` is the promised date), filled by ``arhub.messaging``.
"""

from __future__ import annotations

from arhub.models import Channel
from invoicing.models import Language

WORDS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "choice": "Promise to pay by a date",
        "choice_hint": "Tell us when, up to {last}",
        "title": "Promise to pay invoice {number}",
        "intro": (
            "Tell us the date by which you will pay {amount}. We will not send you reminders "
            "about this invoice until then."
        ),
        "date_label": "I will pay by",
        "date_help": "Any day from {first} to {last}.",
        "note_label": "Anything you would like us to know (optional)",
        "submit": "Make my promise",
        "back": "Back to the invoice",
        "problem": "There is a problem",
        "date_missing": "Enter the date by which you will pay.",
        "date_invalid": "Enter a real date, like {example}.",
        "date_past": "The date cannot be in the past. The earliest is {first}.",
        "date_too_late": "Choose a date up to {last}.",
        "note_too_long": "Keep the note under {limit} characters.",
        "unavailable": "This invoice can no longer take a promise to pay. Please pay it or "
        "contact us.",
        "open_panel": "You told us you would pay by {date}. Thank you.",
        "open_heading": "Your promise to pay",
        "made_notice": "Thank you. We have noted that you will pay by {date}, and we will not "
        "send reminders about this invoice until then.",
        "kept_heading": "Promise kept",
        "kept_panel": "You paid as you promised. Thank you.",
    },
    Language.SPANISH: {
        "choice": "Prometer el pago para una fecha",
        "choice_hint": "Díganos cuándo, hasta el {last}",
        "title": "Promesa de pago de la factura {number}",
        "intro": (
            "Indíquenos la fecha en la que pagará {amount}. No le enviaremos recordatorios "
            "sobre esta factura hasta entonces."
        ),
        "date_label": "Pagaré a más tardar el",
        "date_help": "Cualquier día del {first} al {last}.",
        "note_label": "Algo que quiera contarnos (opcional)",
        "submit": "Hacer mi promesa",
        "back": "Volver a la factura",
        "problem": "Hay un problema",
        "date_missing": "Indique la fecha en la que pagará.",
        "date_invalid": "Indique una fecha válida, por ejemplo {example}.",
        "date_past": "La fecha no puede ser anterior a hoy. La primera posible es el {first}.",
        "date_too_late": "Elija una fecha hasta el {last}.",
        "note_too_long": "La nota debe tener menos de {limit} caracteres.",
        "unavailable": "Esta factura ya no admite una promesa de pago. Puede pagarla o "
        "ponerse en contacto con nosotros.",
        "open_panel": "Nos dijo que pagaría a más tardar el {date}. Gracias.",
        "open_heading": "Su promesa de pago",
        "made_notice": "Gracias. Hemos anotado que pagará a más tardar el {date} y no le "
        "enviaremos recordatorios sobre esta factura hasta entonces.",
        "kept_heading": "Promesa cumplida",
        "kept_panel": "Pagó tal como lo prometió. Gracias.",
    },
}

# (subject, body) per channel and language. {due_date} is the promised date.
MESSAGE: dict[tuple[str, str], tuple[str, str]] = {
    (Channel.EMAIL, Language.ENGLISH): (
        "Thank you: invoice {invoice_number} by {due_date}",
        "Hi {contact_name},\n\n"
        "Thank you for letting us know you will pay invoice {invoice_number} ({amount_due}) "
        "by {due_date}. We will not send you reminders about it until then.\n\n"
        "You can pay it here whenever you are ready:\n{pay_link}\n\n"
        "Thank you,\n{org_name}",
    ),
    (Channel.SMS, Language.ENGLISH): (
        "",
        "{org_name}: Thank you {contact_name}. We have noted you will pay invoice "
        "{invoice_number} ({amount_due}) by {due_date}. Pay: {pay_link}",
    ),
    (Channel.EMAIL, Language.SPANISH): (
        "Gracias: factura {invoice_number} a más tardar el {due_date}",
        "Hola {contact_name}:\n\n"
        "Gracias por avisarnos de que pagará la factura {invoice_number} ({amount_due}) a más "
        "tardar el {due_date}. No le enviaremos recordatorios sobre ella hasta entonces.\n\n"
        "Puede pagarla aquí cuando quiera:\n{pay_link}\n\n"
        "Gracias,\n{org_name}",
    ),
    (Channel.SMS, Language.SPANISH): (
        "",
        "{org_name}: Gracias {contact_name}. Anotamos que pagará la factura {invoice_number} "
        "({amount_due}) a más tardar el {due_date}. Pague: {pay_link}",
    ),
}


def promise_words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS[Language.ENGLISH])


def promise_message(*, channel: str, language: str) -> tuple[str, str]:
    """The confirmation's (subject, body) for the channel, in English when there is none in the
    customer's language."""
    found = MESSAGE.get((channel, language))
    return found if found is not None else MESSAGE[(channel, Language.ENGLISH)]
