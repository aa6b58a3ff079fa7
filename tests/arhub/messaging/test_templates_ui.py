"""Settings -> Messages: the list, the editor, the preview (live and without JavaScript),
reset, and who may do what."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.contrib.staticfiles import finders

from arhub.models import AuditEvent, MessageTemplate
from arhub.roles import Role
from tests.invoicing.invoice_factories import invoice_make
from tests.messaging_factories import (
    MessageTemplateFactory,
    MessagingContactFactory,
    MessagingCustomerFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/settings/messages/"
EDIT = "/settings/messages/reminder/email/en/"
EDIT_SMS = "/settings/messages/reminder/sms/es/"
PREVIEW = EDIT + "preview/"
RESET = EDIT + "reset/"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_every_kind_channel_and_language_custom_or_built_in(tenant):
    MessageTemplateFactory(organization=tenant.org, kind="invoice", channel="sms", language="es")
    html = page(tenant.client(Role.VIEWER).get(LIST))
    assert html.count("Built-in") == 9 * 2 * 2 - 1
    assert html.count("Your wording") == 1
    assert 'href="/settings/messages/invoice/sms/es/">Your wording' in html
    assert ">Thank you</th>" in html and ">SMS · Español</th>" in html


def test_the_settings_tabs_lead_here(tenant):
    html = page(tenant.client().get("/settings/"))
    assert f'href="{LIST}"' in html and ">Messages</a>" in html


def test_the_editor_starts_from_the_built_in_wording(tenant):
    html = page(tenant.client().get(EDIT))
    assert "A friendly reminder about invoice {invoice_number}" in html
    assert "The built-in wording." in html
    assert "{days_overdue}" in html  # the placeholders this kind offers are listed
    assert "{payment_amount}" not in html
    assert "Reset to the built-in wording" not in html  # nothing of the owner's to reset


def test_an_sms_has_no_subject(tenant):
    html = page(tenant.client().get(EDIT_SMS))
    assert 'name="subject"' not in html
    assert "{org_name}: Hola {contact_name}, le recordamos" in html


def test_saving_keeps_the_owners_wording_and_records_who(tenant):
    response = tenant.client().post(
        EDIT,
        {"action": "save", "subject": "Invoice {invoice_number}", "body": "Hi {contact_name}!"},
    )
    assert response.status_code == 302 and response["Location"] == EDIT
    template = MessageTemplate.objects.get(organization=tenant.org)
    assert (template.kind, template.channel, template.language) == ("reminder", "email", "en")
    assert (template.subject, template.body) == ("Invoice {invoice_number}", "Hi {contact_name}!")
    assert template.updated_by == tenant.user()
    assert AuditEvent.objects.filter(
        organization=tenant.org, action="org.settings_changed"
    ).exists()
    html = page(tenant.client().get(EDIT))
    assert "Your own wording, last changed by" in html
    assert "Reset to the built-in wording" in html


def test_an_unknown_placeholder_is_a_form_error_naming_it(tenant):
    response = tenant.client().post(
        EDIT,
        {"action": "save", "subject": "Pay {invoice_no}", "body": "Hi {contact_nmae}, {amount}"},
    )
    html = page(response)
    assert "Unknown placeholder {invoice_no}. Did you mean {invoice_number}?" in html
    assert "Unknown placeholder {contact_nmae}. Did you mean {contact_name}?" in html
    assert "Unknown placeholder {amount}." in html
    assert not MessageTemplate.objects.exists()


def test_a_placeholder_the_kind_lacks_is_a_form_error(tenant):
    html = page(
        tenant.client().post(
            EDIT, {"action": "save", "subject": "Hi", "body": "Thanks for {payment_amount}"}
        )
    )
    assert "{payment_amount} cannot be used in reminder messages" in html
    assert not MessageTemplate.objects.exists()


def test_template_tags_are_refused_not_run(tenant):
    html = page(
        tenant.client().post(
            EDIT, {"action": "save", "subject": "Hi", "body": "{% load static %}{{ request }}"}
        )
    )
    assert "Unknown placeholder {% load static %}" in html


def test_an_email_needs_a_subject(tenant):
    html = page(tenant.client().post(EDIT, {"action": "save", "subject": "", "body": "Hi"}))
    assert "This field is required." in html


def test_reset_goes_back_to_the_built_in_wording(tenant):
    MessageTemplateFactory(organization=tenant.org, body="Mine {contact_name}")
    response = tenant.client().post(RESET)
    assert response.status_code == 302 and response["Location"] == EDIT
    assert not MessageTemplate.objects.exists()
    assert "A friendly reminder about invoice" in page(tenant.client().get(EDIT))


def test_a_nonsense_kind_channel_or_language_is_404(tenant):
    client = tenant.client()
    for url in [
        "/settings/messages/love_letter/email/en/",
        "/settings/messages/reminder/pigeon/en/",
        "/settings/messages/reminder/email/fr/",
    ]:
        assert client.get(url).status_code == 404


# ---- Who may do what


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_readers_see_but_cannot_change(tenant, role):
    MessageTemplateFactory(organization=tenant.org, body="Mine {contact_name}")
    client = tenant.client(role)
    html = page(client.get(EDIT))
    assert "Your role can read and preview this wording but not change it." in html
    assert "Save wording" not in html and "Reset to the built-in" not in html
    assert re.search(r'<textarea name="body"[^>]*disabled', html)
    assert client.post(EDIT, {"action": "save", "subject": "x", "body": "y"}).status_code == 403
    assert client.post(RESET).status_code == 403
    assert MessageTemplate.objects.get().body == "Mine {contact_name}"


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_settings_managers_may_change(tenant, role):
    response = tenant.client(role).post(
        EDIT, {"action": "save", "subject": "Hi", "body": "Hi {contact_name}"}
    )
    assert response.status_code == 302


# ---- The preview


@pytest.fixture
def maria(tenant):
    customer = MessagingCustomerFactory(
        organization=tenant.org, display_name="Bright Dental", currency="EUR"
    )
    MessagingContactFactory(customer=customer, name="Maria", email="maria@bright.test")
    return customer


def test_the_live_preview_renders_unsaved_wording_on_a_real_customer(tenant, maria):
    response = tenant.client().post(
        PREVIEW,
        {
            "subject": "About {invoice_number}",
            "body": "Hi {contact_name} <3,\n\n{amount_due} please: {pay_link}",
            "customer": maria.pk,
        },
    )
    assert response.status_code == 200
    preview = response.json()["preview"]
    assert preview["customer"] == "Bright Dental"
    assert preview["recipient"] == "maria@bright.test"
    assert preview["subject"] == "About INV-0042"
    assert preview["text"].startswith("Hi Maria <3,\n\n€1,250.00 please: http")
    assert preview["html"].startswith("<p>Hi Maria &lt;3,</p>\n<p>€1,250.00 please: <a href=")
    assert preview["sms"] is None
    assert not MessageTemplate.objects.exists()  # previewing saves nothing


@time_machine.travel("2027-03-20 12:00 +00:00")
def test_the_preview_uses_the_customers_latest_invoice(tenant, maria):
    invoice_make(
        tenant.org,
        customer=maria,
        lines=[("Check-up", "1", "80")],
        issue_date=date(2027, 2, 1),
        due_date=date(2027, 3, 3),
    )
    response = tenant.client().post(
        PREVIEW,
        {
            "subject": "About {invoice_number}",
            "body": "{amount_due}, due {due_date}, {days_overdue} days late",
            "customer": maria.pk,
        },
    )
    preview = response.json()["preview"]
    assert preview["subject"] == "About INV-2027-0001"
    assert preview["text"].startswith("€80.00, due March 3, 2027, 17 days late")


def test_the_sms_preview_counts_segments(tenant, maria):
    response = tenant.client().post(
        EDIT_SMS + "preview/", {"body": "{org_name}: hola {contact_name}", "customer": maria.pk}
    )
    assert response.json()["preview"]["sms"] == {
        "characters": len("Acme Plumbing: hola Maria"),
        "segments": 1,
        "unicode": False,
    }


def test_the_preview_works_without_customers(tenant):
    response = tenant.client().post(PREVIEW, {"subject": "Hi", "body": "Hi {customer_name}"})
    assert response.json()["preview"]["text"].startswith("Hi Bright Dental")


def test_the_preview_names_unknown_placeholders(tenant, maria):
    response = tenant.client().post(
        PREVIEW, {"subject": "Hi", "body": "Hi {nmae}", "customer": maria.pk}
    )
    assert response.status_code == 400
    assert response.json()["errors"]["body"][0]["message"] == "Unknown placeholder {nmae}."


def test_a_preview_on_another_tenants_customer_is_404(tenant, other_tenant):
    theirs = MessagingCustomerFactory(organization=other_tenant.org, display_name="Zenith secret")
    MessagingContactFactory(customer=theirs, email="secret@zenith.test")
    client = tenant.client()
    response = client.post(PREVIEW, {"subject": "Hi", "body": "Hi", "customer": theirs.pk})
    assert response.status_code == 404
    assert "Zenith" not in response.content.decode()
    # The same through the page's own Preview button and through a reader's GET.
    response = client.post(
        EDIT, {"action": "preview", "subject": "Hi", "body": "Hi", "customer": theirs.pk}
    )
    assert response.status_code == 404
    assert tenant.client(Role.VIEWER).get(f"{EDIT}?customer={theirs.pk}").status_code == 404


def test_readers_may_preview(tenant, maria):
    client = tenant.client(Role.VIEWER)
    response = client.post(PREVIEW, {"subject": "Hi", "body": "Hi", "customer": maria.pk})
    assert response.status_code == 200
    html = page(client.get(f"{EDIT}?customer={maria.pk}"))
    assert "Hi Maria," in html  # the saved (here: built-in) wording, filled in


def test_the_preview_button_works_without_javascript(tenant, maria):
    html = page(
        tenant.client().post(
            EDIT,
            {
                "action": "preview",
                "subject": "About {invoice_number}",
                "body": "Dear {contact_name} & co",
                "customer": maria.pk,
            },
        )
    )
    assert '<span id="preview-subject">About INV-0042</span>' in html
    assert "<p>Dear Maria &amp; co</p>" in html
    assert "Dear {contact_name} &amp; co</textarea>" in html  # the wording stays in the form
    assert not MessageTemplate.objects.exists()


def test_the_page_uses_only_its_static_script(tenant):
    html = page(tenant.client().get(EDIT))
    scripts = re.findall(r"<script[^>]*>", html)
    assert all("src=" in tag for tag in scripts), scripts
    assert any("template_preview.js" in tag for tag in scripts)
    assert " style=" not in html and "onclick" not in html
    assert finders.find("arhub/template_preview.js")
    assert 'data-preview-url="/settings/messages/reminder/email/en/preview/"' in html


def test_preview_never_shows_a_working_unsubscribe_link(tenant, maria):
    """The preview only needs read access: a real link in it would let any reader change
    that customer's choices."""
    from arhub.messaging.unsubscribe import unsubscribe_target

    response = tenant.client(Role.VIEWER).post(
        PREVIEW, {"subject": "Hi", "body": "Hi {contact_name}", "customer": maria.pk}
    )
    text = response.json()["preview"]["text"]
    tokens = re.findall(r"/u/([^/\s]+)/", text)
    assert tokens, "the preview shows the unsubscribe footer"
    assert all(unsubscribe_target(token) is None for token in tokens)
