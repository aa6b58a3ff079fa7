from django.apps import AppConfig


class DisputesConfig(AppConfig):
    """Disputes, their threads and outcomes."""

    name = "disputes"
    default_auto_field = "django.db.models.BigAutoField"
