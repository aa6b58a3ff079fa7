"""The words of the customer's side of a dispute on the pay page, in each customer language we
support (as ``payments.pay_labels`` does for the rest of the page).

Sentences with blanks are ``str.format`` templates; the view fills them and Django escapes the
result. The reasons and outcomes are said the way a customer would say them, not the way the
dashboard lists them.
"""

from __future__ import annotations

from disputes.models import DisputeOutcome, DisputeReason
from invoicing.models import Language

WORDS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "choice_label": "Raise a question or dispute",
        "choice_hint": (
            "Something wrong with this invoice? Tell us what is wrong; we pause reminders "
            "while we look into it."
        ),
        "title": "Raise a question or dispute",
        "intro": "Invoice {number} from {org}, {amount}.",
        "intro_pause": (
            "Tell us what is wrong and {org} will look into it. We pause reminders for this "
            "invoice meanwhile."
        ),
        "reason_legend": "What is wrong?",
        "lines_legend": "Which lines is it about? (optional)",
        "lines_hint": "Tick the lines your question is about, if it is about particular ones.",
        "message_label": "Your message",
        "message_hint": (
            "Tell us what happened and what you expect, for example the amount you think is "
            "right or the date you paid."
        ),
        "files_label": "Attachments (optional)",
        "files_hint": "PDF, PNG or JPEG, up to 10 MB each, 5 in all.",
        "files_left": "PDF, PNG or JPEG, up to 10 MB each; {left} more can be added.",
        "files_again": ("Files are not kept when there is a problem, so please choose them again."),
        "send": "Send to {org}",
        "back": "Back to the invoice",
        "problem": "There is a problem",
        "choose_reason": "Choose what is wrong.",
        "enter_message": "Write a message telling us what is wrong.",
        "message_too_long": "Keep the message under {max} characters.",
        "line_not_here": "One of the lines you ticked is not on this invoice. Please tick again.",
        "file_too_big": "{name} is larger than 10 MB. Please send a smaller copy.",
        "file_empty": "{name} is empty.",
        "file_type": "{name} is not a PDF, PNG or JPEG file.",
        "too_many_files": "You can send at most {max} files in all; {left} more can be added.",
        "already_open": (
            "There is already a question open on this invoice. You can add to it on the "
            "invoice's page."
        ),
        "notice_opened": (
            "Thank you — we have your message and have paused reminders for this invoice "
            "while we look into it."
        ),
        "notice_replied": "Thank you — we have your message.",
        "notice_withdrawn": "You have withdrawn your dispute. Thank you for letting us know.",
        "panel_heading": "Your question about this invoice",
        "status": "Status",
        "status_open": "Open — we have it and will reply.",
        "status_under_review": "Under review — we are looking into it.",
        "status_resolved": "Resolved",
        "status_withdrawn": "Withdrawn — you withdrew it on {date}.",
        "paused": "Reminders for this invoice are paused meanwhile.",
        "raised_on": "Raised on {date}",
        "reason": "Reason",
        "lines": "Lines",
        "outcome": "Outcome",
        "thread": "Messages",
        "you": "You",
        "bank": "Your bank",
        "attached": "Attached:",
        "attached_note": "Attachments are kept with {org}; they are not shown here.",
        "reply_heading": "Add a message",
        "reply_label": "Your message",
        "reply_send": "Send",
        "withdraw": "Withdraw my dispute",
        "withdraw_title": "Withdraw your dispute?",
        "withdraw_body": (
            "If the matter is settled, you can withdraw your dispute. We will let {org} know, "
            "and reminders for what is still owed may start again."
        ),
        "withdraw_message_label": "Anything you want to tell {org}? (optional)",
        "withdraw_confirm": "Yes, withdraw my dispute",
        "withdraw_keep": "No, keep it open",
        "too_big_title": "These files are too large to send",
        "too_big_body": (
            "Together they are more than we can take at once: at most 5 files, up to 10 MB "
            "each. Please go back and choose smaller files, or fewer."
        ),
        "unreadable_title": "We could not read what was sent",
        "unreadable_body": "Please go back and try again.",
        "try_again": "Back to the form",
    },
    Language.SPANISH: {
        "choice_label": "Plantear una duda o reclamación",
        "choice_hint": (
            "¿Algo no está bien en esta factura? Díganos qué ocurre; pausamos los "
            "recordatorios mientras lo revisamos."
        ),
        "title": "Plantear una duda o reclamación",
        "intro": "Factura {number} de {org}, {amount}.",
        "intro_pause": (
            "Díganos qué no está bien y {org} lo revisará. Mientras tanto pausamos los "
            "recordatorios de esta factura."
        ),
        "reason_legend": "¿Qué no está bien?",
        "lines_legend": "¿A qué líneas se refiere? (opcional)",
        "lines_hint": "Marque las líneas a las que se refiere, si se trata de algunas en concreto.",
        "message_label": "Su mensaje",
        "message_hint": (
            "Cuéntenos qué ocurrió y qué espera; por ejemplo, el importe que cree correcto o "
            "la fecha en que pagó."
        ),
        "files_label": "Archivos adjuntos (opcional)",
        "files_hint": "PDF, PNG o JPEG, hasta 10 MB cada uno, 5 en total.",
        "files_left": "PDF, PNG o JPEG, hasta 10 MB cada uno; puede añadir {left} más.",
        "files_again": (
            "Los archivos no se guardan cuando hay un problema; por favor, vuelva a elegirlos."
        ),
        "send": "Enviar a {org}",
        "back": "Volver a la factura",
        "problem": "Hay un problema",
        "choose_reason": "Elija qué no está bien.",
        "enter_message": "Escriba un mensaje contándonos qué no está bien.",
        "message_too_long": "El mensaje debe tener menos de {max} caracteres.",
        "line_not_here": (
            "Una de las líneas marcadas no está en esta factura. Por favor, márquelas de nuevo."
        ),
        "file_too_big": "{name} ocupa más de 10 MB. Por favor, envíe una copia más pequeña.",
        "file_empty": "{name} está vacío.",
        "file_type": "{name} no es un archivo PDF, PNG o JPEG.",
        "too_many_files": (
            "Puede enviar como máximo {max} archivos en total; puede añadir {left} más."
        ),
        "already_open": (
            "Ya hay una consulta abierta sobre esta factura. Puede añadir un mensaje en la "
            "página de la factura."
        ),
        "notice_opened": (
            "Gracias — hemos recibido su mensaje y hemos pausado los recordatorios de esta "
            "factura mientras lo revisamos."
        ),
        "notice_replied": "Gracias — hemos recibido su mensaje.",
        "notice_withdrawn": "Ha retirado su reclamación. Gracias por avisarnos.",
        "panel_heading": "Su consulta sobre esta factura",
        "status": "Estado",
        "status_open": "Abierta — la hemos recibido y le responderemos.",
        "status_under_review": "En revisión — la estamos estudiando.",
        "status_resolved": "Resuelta",
        "status_withdrawn": "Retirada — la retiró el {date}.",
        "paused": "Mientras tanto, los recordatorios de esta factura están en pausa.",
        "raised_on": "Planteada el {date}",
        "reason": "Motivo",
        "lines": "Líneas",
        "outcome": "Resultado",
        "thread": "Mensajes",
        "you": "Usted",
        "bank": "Su banco",
        "attached": "Adjuntos:",
        "attached_note": "Los adjuntos los conserva {org}; no se muestran aquí.",
        "reply_heading": "Añadir un mensaje",
        "reply_label": "Su mensaje",
        "reply_send": "Enviar",
        "withdraw": "Retirar mi reclamación",
        "withdraw_title": "¿Retirar su reclamación?",
        "withdraw_body": (
            "Si el asunto está resuelto, puede retirar su reclamación. Se lo comunicaremos a "
            "{org} y los recordatorios de lo que quede pendiente podrán reanudarse."
        ),
        "withdraw_message_label": "¿Quiere decirle algo a {org}? (opcional)",
        "withdraw_confirm": "Sí, retirar mi reclamación",
        "withdraw_keep": "No, mantenerla abierta",
        "too_big_title": "Los archivos son demasiado grandes",
        "too_big_body": (
            "En conjunto superan lo que podemos recibir de una vez: como máximo 5 archivos de "
            "hasta 10 MB cada uno. Vuelva atrás y elija archivos más pequeños o menos archivos."
        ),
        "unreadable_title": "No hemos podido leer lo enviado",
        "unreadable_body": "Vuelva atrás e inténtelo de nuevo.",
        "try_again": "Volver al formulario",
    },
}

REASONS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        DisputeReason.WRONG_AMOUNT: "The amount is wrong",
        DisputeReason.NOT_RECEIVED: "I did not receive the goods or services",
        DisputeReason.QUALITY: "There is a problem with the quality",
        DisputeReason.DUPLICATE: "This invoice is a duplicate",
        DisputeReason.ALREADY_PAID: "I have already paid it",
        DisputeReason.OTHER: "Something else",
    },
    Language.SPANISH: {
        DisputeReason.WRONG_AMOUNT: "El importe no es correcto",
        DisputeReason.NOT_RECEIVED: "No he recibido los productos o servicios",
        DisputeReason.QUALITY: "Hay un problema con la calidad",
        DisputeReason.DUPLICATE: "Esta factura está duplicada",
        DisputeReason.ALREADY_PAID: "Ya la he pagado",
        DisputeReason.OTHER: "Otro motivo",
    },
}

OUTCOMES: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        DisputeOutcome.CREDIT: "We have credited this invoice.",
        DisputeOutcome.CORRECTED: "We have corrected the invoice.",
        DisputeOutcome.NO_CHANGE: "We have looked into it and the invoice stays as it is.",
    },
    Language.SPANISH: {
        DisputeOutcome.CREDIT: "Hemos abonado un importe en esta factura.",
        DisputeOutcome.CORRECTED: "Hemos corregido la factura.",
        DisputeOutcome.NO_CHANGE: "Lo hemos revisado y la factura se mantiene como está.",
    },
}


def _language(language: str) -> str:
    return language if language in WORDS else Language.ENGLISH


def dispute_words(language: str) -> dict[str, str]:
    return WORDS[_language(language)]


def reason_labels(language: str) -> dict[str, str]:
    return REASONS[_language(language)]


def outcome_words(language: str) -> dict[str, str]:
    return OUTCOMES[_language(language)]
