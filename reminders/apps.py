from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Dunning policies, the sweep that finds due reminders, send windows."""

    name = "reminders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from arhub.messaging.channels import attachment_provider_register
        from arhub.models import MessageKind
        from reminders import page_sections
        from reminders.sending import reminder_pdf_attachments

        attachment_provider_register(kind=MessageKind.REMINDER, provider=reminder_pdf_attachments)
        # The invoice's reminder timeline and the customer's policy and pause, on their pages.
        page_sections.register()
