"""What the people in the demo's promises, plans and disputes write: the customers in their
language (English or Spanish), the owner in the business's.
"""

from __future__ import annotations

KEPT_NOTE = {
    "en": "Our own customers pay us at the end of the month; I will pay the whole invoice then.",
    "es": "Nuestros clientes nos pagan a fin de mes; entonces pagaré la factura completa.",
}
BROKEN_NOTE = "Phoned: will pay by transfer once their own client pays them."
PLAN_NOTE = {
    "en": "A slow season for us; smaller payments over a few months would really help.",
    "es": "Es una temporada floja; pagos más pequeños durante unos meses nos ayudarían mucho.",
}
MOVED = "Asked on the phone for another week for the last payment"
COUNTER = (
    "Thank you for asking. We can't stretch it to six months, but four payments every two "
    "weeks would work for us."
)

# What customers write in disputes.
SAYS = {
    "late": {
        "en": "We have not received the {line} on this invoice. Could you check?",
        "es": "No hemos recibido {line} de esta factura. ¿Pueden revisarlo?",
    },
    "new": {
        "en": "I think this invoice is a duplicate: we were billed for this order last week.",
        "es": "Creo que esta factura está duplicada: ya nos cobraron este pedido.",
    },
    "review": {
        "en": "Part of the {line} was not what we ordered.",
        "es": "Parte de {line} no era lo que pedimos.",
    },
    "review_reply": {
        "en": "Here is a photo of what we got.",
        "es": "Les envío una foto de lo que recibimos.",
    },
    "credit": {
        "en": "Part of the {line} was not up to standard; photo attached.",
        "es": "Parte de {line} no estaba en buen estado; adjunto una foto.",
    },
    "corrected": {
        "en": "The quantity of {line} is more than we agreed.",
        "es": "La cantidad de {line} es mayor de lo acordado.",
    },
    "no_change": {
        "en": "We never received this order.",
        "es": "Nunca recibimos este pedido.",
    },
    "no_change_reply": {
        "en": "Thanks, I see the signature now; it was our front desk.",
        "es": "Gracias, ya veo la firma; fue nuestra recepción.",
    },
    "twice": {
        "en": "I think we paid for this order twice; could you check?",
        "es": "Creo que pagamos este pedido dos veces; ¿pueden revisarlo?",
    },
    "withdrawn": {
        "en": "Please ignore my message: the other payment was for a different order. Sorry!",
        "es": "Por favor ignoren mi mensaje: el otro pago era de otro pedido. ¡Disculpen!",
    },
}
OWNER = {
    "review_note": "Asked the team who handled this order what went out.",
    "review": "Sorry about that. We are checking what went out; could you send a photo?",
    "review_again": "Thank you. We will come back to you with a fix by the end of the week.",
    "credit_note": "The photo shows the problem clearly; crediting a quarter of the invoice.",
    "credit": "We are sorry it was not right. We are crediting part of the invoice.",
    "corrected": "You are right: the quantity was wrong. We have corrected the invoice.",
    "no_change": "Our delivery note, signed on arrival, is attached.",
    "no_change_outcome": "The delivery note shows the order was signed for, so the invoice stays "
    "as it is. Thank you for checking with your team.",
    "chargeback_note": "Sent Stripe the signed delivery note and the order confirmation as "
    "evidence.",
}


def words(texts: dict[str, str], language: str) -> str:
    return texts.get(language, texts["en"])
