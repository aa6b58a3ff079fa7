from arhub.models.accounts import User
from arhub.models.audit import AuditAction, AuditEvent
from arhub.models.tenancy import Invitation, Membership, Organization, OrgOwned, OrgQuerySet
from arhub.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditAction",
    "AuditEvent",
    "Invitation",
    "Membership",
    "OrgOwned",
    "OrgQuerySet",
    "Organization",
    "User",
]
