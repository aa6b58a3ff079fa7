import hashlib

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from arhub.models import ApiToken, AuditEvent
from arhub.roles import Role
from arhub.services.tokens import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_token_is_stored_hashed_and_acts_as_its_membership(tenant):
    token, secret = api_token_create(org=tenant.org, membership=tenant.owner, name="Export")
    assert secret.startswith("arh_")
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert token.prefix == secret[:12]
    response = bearer(secret).get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json()["name"] == tenant.org.name
    event = AuditEvent.objects.get(organization=tenant.org, action="token.created")
    assert secret not in str(event.data) + event.summary


def test_last_used_is_recorded_without_a_write_per_request(tenant):
    token, secret = api_token_create(org=tenant.org, membership=tenant.owner, name="Export")
    client = bearer(secret)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/organization/")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + timezone.timedelta(seconds=20), tick=False):
        client.get("/api/v1/organization/")
        token.refresh_from_db()
        assert token.last_used_at == start
    later = start + timezone.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        client.get("/api/v1/organization/")
        token.refresh_from_db()
        assert token.last_used_at == later


@pytest.mark.parametrize(
    "header",
    ["Bearer arh_not-a-real-token", "Bearer", "Bearer a b", "Bearer caf\u00e9"],
)
def test_invalid_token_is_a_json_401(db, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/organization/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "detail" in response.json()


def test_no_credentials_is_401(db):
    response = Client().get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_revoked_token_is_refused(tenant):
    token, secret = api_token_create(org=tenant.org, membership=tenant.owner, name="Old")
    api_token_revoke(org=tenant.org, actor=tenant.owner, token=token)
    response = bearer(secret).get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}
    assert AuditEvent.objects.filter(organization=tenant.org, action="token.revoked").count() == 1


def test_token_page_shows_secret_once_and_lists_tokens(tenant):
    client = tenant.client(Role.ACCOUNTANT)
    posted = client.post("/settings/tokens/", {"name": "Spreadsheet"})
    # Post/redirect/get: reloading the page that shows the secret cannot create another token.
    assert posted.status_code == 302
    assert posted["Location"] == "/settings/tokens/"
    assert "arh_" not in posted.cookies.output()
    response = client.get("/settings/tokens/")
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert ApiToken.objects.filter(name="Spreadsheet").count() == 1
    listing = client.get("/settings/tokens/").content.decode()
    assert secret not in listing
    assert "Spreadsheet" in listing and secret[:12] in listing
    # An accountant's token reads but cannot write.
    api = bearer(secret)
    assert api.get("/api/v1/organization/").status_code == 200
    assert (
        api.patch(
            "/api/v1/organization/", {"name": "Hacked"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_members_see_only_their_tokens_admins_see_all_and_revoke(tenant):
    mine, _ = api_token_create(org=tenant.org, membership=tenant.members[Role.VIEWER], name="Mine")
    theirs, _ = api_token_create(
        org=tenant.org, membership=tenant.members[Role.BILLING], name="Theirs"
    )
    viewer = tenant.client(Role.VIEWER)
    page = viewer.get("/settings/tokens/").content.decode()
    assert "Mine" in page and "Theirs" not in page
    assert viewer.post(f"/settings/tokens/{theirs.pk}/revoke/").status_code == 404
    assert viewer.post(f"/settings/tokens/{mine.pk}/revoke/").status_code == 302
    admin = tenant.client(Role.ADMIN)
    assert "Theirs" in admin.get("/settings/tokens/").content.decode()
    admin.post(f"/settings/tokens/{theirs.pk}/revoke/")
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.revoked_at and mine.revoked_at


def test_blank_token_name_is_refused(tenant):
    response = tenant.client().post("/settings/tokens/", {"name": "   "})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()
