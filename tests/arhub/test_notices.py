"""Owner notices: a row the dashboard lists until read, and one email to the owners and admins
after the transaction commits."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from arhub.models import Notice, NoticeKind
from arhub.roles import Role
from arhub.services.notices import notice_create, notices_mark_read
from arhub.tasks import notice_email_task
from tests.conftest import Tenant
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def make_notice(tenant: Tenant, summary: str = "Dana Reyes disputes INV-0042") -> Notice:
    return notice_create(
        org=tenant.org, kind=NoticeKind.DISPUTE_OPENED, summary=summary, path="/disputes/7/"
    )


def test_the_email_goes_after_commit_to_owners_and_admins_only(
    tenant: Tenant, django_capture_on_commit_callbacks: object
) -> None:
    # The tenant has one member of each role; a second admin, and an admin who left.
    admin = MembershipFactory(organization=tenant.org, role=Role.ADMIN).user
    gone = MembershipFactory(organization=tenant.org, role=Role.ADMIN).user
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        notice = make_notice(tenant)
    assert len(callbacks) == 1  # queued only once the transaction commits
    assert notice_email_task.run(tenant.org.pk, notice.pk) == 3
    [email] = mail.outbox
    owners_and_admins = [tenant.owner.user, tenant.members["admin"].user, admin]
    assert sorted(email.to) == sorted(user.email for user in owners_and_admins)
    assert email.subject == f"{tenant.org.name}: Dana Reyes disputes INV-0042"
    assert "http://" in email.body and "/disputes/7/" in email.body


def test_a_redelivered_task_does_not_email_twice(tenant: Tenant) -> None:
    notice = make_notice(tenant)
    assert notice_email_task.run(tenant.org.pk, notice.pk) == 2
    assert notice_email_task.run(tenant.org.pk, notice.pk) == 0
    assert len(mail.outbox) == 1


def test_another_organizations_id_emails_nothing(tenant: Tenant, other_tenant: Tenant) -> None:
    notice = make_notice(tenant)
    assert notice_email_task.run(other_tenant.org.pk, notice.pk) == 0
    assert mail.outbox == []


def test_the_dashboard_lists_unread_notices_and_marks_them_read(
    tenant: Tenant, client: Client
) -> None:
    first = make_notice(tenant, "Northgate Bakery asks for a payment plan")
    make_notice(tenant, "Promise by Maple Plumbing broken")
    client.force_login(tenant.owner.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Waiting on you" in page
    assert "Northgate Bakery asks for a payment plan" in page
    assert 'href="/disputes/7/"' in page

    client.post(reverse("notices_read"), {"notice": first.pk})
    first.refresh_from_db()
    assert first.read_at is not None
    page = client.get(reverse("dashboard")).content.decode()
    assert "Northgate Bakery" not in page and "Maple Plumbing" in page

    client.post(reverse("notices_read"))
    assert "Waiting on you" not in client.get(reverse("dashboard")).content.decode()


def test_marking_read_never_touches_another_organization(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = make_notice(other_tenant)
    assert notices_mark_read(org=tenant.org, notice_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_viewer_cannot_mark_notices_read(tenant: Tenant, client: Client) -> None:
    notice = make_notice(tenant)
    client.force_login(tenant.members["viewer"].user)
    assert client.post(reverse("notices_read")).status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None
