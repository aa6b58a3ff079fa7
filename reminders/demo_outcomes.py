"""What became of each demo reminder once the engine handed it to messaging, as the mail and SMS
providers would have reported it, settled right away instead of sent (``demo_run``).

A message messaging wrote as queued gets the send it would have had: a provider id of the
provider's own form (our Message-ID for email, a Twilio SID for a text), the moment it went and,
for most, the delivery report a few seconds later; some stay "sent" (no report came). Two
addresses bounce hard, each on its first email after a day chosen in the history: the bounce is
recorded through ``suppression_add`` as the tracking webhook does, so every later message to
that address is suppressed by messaging itself. A message messaging did not queue (the customer
unsubscribed, replied STOP, has no number or no consent to texts) keeps its status and reason.
Every timestamp is the story's moment, not the clock's.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings

from arhub.messaging.consent import suppression_add
from arhub.models import (
    Channel,
    Message,
    MessageStatus,
    Organization,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)

DELIVERED_SHARE: dict[str, float] = {Channel.EMAIL: 0.88, Channel.SMS: 0.93}
BOUNCE = "550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"


class Outcomes:
    def __init__(self, *, org: Organization, pick: random.Random, bounce_from: list[date]) -> None:
        self.org, self.pick = org, pick
        # Each day from which the next email (to a customer not bounced yet) bounces.
        self.bounce_from = sorted(bounce_from)
        self.bounced: list[int] = []  # message ids
        self.spared: set[int] = set()  # customers whose mail never bounces (other stories)
        _, address = parseaddr(settings.CUSTOMER_EMAIL_FROM)
        self.domain = address.rpartition("@")[2] or "localhost"

    def settle(self, message: Message, at: datetime) -> None:
        """``message`` as messaging wrote it a moment ago, sent by the worker at ``at``."""
        rows = Message.objects.for_org(self.org).filter(pk=message.pk)
        if message.status != MessageStatus.QUEUED:
            rows.update(created_at=at, updated_at=at)
            return
        sent = at + timedelta(seconds=self.pick.randrange(1, 4))
        provider_id = self._provider_id(message.channel, sent)
        if self._bounces(message, at):
            bounced = sent + timedelta(seconds=self.pick.randrange(20, 90))
            rows.update(
                created_at=at,
                sent_at=sent,
                updated_at=bounced,
                provider_message_id=provider_id,
                status=MessageStatus.BOUNCED,
                status_reason=BOUNCE.format(address=message.recipient)[:300],
            )
            suppression = suppression_add(
                org=self.org,
                channel=Channel.EMAIL,
                address=message.recipient,
                scope=SuppressionScope.ALL,
                reason=SuppressionReason.HARD_BOUNCE,
                message_id=message.pk,
            )
            Suppression.objects.filter(pk=suppression.pk).update(created_at=bounced)
            self.bounced.append(message.pk)
            return
        if self.pick.random() < DELIVERED_SHARE.get(message.channel, 0.9):
            delivered = sent + timedelta(seconds=self.pick.randrange(2, 45))
            rows.update(
                created_at=at,
                sent_at=sent,
                delivered_at=delivered,
                updated_at=delivered,
                provider_message_id=provider_id,
                status=MessageStatus.DELIVERED,
            )
        else:
            rows.update(
                created_at=at,
                sent_at=sent,
                updated_at=sent,
                provider_message_id=provider_id,
                status=MessageStatus.SENT,
            )

    def _bounces(self, message: Message, at: datetime) -> bool:
        if message.channel != Channel.EMAIL or len(self.bounced) >= len(self.bounce_from):
            return False
        if at.date() < self.bounce_from[len(self.bounced)]:
            return False
        return message.customer_id not in self.spared

    def _provider_id(self, channel: str, at: datetime) -> str:
        if channel == Channel.SMS:
            return "SM" + "".join(self.pick.choice("0123456789abcdef") for _ in range(32))
        # As email.utils.make_msgid writes it: time, process, random, the sending domain.
        stamp = int(at.timestamp() * 100)
        return (
            f"{stamp}.{self.pick.randrange(1000, 65000)}.{self.pick.getrandbits(64)}@{self.domain}"
        )
