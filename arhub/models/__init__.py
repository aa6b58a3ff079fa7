from arhub.models.accounts import User
from arhub.models.audit import AuditAction, AuditEvent
from arhub.models.messaging import (
    Channel,
    ConsentMethod,
    Direction,
    Message,
    MessageKind,
    MessageStatus,
    MessageTemplate,
    SmsConsent,
    Suppression,
    SuppressionReason,
    SuppressionScope,
)
from arhub.models.notices import Notice, NoticeKind
from arhub.models.tenancy import Invitation, Membership, Organization, OrgOwned, OrgQuerySet
from arhub.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Channel",
    "ConsentMethod",
    "Direction",
    "Invitation",
    "Membership",
    "Message",
    "MessageKind",
    "MessageStatus",
    "MessageTemplate",
    "Notice",
    "NoticeKind",
    "OrgOwned",
    "OrgQuerySet",
    "Organization",
    "SmsConsent",
    "Suppression",
    "SuppressionReason",
    "SuppressionScope",
    "User",
]
