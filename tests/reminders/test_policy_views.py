"""The Reminders pages: the list, the policy editor (save, add and remove steps, errors on
their row with a summary, the preview with and without JavaScript), new policy, make default,
delete; who may change what; another organization's policy is a 404."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from arhub.models import AuditEvent
from arhub.roles import Role
from invoicing.models import Customer, Invoice
from reminders.models import CustomerReminders, ReminderPolicy, ReminderStep, Tone
from reminders.policies import policy_default
from reminders.policy_input import PolicyInput
from reminders.policy_services import policy_create
from tests.conftest import Tenant
from tests.invoicing.factories import ContactFactory, CustomerFactory
from tests.invoicing.invoice_factories import invoice_make

pytestmark = pytest.mark.django_db

LIST = "/reminders/"
NEW = "/reminders/policies/new/"
PREVIEW = "/reminders/preview/"


def edit_url(policy: ReminderPolicy) -> str:
    return f"/reminders/policies/{policy.pk}/"


def counts() -> tuple[int, int, int]:
    return ReminderPolicy.objects.count(), ReminderStep.objects.count(), AuditEvent.objects.count()


def form_data(policy: ReminderPolicy, **changes: Any) -> dict[str, Any]:
    """What the editor posts for the policy as saved, with ``changes`` (``steps-2-tone`` ...)."""
    data: dict[str, Any] = {
        "name": policy.name,
        "window_start": policy.window_start.strftime("%H:%M"),
        "window_end": policy.window_end.strftime("%H:%M"),
        "weekdays": [str(day) for day in policy.weekdays],
        "min_gap_hours": str(policy.min_gap_hours),
        "daily_cap": str(policy.daily_cap),
        "save": "1",
    }
    if policy.skip_holidays:
        data["skip_holidays"] = "on"
    steps = list(ReminderStep.objects.filter(policy=policy).order_by("offset_days"))
    data.update(
        {
            "steps-TOTAL_FORMS": str(len(steps)),
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "20",
        }
    )
    for index, step in enumerate(steps):
        prefix = f"steps-{index}-"
        data.update(
            {
                prefix + "step_id": str(step.pk),
                prefix + "offset_days": str(step.offset_days),
                prefix + "channel": step.channel,
                prefix + "tone": step.tone,
                prefix + "subject": step.subject,
                prefix + "body": step.body,
                prefix + "sms_body": step.sms_body,
            }
        )
        if step.attach_pdf:
            data[prefix + "attach_pdf"] = "on"
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def step_days(policy: ReminderPolicy) -> dict[int, tuple[int, str]]:
    return {
        offset: (pk, tone)
        for pk, offset, tone in ReminderStep.objects.filter(policy=policy).values_list(
            "pk", "offset_days", "tone"
        )
    }


def text(response: Any) -> str:
    return response.content.decode()


def customer_with_invoice(tenant: Tenant) -> tuple[Customer, Invoice]:
    customer = CustomerFactory(organization=tenant.org, display_name="Harbour Tiles", language="en")
    ContactFactory(customer=customer, name="Jo Harbour", email="jo@harbour.test")
    invoice = invoice_make(
        tenant.org,
        customer=customer,
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        lines=(("Tiling", "1", "1250.00"),),
    )
    return customer, invoice


# ---- the list


def test_the_list_shows_the_default_made_on_first_visit_in_plain_words(tenant: Tenant) -> None:
    CustomerFactory(organization=tenant.org)
    response = tenant.client().get(LIST)
    assert response.status_code == 200
    page = text(response)
    default = ReminderPolicy.objects.for_org(tenant.org).get(is_default=True)
    assert "Standard" in page and "Default" in page
    assert "3 days before the due date: friendly email" in page
    assert "On the due date: friendly email and SMS" in page
    assert "30 days after the due date: final notice by email, with the invoice PDF" in page
    assert "Monday to Friday, 09:00 to 17:00 in the customer&#x27;s time" in page
    assert "Applies to <strong>1 customer</strong>" in page
    assert 'href="/reminders/policies/new/"' in page
    assert f'href="{edit_url(default)}"' in page


def test_the_list_puts_the_default_first_and_counts_customers(tenant: Tenant) -> None:
    policy_default(org=tenant.org)
    strict = policy_create(org=tenant.org, actor=None, data=PolicyInput(name="Aardvark"))
    for _ in range(2):
        CustomerReminders.objects.create(
            organization=tenant.org,
            customer=CustomerFactory(organization=tenant.org),
            policy=strict,
        )
    page = text(tenant.client().get(LIST))
    assert page.index("Standard") < page.index("Aardvark")
    assert "Applies to <strong>0 customers</strong>" in page
    assert "Applies to <strong>2 customers</strong>" in page


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_readers_see_the_list_without_the_ways_to_change_it(tenant: Tenant, role: str) -> None:
    page = text(tenant.client(role).get(LIST))
    assert "Standard" in page
    assert 'href="/reminders/policies/new/"' not in page
    assert "can read the reminder policies but not change them" in page


# ---- the editor


def test_the_editor_shows_the_policy_and_its_steps(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    page = text(tenant.client().get(edit_url(policy)))
    assert 'value="09:00"' in page and 'value="17:00"' in page
    assert len(re.findall(r'id="step-\d+"', page)) == 6
    assert "7 days after the due date: firm email" in page
    assert "Use your own wording" in page and "{days_overdue}" in page
    assert "Save policy" in page and "Add a step" in page
    assert "Make it the default" not in page  # it is the default already


def test_saving_edits_the_steps_in_place(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    before = step_days(policy)
    client = tenant.client()
    # Step 4 is the 7-day one (days in order: -3, 0, 3, 7, 14, 30); step 5 is removed.
    data = form_data(
        policy,
        window_start="10:00",
        window_end="16:00",
        **{"steps-3-tone": Tone.FINAL, "steps-4-DELETE": "on"},
    )
    response = client.post(edit_url(policy), data)
    assert response.status_code == 302, text(response)
    assert response["Location"] == edit_url(policy)
    policy.refresh_from_db()
    assert (policy.window_start.hour, policy.window_end.hour) == (10, 16)
    after = step_days(policy)
    assert sorted(after) == [-3, 0, 3, 7, 30]
    assert all(after[day][0] == before[day][0] for day in after)
    assert after[7][1] == Tone.FINAL
    page = text(client.get(response["Location"]))
    assert "Saved “Standard”. Open invoices follow it from their next reminder on." in page


def test_add_a_step_without_javascript_shows_one_more_row_and_saves_nothing(
    tenant: Tenant,
) -> None:
    policy = policy_default(org=tenant.org)
    before = counts()
    response = tenant.client().post(edit_url(policy), form_data(policy, save=None, add_step="1"))
    assert response.status_code == 200
    page = text(response)
    assert 'name="steps-TOTAL_FORMS" value="7"' in page
    assert re.search(r'name="steps-6-offset_days"[^>]*autofocus', page)
    assert "error-summary" not in page
    assert counts() == before

    # The blank row is skipped when saved; filled in, it is a new step.
    data = form_data(policy, **{"steps-TOTAL_FORMS": "7", "steps-6-channel": "email"})
    data["steps-6-tone"] = "friendly"
    assert tenant.client().post(edit_url(policy), data).status_code == 302
    assert sorted(step_days(policy)) == [-3, 0, 3, 7, 14, 30]
    data["steps-6-offset_days"] = "60"
    data["steps-6-tone"] = "final"
    assert tenant.client().post(edit_url(policy), data).status_code == 302
    assert step_days(policy)[60][1] == "final"


ROW_ERRORS = [
    (
        "duplicate day",
        {"steps-2-offset_days": "7"},
        "id_steps-3-offset_days",
        "Step 4, day: Step 3 is already 7 days after the due date",
    ),
    (
        "day out of range",
        {"steps-0-offset_days": "-90"},
        "id_steps-0-offset_days",
        "-90 is outside",
    ),
    ("day not a number", {"steps-0-offset_days": "soon"}, "id_steps-0-offset_days", "whole number"),
    (
        "unknown placeholder",
        {"steps-1-subject": "Invoice {invoice_number}", "steps-1-body": "Hi {contact}"},
        "id_steps-1-body",
        "Step 2, email text: Unknown placeholder {contact}.",
    ),
    (
        "window reversed",
        {"window_start": "16:00", "window_end": "10:00"},
        "id_window_end",
        "Until: The window ends at 10:00, before it starts at 16:00",
    ),
    (
        "window too early",
        {"window_start": "07:00"},
        "id_window_start",
        "From: Nothing is sent before 08:00 or after 21:00 in the customer&#x27;s time",
    ),
    ("no weekdays", {"weekdays": None}, "weekdays", "On these days: Choose at least one day"),
    ("daily cap zero", {"daily_cap": "0"}, "id_daily_cap", "Reminders a day, at most: A customer"),
]


@pytest.mark.parametrize(
    ("changes", "anchor", "words"), [c[1:] for c in ROW_ERRORS], ids=[c[0] for c in ROW_ERRORS]
)
def test_errors_show_on_their_field_with_a_summary_and_nothing_is_saved(
    tenant: Tenant, changes: dict[str, Any], anchor: str, words: str
) -> None:
    policy = policy_default(org=tenant.org)
    before, days = counts(), step_days(policy)
    response = tenant.client().post(edit_url(policy), form_data(policy, **changes))
    assert response.status_code == 200
    page = text(response)
    summary = page[
        page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))
    ]
    assert "Nothing was saved" in summary and "autofocus" in page
    assert f'href="#{anchor}"' in summary
    assert words in summary, summary
    assert counts() == before and step_days(policy) == days


def test_an_error_in_own_wording_opens_its_section(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    data = form_data(policy, **{"steps-1-sms_body": "Pay {paylink}"})
    page = text(tenant.client().post(edit_url(policy), data))
    step_2 = page[page.index('id="step-1"') : page.index('id="step-2"')]
    assert '<details class="own-wording" open>' in step_2
    assert "Did you mean {pay_link}?" in step_2


def test_an_sms_step_without_a_provider_is_refused_on_its_row(
    tenant: Tenant, settings: Any
) -> None:
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_FROM_NUMBER = ""
    policy = policy_default(org=tenant.org)
    before = counts()
    page = text(
        tenant.client().post(edit_url(policy), form_data(policy, **{"steps-0-channel": "sms"}))
    )
    assert 'href="#id_steps-0-channel"' in page
    assert "cannot send text messages yet" in page
    assert "Text messages are off" in page
    assert counts() == before


# ---- the preview


def test_preview_without_javascript_fills_in_the_step_for_a_real_customer(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    customer, invoice = customer_with_invoice(tenant)
    before = counts()
    data = form_data(policy, save=None, preview="1", customer=str(customer.pk))
    response = tenant.client().post(edit_url(policy), data)
    assert response.status_code == 200
    page = text(response)
    preview = page[page.index('id="preview-body"') :]
    assert "Harbour Tiles" in preview and invoice.number in preview
    assert "1,250.00" in preview and "Jo Harbour" in preview
    assert "jo@harbour.test" in preview
    assert counts() == before


def test_preview_uses_the_wording_as_typed(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    customer, invoice = customer_with_invoice(tenant)
    data = form_data(
        policy,
        save=None,
        preview="3",
        customer=str(customer.pk),
        **{
            "steps-3-subject": "Still open: {invoice_number}",
            "steps-3-body": "Dear {contact_name}, {amount_due} is {days_overdue} days late.",
        },
    )
    page = text(tenant.client().post(edit_url(policy), data))
    assert f"Still open: {invoice.number}" in page
    assert "Dear Jo Harbour, £1,250.00 is 7 days late." in page
    assert ReminderStep.objects.get(policy=policy, offset_days=7).body == ""


def test_a_reader_previews_the_saved_step(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    customer, invoice = customer_with_invoice(tenant)
    response = tenant.client(Role.VIEWER).get(
        edit_url(policy), {"preview": "1", "customer": customer.pk}
    )
    page = text(response)
    assert response.status_code == 200
    assert invoice.number in page and "Save policy" not in page
    assert "disabled" in page


def test_the_live_preview_answers_json(tenant: Tenant) -> None:
    customer, invoice = customer_with_invoice(tenant)
    body = {"offset_days": "0", "channel": "both", "tone": "friendly", "customer": customer.pk}
    response = tenant.client(Role.VIEWER).post(PREVIEW, body)
    assert response.status_code == 200
    preview = response.json()["preview"]
    assert preview["customer"] == "Harbour Tiles" and preview["invoice"] == invoice.number
    assert invoice.number in preview["email"]["subject"]
    assert "1,250.00" in preview["email"]["text"]
    assert preview["sms"]["text"] and preview["sms"]["sms"]["segments"] >= 1

    body.update(channel="email", body="{amout_due}", subject="x")
    response = tenant.client().post(PREVIEW, body)
    assert response.status_code == 400
    assert "Unknown placeholder {amout_due}" in str(response.json()["errors"])


def test_the_preview_without_a_customer_uses_samples(tenant: Tenant) -> None:
    body = {"offset_days": "7", "channel": "email", "tone": "firm"}
    preview = tenant.client().post(PREVIEW, body).json()["preview"]
    assert preview["customer"] == "Bright Dental" and preview["invoice"] == ""
    assert "7 days overdue" in preview["email"]["text"]


def test_the_preview_of_another_orgs_customer_is_a_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = CustomerFactory(organization=other_tenant.org)
    body = {"offset_days": "0", "channel": "email", "tone": "friendly", "customer": theirs.pk}
    assert tenant.client().post(PREVIEW, body).status_code == 404
    policy = policy_default(org=tenant.org)
    data = form_data(policy, save=None, preview="1", customer=str(theirs.pk))
    assert tenant.client().post(edit_url(policy), data).status_code == 404


# ---- new policy, make default, delete


def test_new_policy_starts_from_the_built_in_steps_and_is_created(tenant: Tenant) -> None:
    client = tenant.client()
    page = text(client.get(NEW))
    assert len(re.findall(r'id="step-\d+"', page)) == 6
    data = {
        "name": "Key accounts",
        "window_start": "10:00",
        "window_end": "18:00",
        "weekdays": ["0", "1", "2"],
        "min_gap_hours": "24",
        "daily_cap": "1",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-offset_days": "-7",
        "steps-0-channel": "email",
        "steps-0-tone": "friendly",
        "steps-1-offset_days": "14",
        "steps-1-channel": "preferred",
        "steps-1-tone": "firm",
        "steps-1-attach_pdf": "on",
        "save": "1",
    }
    response = client.post(NEW, data)
    assert response.status_code == 302, text(response)
    created = ReminderPolicy.objects.for_org(tenant.org).get(name="Key accounts")
    assert response["Location"] == edit_url(created)
    assert not created.is_default and created.skip_holidays is False
    assert sorted(step_days(created)) == [-7, 14]

    before = counts()
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert "You already have a policy called “Key accounts”" in text(response)
    assert counts() == before


def test_make_default_and_delete(tenant: Tenant) -> None:
    client = tenant.client()
    default = policy_default(org=tenant.org)
    other = policy_create(org=tenant.org, actor=None, data=PolicyInput(name="Strict"))
    CustomerReminders.objects.create(
        organization=tenant.org, customer=CustomerFactory(organization=tenant.org), policy=other
    )
    page = text(client.get(edit_url(other)))
    assert "Make it the default" in page and "Delete this policy" in page

    confirm = text(client.get(f"/reminders/policies/{default.pk}/delete/"))
    assert "cannot be deleted" in confirm
    response = client.post(f"/reminders/policies/{default.pk}/delete/")
    assert response.status_code == 302 and ReminderPolicy.objects.filter(pk=default.pk).exists()

    confirm = text(client.get(f"/reminders/policies/{other.pk}/delete/"))
    assert "1 customer on it go back to the default policy, “Standard”" in confirm

    response = client.post(f"/reminders/policies/{other.pk}/make-default/")
    assert response.status_code == 302
    other.refresh_from_db()
    default.refresh_from_db()
    assert other.is_default and not default.is_default

    response = client.post(f"/reminders/policies/{default.pk}/delete/")
    assert response.status_code == 302
    assert not ReminderPolicy.objects.filter(pk=default.pk).exists()
    assert "Deleted “Standard”." in text(client.get(LIST))


# ---- roles and tenancy


@pytest.mark.parametrize("role", [Role.BILLING, Role.ACCOUNTANT, Role.VIEWER])
def test_readers_see_the_editor_read_only_and_cannot_change_anything(
    tenant: Tenant, role: str
) -> None:
    policy = policy_default(org=tenant.org)
    other = policy_create(org=tenant.org, actor=None, data=PolicyInput(name="Strict"))
    client = tenant.client(role)
    page = text(client.get(edit_url(policy)))
    assert "can read and preview this policy but not change it" in page
    assert "Save policy" not in page and "Add a step" not in page
    assert 'method="get"' in page

    before = counts()
    assert client.post(edit_url(policy), form_data(policy, daily_cap="3")).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(policy, name="Mine")).status_code == 403
    assert client.post(f"/reminders/policies/{other.pk}/make-default/").status_code == 403
    assert client.get(f"/reminders/policies/{other.pk}/delete/").status_code == 403
    assert client.post(f"/reminders/policies/{other.pk}/delete/").status_code == 403
    assert counts() == before


def test_an_admin_may_change_a_policy(tenant: Tenant) -> None:
    policy = policy_default(org=tenant.org)
    response = tenant.client(Role.ADMIN).post(edit_url(policy), form_data(policy, daily_cap="2"))
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.daily_cap == 2


def test_another_orgs_policy_is_a_404(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = policy_default(org=other_tenant.org)
    client: Client = tenant.client()
    before = counts()
    assert client.get(edit_url(theirs)).status_code == 404
    assert client.post(edit_url(theirs), form_data(theirs, daily_cap="3")).status_code == 404
    assert client.post(f"/reminders/policies/{theirs.pk}/make-default/").status_code == 404
    assert client.get(f"/reminders/policies/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/reminders/policies/{theirs.pk}/delete/").status_code == 404
    assert counts() == before
    theirs.refresh_from_db()
    assert theirs.daily_cap == 1 and "Zenith" not in text(client.get(LIST))


def test_moving_a_steps_day_keeps_its_row(tenant: Tenant) -> None:
    """The row's hidden id ties it to its saved step, so a step moved to another day is the
    same step (the reminders already sent for it still point at it)."""
    policy = policy_default(org=tenant.org)
    first = step_days(policy)[-3][0]
    response = tenant.client().post(
        edit_url(policy), form_data(policy, **{"steps-0-offset_days": "40"})
    )
    assert response.status_code == 302
    after = step_days(policy)
    assert sorted(after) == [0, 3, 7, 14, 30, 40]
    assert after[40][0] == first
