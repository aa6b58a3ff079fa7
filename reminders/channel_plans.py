"""Per channel, where a planned message would go and why it would not (unsubscribed, no
consent to text, no address, a preference for the other channel), as messaging will ask at
send time: for the reminder timeline's next step and its plan's or promise's next message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arhub.messaging.selectors import message_contact_for
from arhub.messaging.services import message_blocked
from arhub.models import Channel, MessageKind, Organization
from invoicing.models import Customer

CHANNEL_LABELS: dict[str, str] = {Channel.EMAIL: "Email", Channel.SMS: "SMS"}


@dataclass(frozen=True)
class ChannelPlan:
    channel: str
    label: str
    address: str
    # Why it would not go on this channel ("No recorded consent to text this number."), "" if
    # it would; and the status the message log would show then (skipped, suppressed).
    blocked: str
    blocked_status: str


def _contact_address(contact: object, channel: str) -> str:
    if contact is None:
        return ""
    if channel == Channel.EMAIL:
        return str(getattr(contact, "email", "") or "")
    phone = getattr(contact, "phone", None)
    return str(phone.as_e164) if phone else ""


def channel_plans(
    *,
    org: Organization,
    customer: Customer,
    channels: Iterable[str],
    kind: str = MessageKind.REMINDER,
) -> tuple[ChannelPlan, ...]:
    """Per channel, who it would go to and why it would not (unsubscribed, no consent, no
    address, a preference for the other channel), as messaging will ask at send time."""
    plans = []
    for channel in channels:
        contact = message_contact_for(customer=customer, kind=kind, channel=channel)
        address = _contact_address(contact, channel)
        status, reason = message_blocked(
            org=org,
            channel=channel,
            kind=kind,
            address=address,
            preferred_channel=customer.preferred_channel,
        )
        plans.append(
            ChannelPlan(
                channel=channel,
                label=CHANNEL_LABELS.get(channel, channel),
                address=address,
                blocked=reason if status is not None else "",
                blocked_status=status or "",
            )
        )
    return tuple(plans)
