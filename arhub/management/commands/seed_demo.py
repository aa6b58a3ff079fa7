"""Realistic, deterministic demo data: the same --seed and --today give the same rows.

Each issue that adds a capability extends this command with its own data (customers, invoices in
every state, payments, plans, disputes, reminders) so the demo always shows the whole product.
"""

from __future__ import annotations

import importlib
import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from arhub.models import AuditAction, AuditEvent, Membership, Organization, User
from arhub.roles import Role
from arhub.services.accounts import organization_create

DEMO_PASSWORD = "demo-arhub-2026"
DEMO_OWNER = ("demo@arhub.test", "Dana Whitfield")
DEMO_TEAM = [
    ("billing@arhub.test", "Sam Okafor", Role.BILLING),
    ("accountant@arhub.test", "Priya Raman", Role.ACCOUNTANT),
    ("viewer@arhub.test", "Leo Martins", Role.VIEWER),
]
SUMMARIES = [
    (AuditAction.SIGNED_IN, "{email} signed in"),
    (AuditAction.SETTINGS_CHANGED, "Changed brand_color"),
    (AuditAction.SETTINGS_CHANGED, "Changed address_line1, city"),
    (AuditAction.TOKEN_CREATED, "Created API token “Accounting export”"),
]


def _app_seeders() -> list[Any]:
    """Each app above the core may ship a ``demo`` module with ``seed(*, org, rng, owner,
    options)``. Found through the app registry, in INSTALLED_APPS order, so the core never
    imports an app above it."""
    seeders = []
    for config in apps.get_app_configs():
        if config.name == "arhub":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        seeders.append(module.seed)
    return seeders


class Command(BaseCommand):
    help = "Create a demo organization with a team and history. Deterministic with --seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", default="demo", help="slug of the demo organization")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--events", type=int, default=200, help="audit history rows")
        parser.add_argument("--customers", type=int, default=40)
        parser.add_argument(
            "--invoices", type=int, default=None, help="default: five per customer, at most 250"
        )
        parser.add_argument("--today", type=date.fromisoformat, default=None)
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing if the organization exists"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        slug: str = opts["org"]
        if Organization.objects.filter(slug=slug).exists():
            if opts["if_missing"]:
                self.stdout.write(f"Demo organization '{slug}' already exists; reusing it.")
                return
            raise CommandError(f"An organization '{slug}' exists already; pass another --org.")
        for option in ("events", "customers"):
            if opts[option] < 0:
                raise CommandError(f"--{option} must be zero or more.")
        rng = random.Random(opts["seed"])  # noqa: S311 - demo data, not secrets
        today: date = opts["today"] or timezone.localdate()
        with transaction.atomic():
            org = self._org(slug)
            members = self._team(org, slug)
            self._history(org, members, rng, today, opts["events"])
            reports = [
                seed(org=org, rng=rng, owner=members[0].user, options=opts)
                for seed in _app_seeders()
            ]
        # Fresh bulk-loaded rows have no planner statistics until autovacuum gets round to them;
        # without these the first queries of a demo or a benchmark ignore the indexes.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE arhub_auditevent")
        for report in reports:
            self.stdout.write(f"  {report}")
        self.stdout.write(
            f"Demo organization '{slug}' ready. Log in as {members[0].user.email} "
            f"with password {DEMO_PASSWORD}."
        )

    def _user(self, email: str, name: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
        return user

    def _org(self, slug: str) -> Organization:
        owner = self._user(*self._address(DEMO_OWNER, slug))
        org = organization_create(
            owner=owner,
            name="Larkspur Bakery & Catering" if slug == "demo" else f"Demo {slug}",
            slug=slug,
            currency="USD",
            timezone="America/Chicago",
        )
        Organization.objects.filter(pk=org.pk).update(
            legal_name="Larkspur Bakery & Catering LLC",
            address_line1="418 Mill Street",
            city="Madison",
            region="WI",
            postal_code="53703",
            country="US",
            brand_color="#b4461b",
        )
        org.refresh_from_db()
        return org

    def _address(self, pair: tuple[str, str], slug: str) -> tuple[str, str]:
        # Extra demo orgs (benchmarks, tests) get their own people.
        email, name = pair
        if slug != "demo":
            local, domain = email.split("@")
            email = f"{local}+{slug}@{domain}"
        return email, name

    def _team(self, org: Organization, slug: str) -> list[Membership]:
        members = list(Membership.objects.for_org(org))
        for email, name, role in DEMO_TEAM:
            user = self._user(*self._address((email, name), slug))
            members.append(Membership.objects.create(organization=org, user=user, role=role))
        return members

    def _history(
        self,
        org: Organization,
        members: list[Membership],
        rng: random.Random,
        today: date,
        count: int,
    ) -> None:
        zone = ZoneInfo(org.timezone)
        start = datetime.combine(today - timedelta(days=180), time(8), tzinfo=zone)
        events = []
        for _ in range(count):
            member = rng.choice(members)
            action, template = rng.choice(SUMMARIES)
            at = start + timedelta(minutes=rng.randrange(180 * 24 * 60))
            events.append(
                AuditEvent(
                    organization=org,
                    actor=member.user,
                    actor_email=member.user.email,
                    action=action,
                    summary=template.format(email=member.user.email),
                    ip_address=f"192.0.2.{rng.randrange(1, 255)}",
                    created_at=at,
                )
            )
        AuditEvent.objects.bulk_create(events, batch_size=2000)
