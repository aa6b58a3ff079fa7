"""Unsubscribe links: a signed (organization, channel, address) so the link itself is the
credential; no login, no cookie, and it cannot be forged for another address or organization.

The preference page behind a link manages only what the customer may decide for themselves:
reminders and receipts by email, and reminders by text to their numbers that we have consent
to text. It never lifts what the business or a provider decided (an owner's pause, a bounce, a
spam complaint), and STOP is lifted only by texting START.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse

from arhub.messaging.consent import (
    contact_model,
    normalize_address,
    sms_consent_active,
    suppression_add,
    suppression_remove,
)
from arhub.models import Channel, Organization, Suppression, SuppressionReason, SuppressionScope

SALT = "arhub.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeTarget:
    org_id: int
    channel: str
    address: str


def unsubscribe_token(*, org: Organization, address: str, channel: str = Channel.EMAIL) -> str:
    return signing.dumps({"o": org.pk, "c": channel, "a": address.strip().lower()}, salt=SALT)


def unsubscribe_target(token: str) -> UnsubscribeTarget | None:
    """The target of a token, or None when it was not made by us. Tokens do not expire: an
    unsubscribe link in an old email must keep working."""
    try:
        data = signing.loads(token, salt=SALT)
        target = UnsubscribeTarget(
            org_id=int(data["o"]), channel=str(data["c"]), address=str(data["a"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if target.channel not in Channel.values or not target.address:
        return None
    return target


def unsubscribe_url(*, org: Organization, address: str, channel: str = Channel.EMAIL) -> str:
    token = unsubscribe_token(org=org, address=address, channel=channel)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])


def unsubscribe_org(target: UnsubscribeTarget) -> Organization | None:
    return Organization.objects.filter(pk=target.org_id).first()


# --------------------------------------------------------------------------------------------
# The preference page


@dataclass(frozen=True)
class Preference:
    key: str  # the form field
    label: str
    channel: str
    address: str
    scope: str
    receiving: bool
    # Why the customer cannot change this here ("" when they can).
    locked: str = ""


def mask_phone(phone: str) -> str:
    # The page is open to whoever holds the link (a forwarded email), so it never shows a
    # whole number.
    return f"the number ending {phone[-4:]}"


_ALL_REASONS: dict[str, str] = {
    SuppressionReason.HARD_BOUNCE: "Email to this address stopped because our messages bounced.",
    SuppressionReason.COMPLAINT: "Email to this address stopped after a message was reported "
    "as spam.",
    SuppressionReason.STOP_KEYWORD: "You replied STOP. Text START to get texts again.",
    SuppressionReason.UNSUBSCRIBED: "This address is unsubscribed from all our messages.",
}


def _preference(
    *,
    org: Organization,
    suppressions: list[Suppression],
    key: str,
    label: str,
    channel: str,
    address: str,
    scope: str,
) -> Preference:
    mine = [s for s in suppressions if s.channel == channel and s.address.lower() == address]
    everything = next((s for s in mine if s.scope == SuppressionScope.ALL), None)
    this_scope = next((s for s in mine if s.scope == scope), None)
    locked = ""
    if everything is not None:
        locked = _ALL_REASONS.get(
            everything.reason, f"{org.name} has stopped all messages to this address."
        )
    elif this_scope is not None and this_scope.reason != SuppressionReason.UNSUBSCRIBED:
        locked = f"{org.name} has paused these. Contact them to change this."
    return Preference(
        key=key,
        label=label,
        channel=channel,
        address=address,
        scope=scope,
        receiving=everything is None and this_scope is None,
        locked=locked,
    )


def unsubscribe_preferences(*, org: Organization, target: UnsubscribeTarget) -> list[Preference]:
    """What the holder of this link may switch on and off, and how it stands now."""
    address = normalize_address(target.channel, target.address)
    wanted: list[tuple[str, str, str, str, str]] = []  # key, label, channel, address, scope
    if target.channel == Channel.EMAIL:
        wanted += [
            (
                "email_reminders",
                "Payment reminders by email",
                Channel.EMAIL,
                address,
                SuppressionScope.REMINDERS,
            ),
            (
                "email_receipts",
                "Receipts and thank-you notes by email",
                Channel.EMAIL,
                address,
                SuppressionScope.RECEIPTS,
            ),
        ]
        phones = sorted(
            {
                str(phone)
                for phone in contact_model()
                ._default_manager.filter(organization=org, email__iexact=address)
                .exclude(phone="")
                .values_list("phone", flat=True)
            }
        )
        # Only numbers we may text at all: a box for texts we would never send misleads.
        phones = [phone for phone in phones if sms_consent_active(org=org, phone=phone)]
        for index, phone in enumerate(phones):
            wanted.append(
                (
                    f"sms_reminders_{index}",
                    f"Payment reminders by text message to {mask_phone(phone)}",
                    Channel.SMS,
                    normalize_address(Channel.SMS, phone),
                    SuppressionScope.REMINDERS,
                )
            )
    else:
        wanted += [
            (
                "sms_reminders",
                f"Payment reminders by text message to {mask_phone(address)}",
                Channel.SMS,
                address,
                SuppressionScope.REMINDERS,
            ),
            (
                "sms_receipts",
                f"Receipts by text message to {mask_phone(address)}",
                Channel.SMS,
                address,
                SuppressionScope.RECEIPTS,
            ),
        ]
    addresses = Q(pk__in=[])
    for _, _, channel, addr, _ in wanted:
        addresses |= Q(channel=channel, address__iexact=addr)
    suppressions = list(Suppression.objects.for_org(org).filter(addresses))
    return [
        _preference(
            org=org,
            suppressions=suppressions,
            key=key,
            label=label,
            channel=channel,
            address=addr,
            scope=scope,
        )
        for key, label, channel, addr, scope in wanted
    ]


@dataclass(frozen=True)
class PreferenceChange:
    preference: Preference
    receiving: bool  # the new state


def unsubscribe_preferences_save(
    *, org: Organization, target: UnsubscribeTarget, receiving: set[str]
) -> list[PreferenceChange]:
    """Switch each unlocked preference to on (its key in ``receiving``) or off. Only the
    customer's own unsubscribes are lifted; returns what changed."""
    changes = []
    for preference in unsubscribe_preferences(org=org, target=target):
        wanted = preference.key in receiving
        if preference.locked or wanted == preference.receiving:
            continue
        if wanted:
            suppression_remove(
                org=org,
                channel=preference.channel,
                address=preference.address,
                scope=preference.scope,
                reasons=(SuppressionReason.UNSUBSCRIBED,),
            )
        else:
            suppression_add(
                org=org,
                channel=preference.channel,
                address=preference.address,
                scope=preference.scope,
                reason=SuppressionReason.UNSUBSCRIBED,
            )
        changes.append(PreferenceChange(preference=preference, receiving=wanted))
    return changes


def unsubscribe_one_click(*, org: Organization, target: UnsubscribeTarget) -> Suppression:
    """RFC 8058 one-click: stop reminders to the link's address. It only ever narrows what we
    send, which is why it may run without a cookie or CSRF token."""
    return suppression_add(
        org=org,
        channel=target.channel,
        address=target.address,
        scope=SuppressionScope.REMINDERS,
        reason=SuppressionReason.UNSUBSCRIBED,
    )
