"""``manage.py run_reminders --once``: one sweep, then every due batch and its messages sent in
this process (for operators and tests); ``--dry-run`` prints what would be sent."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from arhub.messaging.services import message_send
from arhub.models import Organization
from reminders.sending import reminder_batch_send
from reminders.sweep import reminders_sweep


class Command(BaseCommand):
    help = "Run one reminder sweep and send what is due, here and now."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="one sweep, then stop")
        parser.add_argument("--dry-run", action="store_true", help="say what would be sent")
        parser.add_argument("--org", metavar="SLUG", help="only this organization")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["once"] and not options["dry_run"]:
            raise CommandError("Say --once (or --dry-run); beat runs the sweep continuously.")
        org = None
        if options["org"]:
            org = Organization.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organization with the slug “{options['org']}”.")
        result = reminders_sweep(org=org, dry_run=options["dry_run"], enqueue=False)
        if not result.ran:
            raise CommandError("Another reminder sweep is running; try again in a moment.")
        for item in result.planned:
            verb = "would send" if options["dry_run"] else "planned"
            self.stdout.write(
                f"{verb}: org {item.org_id} invoice {item.invoice_number} step "
                f"{item.step.offset_days:+d} ({item.step.tone}) by {item.channel} "
                f"on {item.local_date:%Y-%m-%d}"
            )
        if options["dry_run"]:
            self.stdout.write(f"{len(result.planned)} reminders would be sent.")
            return
        sent = 0
        orgs = {
            o.pk: o
            for o in Organization.objects.filter(pk__in={o for o, _ in result.queued_batches})
        }
        for org_id, batch_id in result.queued_batches:
            batch = reminder_batch_send(org=orgs[org_id], batch_id=batch_id)
            if batch is not None and batch.message_id is not None:
                message = message_send(org=orgs[org_id], message_id=batch.message_id)
                sent += message is not None
        self.stdout.write(f"{len(result.planned)} reminders planned, {sent} messages sent.")
