"""The customer's side of a dispute, on the pay page (no login).

The page offers "Raise a question or dispute" while the invoice has no active dispute, and
shows the customer's disputes of the invoice (active, or closed lately) in a panel: the status
in plain words, the thread without internal notes (attachment names only: files are served to
the organization's members, never back through the pay link), a reply form and "Withdraw my
dispute" while it is active. ``payments.pay_dispute_views`` holds the forms' pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_skeleton, format_time
from django.urls import reverse
from django.utils import timezone

from disputes.attachments import MAX_PER_DISPUTE
from disputes.models import Author, Dispute, DisputeKind, DisputeStatus
from disputes.selectors import customer_thread, disputes_for_invoice
from invoicing.models import InvoiceStatus
from invoicing.terms import sentence_locale
from payments.pay_access import InvoiceAccess
from payments.pay_arrangements import Choice, Contribution, Panel
from payments.pay_dispute_forms import DisputeReplyForm
from payments.pay_dispute_labels import dispute_words, outcome_words, reason_labels

# A resolved or withdrawn dispute stays on the page this long, so the customer sees the answer.
RECENT = timedelta(days=60)
# The one-time notices the dispute pages leave for the pay page (payments.pay_sessions).
NOTICES = {
    "dispute_opened": "notice_opened",
    "dispute_replied": "notice_replied",
    "dispute_withdrawn": "notice_withdrawn",
}
# The statuses in which something can be wrong with an invoice the customer can still open.
DISPUTABLE = (InvoiceStatus.OPEN, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


@dataclass(frozen=True)
class Entry:
    """One message of the thread as the customer reads it."""

    who: str
    mine: bool
    when: str
    iso: str
    body: str
    attachments: list[str]


@dataclass(frozen=True)
class DisputeState:
    pk: int
    active: bool
    status: str
    opened: str
    reason: str
    lines: list[str]
    outcome: str
    outcome_message: str
    entries: list[Entry]
    files_left: int
    files_hint: str
    reply_url: str
    withdraw_url: str

    @property
    def message_id(self) -> str:
        return f"dispute-message-{self.pk}"

    @property
    def files_id(self) -> str:
        return f"dispute-files-{self.pk}"

    @property
    def any_attachments(self) -> bool:
        return any(entry.attachments for entry in self.entries)


def _zone(access: InvoiceAccess) -> ZoneInfo:
    try:
        return ZoneInfo(access.invoice.customer.timezone or access.org.timezone)
    except (ValueError, KeyError):
        return ZoneInfo(access.org.timezone)


def _locale(access: InvoiceAccess, language: str) -> str:
    return sentence_locale(org_locale=access.org.locale, language=language)


def _when(moment: datetime, *, zone: ZoneInfo, locale: str) -> str:
    """ "Mar 5, 2027, 2:05 PM", "5 mar 2027, 14:05": the date and the time the locale's way."""
    local = moment.astimezone(zone)
    pattern = str(Locale.parse(locale).datetime_formats["medium"])
    day = format_skeleton("yMMMd", local, locale=locale)
    return pattern.replace("{1}", day).replace("{0}", format_time(local, "short", locale=locale))


def _day(moment: datetime, *, zone: ZoneInfo, locale: str) -> str:
    return format_skeleton("yMMMd", moment.astimezone(zone), locale=locale)


def _who(message_author: str, *, org_name: str, words: dict[str, str]) -> str:
    if message_author == Author.CUSTOMER:
        return words["you"]
    if message_author == Author.BANK:
        return words["bank"]
    return org_name


def _status(dispute: Dispute, words: dict[str, str], day: str) -> str:
    if dispute.status == DisputeStatus.WITHDRAWN:
        return words["status_withdrawn"].format(date=day)
    return words[f"status_{dispute.status}"]


def dispute_state(access: InvoiceAccess, dispute: Dispute, language: str) -> DisputeState:
    """What the customer is shown of one dispute."""
    words, zone, locale = dispute_words(language), _zone(access), _locale(access, language)
    key = access.grant.key
    thread = customer_thread(dispute=dispute)
    entries = [
        Entry(
            who=_who(message.author, org_name=access.org.name, words=words),
            mine=message.author == Author.CUSTOMER,
            when=_when(message.created_at, zone=zone, locale=locale),
            iso=message.created_at.isoformat(),
            body=message.body,
            attachments=[a.original_name for a in message.attachments.all()],
        )
        for message in thread
    ]
    withdrawn = dispute.withdrawn_at or dispute.opened_at
    lines = dispute.lines.select_related("line").order_by("line__position")
    left = max(MAX_PER_DISPUTE - dispute.attachments.count(), 0)
    return DisputeState(
        pk=dispute.pk,
        active=dispute.is_active,
        status=_status(dispute, words, _day(withdrawn, zone=zone, locale=locale)),
        opened=words["raised_on"].format(date=_day(dispute.opened_at, zone=zone, locale=locale)),
        reason=reason_labels(language).get(dispute.reason, dispute.get_reason_display()),
        lines=[chosen.line.description for chosen in lines],
        outcome=outcome_words(language).get(dispute.outcome, "") if dispute.outcome else "",
        # dispute_resolve also posts the message in the thread: said once is enough.
        outcome_message=(
            ""
            if any(entry.body == dispute.outcome_message for entry in entries)
            else dispute.outcome_message
        ),
        entries=entries,
        files_left=left,
        files_hint=words["files_hint"]
        if left == MAX_PER_DISPUTE
        else words["files_left"].format(left=left),
        reply_url=reverse("pay_dispute_reply", args=[key, dispute.pk]),
        withdraw_url=reverse("pay_dispute_withdraw", args=[key, dispute.pk]),
    )


def shown_disputes(disputes: list[Dispute]) -> list[Dispute]:
    """The customer's own disputes worth showing: active ones, and those closed in the last
    ``RECENT``. A bank's chargeback is between the bank and the business, not on this page."""
    since = timezone.now() - RECENT
    shown = []
    for dispute in disputes:
        if dispute.kind != DisputeKind.CUSTOMER:
            continue
        closed_at = dispute.resolved_at or dispute.withdrawn_at
        if dispute.is_active or (closed_at is not None and closed_at >= since):
            shown.append(dispute)
    return shown


def has_active_dispute(access: InvoiceAccess) -> bool:
    """Any kind, a chargeback too: one dispute at a time per invoice."""
    disputes = disputes_for_invoice(org=access.org, invoice=access.invoice)
    return any(dispute.is_active for dispute in disputes)


def dispute_contribution(access: InvoiceAccess, payable: bool, language: str) -> Contribution:
    """The pay page's dispute choice and panel (``payments.pay_arrangements``)."""
    words = dispute_words(language)
    disputes = disputes_for_invoice(org=access.org, invoice=access.invoice)
    choice = None
    if access.invoice.status in DISPUTABLE and not any(d.is_active for d in disputes):
        choice = Choice(
            key="dispute",
            label=words["choice_label"],
            hint=words["choice_hint"],
            url=reverse("pay_dispute_new", args=[access.grant.key]),
        )
    shown = shown_disputes(disputes)
    notice = words[NOTICES[access.notice]] if access.notice in NOTICES else ""
    panel = None
    if shown:
        states = [dispute_state(access, dispute, language) for dispute in shown]
        forms = {
            state.pk: DisputeReplyForm(words=words, files_left=state.files_left) for state in states
        }
        panel = Panel(
            template="payments/_pay_dispute_panel.html",
            context={
                "words": words,
                "notice": notice,
                "disputes": [(state, forms[state.pk]) for state in states],
                "attached_note": words["attached_note"].format(org=access.org.name),
            },
        )
    return Contribution(choice=choice, panel=panel)
