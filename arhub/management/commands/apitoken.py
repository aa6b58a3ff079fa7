from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arhub.models import Membership
from arhub.services.tokens import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a member of an organization; prints the secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument("--name", default="Command line")

    def handle(self, *args: Any, **opts: Any) -> None:
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization__slug=opts["org"], user__email__iexact=opts["email"])
            .first()
        )
        if membership is None:
            raise CommandError(
                f"{opts['email']} is not a member of an organization '{opts['org']}'."
            )
        _, secret = api_token_create(
            org=membership.organization, membership=membership, name=opts["name"]
        )
        self.stdout.write(secret)
