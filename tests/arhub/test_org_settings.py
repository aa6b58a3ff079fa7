import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from arhub.models import AuditEvent, Organization
from arhub.roles import Role

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Acme Plumbing",
    "legal_name": "Acme Plumbing Ltd",
    "address_line1": "1 High Street",
    "city": "Leeds",
    "postal_code": "LS1 1AA",
    "country": "GB",
    "brand_color": "#0a7d5a",
    "default_currency": "GBP",
    "timezone": "Europe/London",
    "locale": "en-GB",
}


def png(size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#0a7d5a").save(buffer, "PNG")
    return buffer.getvalue()


def test_owner_saves_settings_and_leaves_an_audit_row(tenant):
    response = tenant.client().post("/settings/", FORM)
    assert response.status_code == 302
    org = Organization.objects.get(pk=tenant.org.pk)
    assert (org.legal_name, org.country, org.brand_color, org.locale) == (
        "Acme Plumbing Ltd", "GB", "#0a7d5a", "en-GB",
    )  # fmt: skip
    event = AuditEvent.objects.get(organization=org, action="org.settings_changed")
    assert "legal_name" in event.data["fields"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("brand_color", "green", "six hex digits"),
        ("timezone", "Mars/Base", "Select a valid choice"),
        ("default_currency", "XXY", "Select a valid choice"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_settings_name_the_field_and_save_nothing(tenant, field, value, message):
    response = tenant.client().post("/settings/", {**FORM, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Organization.objects.get(pk=tenant.org.pk).name == tenant.org.name
    assert not AuditEvent.objects.filter(action="org.settings_changed").exists()


def test_logo_upload_is_checked_by_content_and_served_only_to_members(tenant, other_tenant):
    client = tenant.client()
    fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post("/settings/", {**FORM, "logo": fake})
    assert "valid image" in " ".join(response.context["form"].errors["logo"])
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    response = client.post(
        "/settings/", {**FORM, "logo": SimpleUploadedFile("logo.png", gif.getvalue())}
    )
    assert "PNG or JPEG" in " ".join(response.context["form"].errors["logo"])
    assert not Organization.objects.get(pk=tenant.org.pk).logo

    real = SimpleUploadedFile("my logo.png", png(), content_type="image/png")
    assert client.post("/settings/", {**FORM, "logo": real}).status_code == 302
    org = Organization.objects.get(pk=tenant.org.pk)
    assert org.logo.name.startswith("logos/")
    served = client.get("/settings/logo/")
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == png()
    # The other tenant's members get their own (absent) logo, never this one.
    assert other_tenant.client().get("/settings/logo/").status_code == 404


def test_oversized_logo_is_refused(tenant):
    big = SimpleUploadedFile(
        "big.png", png((3000, 3000)) + b"\0" * (1024 * 1024), content_type="image/png"
    )
    response = tenant.client().post("/settings/", {**FORM, "logo": big})
    assert "1 MB" in " ".join(response.context["form"].errors["logo"])


def test_admin_is_not_offered_the_owner_role(tenant):
    page = tenant.client(Role.ADMIN).get("/settings/team/").content.decode()
    invite_select = page.split('name="role"')[-1].split("</select>")[0]
    assert 'value="owner"' not in invite_select
    response = tenant.client(Role.ADMIN).post(
        "/settings/team/", {"email": "x@example.test", "role": "owner"}
    )
    assert response.status_code == 200
    assert response.context["invite_form"].errors["role"]


def test_sender_identity_is_saved_and_the_sms_number_stored_as_e164(tenant):
    response = tenant.client().post(
        "/settings/",
        {**FORM, "email_from_name": "Acme Accounts", "email_reply_to": "ar@acme.test",
         "sms_from_number": "020 7946 0123"},
    )  # fmt: skip
    assert response.status_code == 302
    org = Organization.objects.get(pk=tenant.org.pk)
    assert (org.email_from_name, org.email_reply_to, org.sms_from_number) == (
        "Acme Accounts", "ar@acme.test", "+442079460123",
    )  # fmt: skip
    bad = tenant.client().post("/settings/", {**FORM, "sms_from_number": "12345"})
    assert "country code" in " ".join(bad.context["form"].errors["sms_from_number"])
    api = tenant.api().patch(
        "/api/v1/organization/", {"sms_from_number": "call me"}, content_type="application/json"
    )
    assert api.status_code == 400
    assert "sms_from_number" in api.json()
