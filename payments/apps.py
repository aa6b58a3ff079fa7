from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """The pay page, gateways, manual payments, allocation, plans, promises, receipts, late fees."""

    name = "payments"
    default_auto_field = "django.db.models.BigAutoField"
