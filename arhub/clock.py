"""Business "today": the organization's local calendar date, not the server's or UTC's."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from arhub.models import Organization


def org_now(org: Organization) -> datetime:
    return timezone.now().astimezone(ZoneInfo(org.timezone))


def org_today(org: Organization) -> date:
    """The date it is now where the organization is; "overdue" and due dates use this."""
    return org_now(org).date()
