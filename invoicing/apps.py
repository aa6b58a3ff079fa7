from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    """Customers, invoices, lines, terms, credit notes, recurring invoices, invoice PDFs."""

    name = "invoicing"
    default_auto_field = "django.db.models.BigAutoField"
