from django.apps import AppConfig


class ArhubConfig(AppConfig):
    """The core: tenancy, accounts, roles, API tokens, audit log (and messaging, money, PDFs as
    later issues add them)."""

    name = "arhub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from arhub import api_schema  # noqa: F401 - registers the OpenAPI auth extension
        from arhub.messaging import tracking  # noqa: F401 - connects anymail's tracking receiver
