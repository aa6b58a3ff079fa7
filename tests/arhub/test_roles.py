"""Each role against each kind of action, through both the dashboard and the API."""

import pytest

from arhub.models import Organization
from arhub.roles import ROLE_PERMS, Perm, Role, role_allows

pytestmark = pytest.mark.django_db

SETTINGS_FORM = {
    "name": "Renamed Ltd",
    "brand_color": "#123456",
    "default_currency": "GBP",
    "timezone": "Europe/London",
    "locale": "en-GB",
}


def test_role_table():
    assert ROLE_PERMS[Role.OWNER] == frozenset(Perm)
    assert not role_allows(Role.ADMIN, Perm.MANAGE_OWNERS)
    assert not role_allows(Role.ACCOUNTANT, Perm.OPERATE)
    assert role_allows(Role.ACCOUNTANT, Perm.EXPORT)
    assert not role_allows(Role.VIEWER, Perm.EXPORT)
    assert not role_allows("stranger", Perm.VIEW)


@pytest.mark.parametrize(
    ("role", "may_change"),
    [
        (Role.OWNER, True),
        (Role.ADMIN, True),
        (Role.BILLING, False),
        (Role.ACCOUNTANT, False),
        (Role.VIEWER, False),
    ],
)
def test_settings_change_by_role_dashboard_and_api(tenant, role, may_change):
    page = tenant.client(role).post("/settings/", SETTINGS_FORM)
    assert page.status_code == (302 if may_change else 403)
    api = tenant.api(role).patch(
        "/api/v1/organization/", {"name": "Via API"}, content_type="application/json"
    )
    assert api.status_code == (200 if may_change else 403)
    name = Organization.objects.get(pk=tenant.org.pk).name
    assert name == ("Via API" if may_change else tenant.org.name)


@pytest.mark.parametrize(
    ("role", "may_export"),
    [
        (Role.OWNER, True),
        (Role.BILLING, True),
        (Role.ACCOUNTANT, True),
        (Role.VIEWER, False),
    ],
)
def test_exports_by_role(tenant, role, may_export):
    assert tenant.client(role).get("/settings/audit/").status_code == (200 if may_export else 403)
    assert tenant.api(role).get("/api/v1/audit-events/").status_code == (200 if may_export else 403)


def test_every_role_reads(tenant):
    for role in Role.values:
        assert tenant.api(role).get("/api/v1/members/").status_code == 200
        assert tenant.client(role).get("/settings/").status_code == 200


def test_read_only_settings_page_has_disabled_form(tenant):
    body = tenant.client(Role.ACCOUNTANT).get("/settings/").content.decode()
    assert "can see these settings but not change them" in body
    assert "Save settings" not in body
