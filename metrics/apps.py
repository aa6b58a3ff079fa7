from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """Reports, DSO, CEI, aging, exports and dashboard analytics."""

    name = "metrics"
    default_auto_field = "django.db.models.BigAutoField"
