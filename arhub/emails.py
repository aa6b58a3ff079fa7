"""Emails to the people who use the dashboard (customer-facing messages live in messaging)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from arhub.models import Invitation
from arhub.roles import Role


def invitation_email_send(*, invitation: Invitation, secret: str) -> None:
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
    message.send()
