from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from arhub.models import User
from arhub.services.accounts import organization_create, user_signup


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create an organization and its owner; prints the organization's slug."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--password", required=True, help="ignored if the user exists")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--currency", default="USD")
        parser.add_argument("--timezone", default="UTC")

    def handle(self, *args: Any, **opts: Any) -> None:
        email = opts["owner_email"].strip().lower()
        existing = User.objects.filter(email__iexact=email).first()
        try:
            with transaction.atomic():
                if existing is not None:
                    org = organization_create(
                        owner=existing,
                        name=opts["name"],
                        currency=opts["currency"],
                        timezone=opts["timezone"],
                    )
                    self.stderr.write(f"{email} already exists; their password is unchanged.")
                else:
                    _, org = user_signup(
                        email=email,
                        password=opts["password"],
                        full_name=opts["full_name"] or email.split("@")[0],
                        org_name=opts["name"],
                        currency=opts["currency"],
                        timezone=opts["timezone"],
                    )
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stdout.write(org.slug)
