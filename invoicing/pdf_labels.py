"""The words printed on invoice and credit-note PDFs, in each customer language we support.

The terms sentence already speaks the customer's language (``invoicing.terms``); the headings
around it follow, so a Spanish-speaking customer does not get a Spanish sentence inside an
English document. No quotes in any of these: some are placed inside CSS strings (page numbers).
"""

from __future__ import annotations

from invoicing.models import Language, LineKind, PaymentMethod

LABELS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "draft": "Draft",
        "void": "Void",
        "paid": "Paid",
        "draft_number": "Not yet issued",
        "number": "Number",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "date": "Date",
        "po_number": "PO number",
        "bill_to": "Bill to",
        "credit_to": "Credit to",
        "attention": "Attn.",
        "tax_id": "Tax ID",
        "vat_number": "VAT no.",
        "buyer_tax_id": "Tax ID",
        "description": "Description",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_price": "Unit price",
        "line_discount": "Disc.",
        "taxes": "Tax",
        "amount": "Amount",
        "subtotal": "Subtotal",
        "discount": "Discount",
        "total": "Total",
        "amount_paid": "Paid",
        "amount_credited": "Credited",
        "late_fee": "Late fee",
        "discount_allowed": "Early-payment discount",
        "balance_due": "Balance due",
        "amount_due": "Amount due",
        "notes": "Notes",
        "terms": "Terms",
        "how_to_pay": "How to pay",
        "accepted_methods": "We accept",
        "pay_online": "Pay online",
        "scan_to_pay": "Scan to pay",
        "page": "Page",
        "of": "of",
        "credits_invoice": "For invoice",
        "invoice_date": "Invoice date",
        "reason": "Reason",
        "credit_before_tax": "Credit before tax",
        "total_credit": "Total credit",
        "applied_to_invoice": "Taken off invoice",
        "kept_as_credit": "Kept as credit on your account",
        "void_note": "This invoice has been cancelled. Nothing is owed on it.",
        "paid_note": "Paid in full. Thank you.",
        "draft_note": "Draft for review. Not a request for payment.",
        "questions": "Questions about this invoice? Write to",
        "download_pdf": "Download the invoice (PDF)",
    },
    Language.SPANISH: {
        "invoice": "Factura",
        "credit_note": "Nota de crédito",
        "draft": "Borrador",
        "void": "Anulada",
        "paid": "Pagada",
        "draft_number": "Sin emitir",
        "number": "Número",
        "issue_date": "Fecha de emisión",
        "due_date": "Vencimiento",
        "date": "Fecha",
        "po_number": "Orden de compra",
        "bill_to": "Facturar a",
        "credit_to": "A favor de",
        "attention": "At.",
        "tax_id": "NIF",
        "vat_number": "NIF-IVA",
        "buyer_tax_id": "Id. fiscal",
        "description": "Descripción",
        "quantity": "Cant.",
        "unit": "Unidad",
        "unit_price": "Precio unitario",
        "line_discount": "Dto.",
        "taxes": "Impuesto",
        "amount": "Importe",
        "subtotal": "Subtotal",
        "discount": "Descuento",
        "total": "Total",
        "amount_paid": "Pagado",
        "amount_credited": "Abonado",
        "late_fee": "Recargo por mora",
        "discount_allowed": "Descuento por pronto pago",
        "balance_due": "Saldo pendiente",
        "amount_due": "Importe a pagar",
        "notes": "Notas",
        "terms": "Condiciones",
        "how_to_pay": "Cómo pagar",
        "accepted_methods": "Aceptamos",
        "pay_online": "Pague en línea",
        "scan_to_pay": "Escanee para pagar",
        "page": "Página",
        "of": "de",
        "credits_invoice": "Para la factura",
        "invoice_date": "Fecha de la factura",
        "reason": "Motivo",
        "credit_before_tax": "Abono sin impuestos",
        "total_credit": "Total abonado",
        "applied_to_invoice": "Descontado de la factura",
        "kept_as_credit": "Saldo a su favor",
        "void_note": "Esta factura ha sido anulada. No hay nada que pagar.",
        "paid_note": "Pagada en su totalidad. Gracias.",
        "draft_note": "Borrador para revisión. No es una solicitud de pago.",
        "questions": "¿Preguntas sobre esta factura? Escriba a",
        "download_pdf": "Descargar la factura (PDF)",
    },
}

METHODS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {str(value): str(label) for value, label in PaymentMethod.choices},
    Language.SPANISH: {
        PaymentMethod.CARD: "Tarjeta",
        PaymentMethod.BANK_TRANSFER: "Transferencia bancaria",
        PaymentMethod.CHEQUE: "Cheque",
        PaymentMethod.CASH: "Efectivo",
    },
}

LINE_KINDS: dict[str, dict[str, str]] = {
    Language.ENGLISH: {LineKind.SHIPPING: "Shipping", LineKind.FEE: "Fee"},
    Language.SPANISH: {LineKind.SHIPPING: "Envío", LineKind.FEE: "Cargo"},
}


def labels_for(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS[Language.ENGLISH])


def method_label(method: str, language: str) -> str:
    names = METHODS.get(language, METHODS[Language.ENGLISH])
    return names.get(method, method)


def line_kind_label(kind: str, language: str) -> str:
    return LINE_KINDS.get(language, LINE_KINDS[Language.ENGLISH]).get(kind, "")
