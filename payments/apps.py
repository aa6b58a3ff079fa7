from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The pay page, gateways, manual payments, allocation, plans, promises, receipts, late fees."""

    name = "payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from arhub.messaging.channels import attachment_provider_register
        from arhub.models import MessageKind
        from invoicing.demo_payer import demo_payer_register
        from payments import page_sections
        from payments.demo_payer import invoice_demo_pay
        from payments.receipt_pdf import receipt_pdf_attachments

        page_sections.register()
        attachment_provider_register(kind=MessageKind.RECEIPT, provider=receipt_pdf_attachments)
        # seed_demo: invoicing's demo has its invoices paid through payment_record.
        demo_payer_register(payer=invoice_demo_pay)
