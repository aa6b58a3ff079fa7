from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    """Customers, invoices, lines, terms, credit notes, recurring invoices, invoice PDFs."""

    name = "invoicing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from arhub.messaging.channels import attachment_provider_register
        from arhub.models import MessageKind
        from invoicing.sending import invoice_pdf_attachments

        attachment_provider_register(kind=MessageKind.INVOICE, provider=invoice_pdf_attachments)
