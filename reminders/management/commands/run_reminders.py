"""``manage.py run_reminders --once``: one sweep, then every due batch and its messages sent in
this process (for operators and tests), the plans' and promises' own messages with them;
``--dry-run`` prints what would be sent."""

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
        for sent_item in result.arrangements:
            verb = "would send" if options["dry_run"] else "queued"
            self.stdout.write(
                f"{verb}: org {sent_item.org_id} invoice {sent_item.invoice_number} "
                f"{sent_item.what} message"
            )
        if options["dry_run"]:
            self.stdout.write(
                f"{len(result.planned)} reminders and {len(result.arrangements)} plan and "
                "promise messages would be sent."
            )
            return
        sent = 0
        org_ids = {o for o, _ in result.queued_batches} | {a.org_id for a in result.arrangements}
        orgs = {o.pk: o for o in Organization.objects.filter(pk__in=org_ids)}
        for org_id, batch_id in result.queued_batches:
            batch = reminder_batch_send(org=orgs[org_id], batch_id=batch_id)
            if batch is not None and batch.message_id is not None:
                message = message_send(org=orgs[org_id], message_id=batch.message_id)
                sent += message is not None
        # The plan's and promise's own messages are queued for the worker too; sending them here
        # first is safe, as a message is claimed by whoever sends it.
        for arrangement in result.arrangements:
            for message_id in arrangement.message_ids:
                sent += (
                    message_send(org=orgs[arrangement.org_id], message_id=message_id) is not None
                )
        self.stdout.write(
            f"{len(result.planned)} reminders planned, {len(result.arrangements)} plan and "
            f"promise messages, {sent} messages sent."
        )
