"""Roles and what each may do: the one place both the dashboard and the API ask.

Views declare the permission they need (``Perm``); nothing else in the code compares role names.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    BILLING = "billing", "Billing"
    ACCOUNTANT = "accountant", "Accountant (read-only, exports)"
    VIEWER = "viewer", "Viewer (read-only)"


class Perm(StrEnum):
    VIEW = "view"  # read the organization's receivables
    EXPORT = "export"  # download reports and exports
    OPERATE = "operate"  # create and change customers, invoices, payments, plans, disputes
    MANAGE_SETTINGS = "manage_settings"  # organization settings, gateways, reminder policy
    MANAGE_TEAM = "manage_team"  # invite, change roles, remove members, revoke others' tokens
    MANAGE_OWNERS = "manage_owners"  # grant or take away the owner role
    OWN_TOKENS = "own_tokens"  # create and revoke one's own API tokens


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.OWNER: frozenset(Perm),
    Role.ADMIN: frozenset(Perm) - {Perm.MANAGE_OWNERS},
    Role.BILLING: frozenset({Perm.VIEW, Perm.EXPORT, Perm.OPERATE, Perm.OWN_TOKENS}),
    # The accountant reads and exports, and may hold an API token to do so from their tools.
    Role.ACCOUNTANT: frozenset({Perm.VIEW, Perm.EXPORT, Perm.OWN_TOKENS}),
    Role.VIEWER: frozenset({Perm.VIEW, Perm.OWN_TOKENS}),
}

ROLE_SUMMARIES: dict[str, str] = {
    Role.OWNER: "Everything, including other owners and closing the account.",
    Role.ADMIN: "Everything except granting or removing the owner role.",
    Role.BILLING: "Customers, invoices, payments, plans and disputes; reports and exports.",
    Role.ACCOUNTANT: "Reads everything and downloads reports; changes nothing.",
    Role.VIEWER: "Reads everything; no exports, no changes.",
}


def role_allows(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMS.get(role, frozenset())
