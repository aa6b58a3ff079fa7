from django.apps import AppConfig


class DisputesConfig(AppConfig):
    """Disputes, their threads and outcomes."""

    name = "disputes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from disputes import page_sections

        page_sections.register()
