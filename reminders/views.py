"""The Reminders page: every policy of the organization in plain words, the default first
(made with the built-in steps on the first visit), how many customers each applies to, and the
way to a new one. Reading needs VIEW; the links to change them show for MANAGE_SETTINGS."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from arhub.messaging.sms_availability import sms_available
from arhub.permissions import OrgViewMixin, membership_allows
from arhub.roles import Perm
from reminders.models import ReminderPolicy
from reminders.policies import policy_default
from reminders.policy_words import step_sentence, window_sentence
from reminders.selectors import policy_customer_counts, policy_list


@dataclass(frozen=True)
class PolicyCard:
    policy: ReminderPolicy
    customers: int
    window: str
    limits: str
    steps: list[str]


def _limits(policy: ReminderPolicy) -> str:
    cap = "1 reminder" if policy.daily_cap == 1 else f"{policy.daily_cap} reminders"
    gap = f"{policy.min_gap_hours} hours" if policy.min_gap_hours != 1 else "1 hour"
    holidays = "not on public holidays" if policy.skip_holidays else "holidays included"
    return f"At most {cap} a day to a customer, {gap} apart; {holidays}."


def policy_card(policy: ReminderPolicy, customers: int) -> PolicyCard:
    return PolicyCard(
        policy=policy,
        customers=customers,
        window=window_sentence(
            start=policy.window_start, end=policy.window_end, weekdays=policy.weekdays
        ),
        limits=_limits(policy),
        steps=[
            step_sentence(
                offset_days=step.offset_days,
                channel=step.channel,
                tone=step.tone,
                attach_pdf=step.attach_pdf,
                own_wording=bool(step.body.strip() or step.sms_body.strip()),
            )
            for step in policy.steps.all()
        ],
    )


class RemindersView(OrgViewMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        policy_default(org=self.org)
        counts = policy_customer_counts(org=self.org)
        cards = [policy_card(p, counts.get(p.pk, 0)) for p in policy_list(org=self.org)]
        return render(
            request,
            "reminders/policies.html",
            {
                "cards": cards,
                "may_edit": membership_allows(self.membership, Perm.MANAGE_SETTINGS),
                "can_text": sms_available(self.org),
            },
        )
