"""Telling the business something needs it: a dispute opened, a plan to approve, a promise
broken. Each notice is a row the dashboard lists until read, and an email to the owners and
admins, sent after the transaction that made it commits (a rolled-back dispute tells nobody)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from arhub.models import Notice, NoticeKind, Organization


def notice_create(*, org: Organization, kind: NoticeKind, summary: str, path: str) -> Notice:
    """``path`` is the dashboard page the notice is about (``reverse(...)`` by the caller)."""
    notice = Notice.objects.create(organization=org, kind=kind, summary=summary[:300], path=path)
    from arhub.tasks import notice_email_task  # the task module imports this one

    transaction.on_commit(lambda: notice_email_task.delay(org.pk, notice.pk))
    return notice


def notices_mark_read(*, org: Organization, notice_ids: list[int] | None = None) -> int:
    """Mark the given notices (all unread when ``None``) read; how many were."""
    unread = Notice.objects.for_org(org).filter(read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=notice_ids)
    return unread.update(read_at=timezone.now())
