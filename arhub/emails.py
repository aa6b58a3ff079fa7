"""Emails to the people who use the dashboard (customer-facing messages live in messaging)."""

from __future__ import annotations

import logging
import smtplib

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from arhub.models import Invitation, Membership, Notice
from arhub.roles import Role

logger = logging.getLogger(__name__)


def invitation_email_send(*, invitation: Invitation, secret: str) -> bool:
    """Send the invitation; False if the mail server refused it (the invitation stays, and
    the owner can resend it from the team page)."""
    org = invitation.organization
    inviter = invitation.invited_by
    context = {
        "org": org,
        "inviter": inviter.full_name if inviter else org.name,
        "role": Role(invitation.role).label,
        "link": settings.SITE_URL + reverse("invitation_accept", args=[secret]),
        "expires_at": invitation.expires_at,
    }
    message = EmailMultiAlternatives(
        subject=f"{context['inviter']} invited you to {org.name} on AR Hub",
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    try:
        message.send()
    except (OSError, smtplib.SMTPException, AnymailError):
        logger.exception("Invitation email to %s failed", invitation.email)
        return False
    return True


def notice_email_send(*, notice: Notice) -> int:
    """Email a notice to the organization's owners and admins; how many it reached."""
    org = notice.organization
    recipients = sorted(
        Membership.objects.for_org(org)
        .filter(role__in=[Role.OWNER, Role.ADMIN], user__is_active=True)
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    context = {"org": org, "notice": notice, "link": settings.SITE_URL + notice.path}
    message = EmailMultiAlternatives(
        subject=f"{org.name}: {notice.summary}",
        body=render_to_string("emails/notice.txt", context),
        to=recipients,
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException, AnymailError):
        logger.exception("Notice %s email failed", notice.pk)
        return 0
    return len(recipients)
