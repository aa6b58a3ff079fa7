"""The moments of the demo's promises, plans and disputes (``payments.demo_arrangements``,
``payments.demo_disputes``).

Each step of those stories is done by the real services at the story's moment: inside
``Moments.on(at)`` the services' clock (``django.utils.timezone.now``, which ``org_today`` reads
too) says ``at``, so a promise made three weeks ago may name a date two weeks ago, a plan starts
on its day and its messages give the dates the customer was given. The services take no "today"
of their own, unlike invoicing's and payments' (``invoice_issue(on=)``, ``payment_record
(received_on=)``), so this is the only way to have their checks, wording and stamps be the
story's rather than the clock's. Rows whose time comes from a model default (audit events,
notices, messages, thread entries...) are dated ``at`` when the step is done. The customer's
messages are settled as the provider would have reported them (sent, most delivered), the owner's
notices as emailed (and read, unless recent); the tasks the services leave for after the commit
(sending, emailing the owner) are dropped: nothing reaches Celery, a mail server or a phone.
Which invoices the stories are told on, and on which days, is ``payments.demo_pool``'s and
``payments.demo_days``' business.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from arhub.models import AuditEvent, Channel, Message, MessageStatus, Notice, Organization
from disputes.models import Dispute, DisputeAttachment, DisputeMessage
from invoicing.models import CreditNote, PayLink
from payments.models import (
    InstalmentChange,
    Payment,
    PaymentAllocation,
    PaymentPlan,
    PromiseToPay,
)

OWNER_HOURS = (8, 18)
CUSTOMER_HOURS = (8, 21)
# Notices older than this are read by the time of the demo's today.
READ_AFTER = timedelta(days=2)

# The time stamps the services take from the clock through a model default (not patched).
_DEFAULT_STAMPED: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (AuditEvent, ("created_at",)),
    (PayLink, ("created_at",)),
    (PromiseToPay, ("created_at",)),
    (PaymentPlan, ("created_at",)),
    (InstalmentChange, ("created_at",)),
    (Payment, ("created_at",)),
    (PaymentAllocation, ("created_at",)),
    (CreditNote, ("created_at",)),
    # The dispute services copy a new thread entry's default time onto the dispute.
    (DisputeMessage, ("created_at",)),
    (DisputeAttachment, ("created_at",)),
    (Dispute, ("review_started_at", "first_response_at", "awaiting_owner_since")),
)


def _dropped(callback: Callable[[], object]) -> bool:
    """Messaging's send task and the owner's notice email, queued for after the commit."""
    module = getattr(callback, "__module__", "")
    name = getattr(callback, "__qualname__", "")
    return (module == "arhub.messaging.services" and name.startswith("_enqueue_on_commit.")) or (
        module == "arhub.services.notices" and name.startswith("notice_create.")
    )


class Moments:
    def __init__(self, *, org: Organization, today: date, pick: random.Random) -> None:
        self.org, self.today, self.pick = org, today, pick
        self.zone = ZoneInfo(org.timezone)
        self.start_of_today = datetime.combine(today, time(0), tzinfo=self.zone)
        _, sender = parseaddr(settings.CUSTOMER_EMAIL_FROM)
        self.domain = sender.rpartition("@")[2] or "localhost"

    def at(self, day: date, hours: tuple[int, int] = OWNER_HOURS) -> datetime:
        """A moment of ``day`` in the organization's zone, between ``hours``."""
        moment = time(self.pick.randrange(*hours), self.pick.randrange(60), self.pick.randrange(60))
        return datetime.combine(day, moment, tzinfo=self.zone)

    def later(self, moment: datetime, low: int, high: int) -> datetime:
        """A few minutes (``low`` to ``high``) after ``moment``."""
        return moment + timedelta(
            minutes=self.pick.randrange(low, high), seconds=self.pick.randrange(60)
        )

    @contextmanager
    def on(self, at: datetime) -> Iterator[None]:
        """The services called inside act at ``at`` (see the module's docstring)."""
        real_now = timezone.now
        began = real_now()
        story_now = at.astimezone(UTC)
        with transaction.atomic():
            connection = transaction.get_connection()
            waiting = len(connection.run_on_commit)
            # The one clock every service reads; put back whatever happens inside.
            setattr(timezone, "now", lambda: story_now)  # noqa: B010
            try:
                yield
            finally:
                setattr(timezone, "now", real_now)  # noqa: B010
            added = connection.run_on_commit[waiting:]
            del connection.run_on_commit[waiting:]
            connection.run_on_commit.extend(entry for entry in added if not _dropped(entry[1]))
            # What took its time from a model default took the real clock's, inside this span.
            self._restamp((began, real_now()), at)

    def _restamp(self, span: tuple[datetime, datetime], at: datetime) -> None:
        org = self.org
        for model, fields in _DEFAULT_STAMPED:
            rows = model._default_manager.filter(organization=org)
            for field in fields:
                rows.filter(**{f"{field}__range": span}).update(**{field: at})
        messages = Message.objects.for_org(org).filter(created_at__range=span).order_by("pk")
        for message in messages:
            self._settle(message, at)
        notices = Notice.objects.for_org(org).filter(created_at__range=span).order_by("pk")
        for notice in notices:
            emailed = at + timedelta(seconds=self.pick.randrange(20, 90))
            read = None
            if self.start_of_today - at > READ_AFTER:
                read = min(self.later(at, 30, 600), self.start_of_today - timedelta(hours=1))
            Notice.objects.filter(pk=notice.pk).update(
                created_at=at, emailed_at=emailed, read_at=read
            )

    def _settle(self, message: Message, at: datetime) -> None:
        """``message`` as the provider would have reported it: sent a few seconds after
        ``at`` and, for most, delivered. One messaging did not queue (no consent to texts,
        an address suppressed) keeps its status and reason."""
        rows = Message.objects.filter(pk=message.pk)
        if message.status != MessageStatus.QUEUED:
            rows.update(created_at=at, updated_at=at)
            return
        sent = at + timedelta(seconds=self.pick.randrange(2, 15))
        if message.channel == Channel.SMS:
            provider_id = "SM" + "".join(self.pick.choice("0123456789abcdef") for _ in range(32))
        else:
            # As email.utils.make_msgid writes it: time, process, random, the sending domain.
            stamp, process = int(sent.timestamp() * 100), self.pick.randrange(1000, 65000)
            provider_id = f"{stamp}.{process}.{self.pick.getrandbits(64)}@{self.domain}"
        values: dict[str, Any] = {
            "created_at": at,
            "sent_at": sent,
            "updated_at": sent,
            "provider_message_id": provider_id,
            "status": MessageStatus.SENT,
        }
        if self.pick.random() < 0.9:
            delivered = sent + timedelta(seconds=self.pick.randrange(2, 45))
            values |= {
                "status": MessageStatus.DELIVERED,
                "delivered_at": delivered,
                "updated_at": delivered,
            }
        rows.update(**values)
