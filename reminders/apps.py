from django.apps import AppConfig


class RemindersConfig(AppConfig):
    """Dunning policies, the sweep that finds due reminders, send windows."""

    name = "reminders"
    default_auto_field = "django.db.models.BigAutoField"
