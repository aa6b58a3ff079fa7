"""Payment plans on the customer's pay page: the "Ask for a payment plan" choice, the form that
shows the exact schedule before sending, a request started at once or waiting for the owner, the
plan's panel (what is paid, what is next), accepting an owner's offer, a declined request, the
amount due today under an active plan, Spanish, and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from invoicing.models import Language
from payments.models import CheckoutSession, PaymentPlan, PlanStatus
from payments.plan_services import plan_decline, plan_offer
from tests.payments.pay_page_helpers import connect_stripe, open_pay_page, pay_part, text
from tests.payments.plan_factories import (
    PLAN_DAY,
    active_plan,
    plan_clock,
    plan_customer,
    plan_invoice,
    plan_settings,
)
from tests.stripe_server import StripeStandIn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plan_clock")]
__all__ = ["plan_clock"]

CHOICE = "Ask for a payment plan"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def opened(org, invoice) -> tuple[Client, str, str]:
    client = Client()
    path, response = open_pay_page(client, org, invoice)
    assert response.status_code == 200
    return client, path, text(response)


def new_invoice(org, price="300.00", **customer_fields):
    return plan_invoice(org, plan_customer(org, **customer_fields), price)


# ---- the choice


def test_the_choice_is_offered_on_an_open_invoice(tenant):
    invoice = new_invoice(tenant.org)
    client, path, page = opened(tenant.org, invoice)
    assert CHOICE in page
    # £300 with at least £50 a payment and at most six payments.
    assert "Spread what you owe over up to 6 payments" in page
    assert client.get(path).content.decode().count(f'href="{path}plan/"') == 1


def test_no_choice_when_plans_are_off_or_the_invoice_is_in_a_plan(tenant):
    plan_settings(tenant.org, plans_enabled=False)
    _, _, page = opened(tenant.org, new_invoice(tenant.org))
    assert CHOICE not in page
    plan_settings(tenant.org, plans_enabled=True)
    plan = active_plan(tenant.org)
    _, _, page = opened(tenant.org, plan.plan_invoices.get().invoice)
    assert CHOICE not in page
    assert "Your payment plan" in page


def test_the_form_redirects_when_no_plan_can_be_asked_for(tenant):
    plan = active_plan(tenant.org)
    client, path, _ = opened(tenant.org, plan.plan_invoices.get().invoice)
    response = client.get(path + "plan/")
    assert response.status_code == 302 and response["Location"] == path


# ---- the form and its schedule


def test_the_form_shows_the_exact_schedule_for_the_choices(tenant):
    invoice = new_invoice(tenant.org, price="100.00")
    plan_settings(tenant.org, plan_min_instalment=Decimal("10"))
    client, path, _ = opened(tenant.org, invoice)
    form = client.get(path + "plan/")
    assert form.status_code == 200
    assert form["Cache-Control"] == "no-store"
    assert "Your schedule" not in text(form)  # nothing chosen yet
    response = client.get(
        path + "plan/", {"count": "3", "frequency": "monthly", "start_date": "2027-03-31"}
    )
    page = text(response)
    preview = response.context["preview"]
    assert [(row["iso"], row["amount"]) for row in preview] == [
        ("2027-03-31", "£33.33"),
        ("2027-04-30", "£33.33"),
        ("2027-05-31", "£33.34"),
    ]
    assert "Total £100.00" in page
    assert "The payments add up to £100.00, what you owe on this invoice." in page
    assert not PaymentPlan.objects.exists()  # looking is not asking


def test_a_request_inside_the_rules_starts_at_once(tenant):
    invoice = new_invoice(tenant.org)
    client, path, _ = opened(tenant.org, invoice)
    choices = {"count": "3", "frequency": "monthly", "start_date": "2027-03-10"}
    response = client.post(path + "plan/", {**choices, "note": "Thank you"})
    assert response.status_code == 302 and response["Location"] == path
    plan = PaymentPlan.objects.get()
    assert plan.status == PlanStatus.ACTIVE and plan.customer_note == "Thank you"
    page = text(client.get(path))
    assert "Your payment plan has started" in page
    assert "£0.00 paid of £300.00." in page
    assert "Next payment: £100.00 by March 10" in page
    assert CHOICE not in page
    # The notice is said once.
    assert "Your payment plan has started" not in text(client.get(path))


def test_a_request_past_the_rules_waits_for_the_owner(tenant):
    invoice = new_invoice(tenant.org)
    client, path, _ = opened(tenant.org, invoice)
    choices = {"count": "5", "frequency": "fortnightly", "start_date": "2027-03-10"}
    assert client.post(path + "plan/", choices).status_code == 302
    plan = PaymentPlan.objects.get()
    assert plan.status == PlanStatus.PROPOSED
    page = text(client.get(path))
    assert f"Your request was sent to {tenant.org.name}" in page
    assert "Your payment plan request" in page
    assert "pay £300.00 in 5 payments" in page


@pytest.mark.parametrize(
    ("choices", "error", "anchor"),
    [
        (
            {"count": "9", "frequency": "monthly", "start_date": "2027-03-10"},
            "Choose between 2 and 6 payments.",
            "#plan-count",
        ),
        (
            {"count": "3", "frequency": "daily", "start_date": "2027-03-10"},
            "Choose one of the frequencies offered.",
            "#plan-frequency-0",
        ),
        (
            {"count": "3", "frequency": "monthly", "start_date": "2027-02-27"},
            "The first payment cannot be in the past.",
            "#plan-start",
        ),
        (
            {"count": "3", "frequency": "monthly", "start_date": "2028-01-01"},
            "Choose a first payment date up to",
            "#plan-start",
        ),
        (
            {"count": "3", "frequency": "monthly", "start_date": "soon"},
            "Enter a real date",
            "#plan-start",
        ),
    ],
)
def test_bad_choices_are_named_and_nothing_is_saved(tenant, choices, error, anchor):
    client, path, _ = opened(tenant.org, new_invoice(tenant.org))
    response = client.post(path + "plan/", choices)
    assert response.status_code == 200
    assert error in text(response)
    assert f'href="{anchor}"' in response.content.decode()
    assert not PaymentPlan.objects.exists()


# ---- under a plan


def test_under_an_active_plan_the_page_asks_only_for_what_is_due_now(
    tenant, stripe_api: StripeStandIn
):
    connect_stripe(tenant.org)
    plan = active_plan(tenant.org)  # £100 on 10 March, April and May
    invoice = plan.plan_invoices.get().invoice
    client, path, page = opened(tenant.org, invoice)
    # Nothing is due until 10 March: the page names the next payment and its date, not the
    # invoice's own due date.
    assert "Next payment £100.00" in page
    assert "Due date: Mar 10, 2027 · Due in 9 days" in page
    assert "Pay £100.00" in page
    assert "The amount at the top is what your plan asks for now." in page
    assert client.post(path, {"pay": "full"}).status_code == 302
    assert CheckoutSession.objects.get().amount == Decimal("100.00")
    # The customer may pay more.
    assert "Pay a different amount" in page
    assert client.post(path, {"pay": "other", "amount": "250.00"}).status_code == 302
    assert CheckoutSession.objects.latest("pk").amount == Decimal("250.00")


def test_a_missed_instalment_is_due_today_and_counted_late_from_its_own_date(tenant, plan_clock):
    invoice = active_plan(tenant.org).plan_invoices.get().invoice  # £100 on 10 March, ...
    plan_clock.move_to(datetime(2027, 3, 15, 12, tzinfo=UTC))
    _, _, page = opened(tenant.org, invoice)
    assert "Amount due today £100.00" in page
    # Late from the instalment's 10 March, not from the invoice's own due date.
    assert "Due date: Mar 10, 2027 · 5 days overdue" in page


def test_what_a_plan_asks_for_is_paid_even_without_part_payments(tenant, stripe_api: StripeStandIn):
    connect_stripe(tenant.org, allow_partial=False)
    invoice = active_plan(tenant.org).plan_invoices.get().invoice
    client, path, page = opened(tenant.org, invoice)
    assert "Pay £100.00" in page and "Pay a different amount" in page
    assert client.post(path, {"pay": "full"}).status_code == 302


def test_what_is_due_now_follows_the_payments(tenant):
    plan = active_plan(tenant.org)
    invoice = plan.plan_invoices.get().invoice
    pay_part(tenant.org, invoice, "100.00", received_on=PLAN_DAY)
    client, path, page = opened(tenant.org, invoice)
    assert "Next payment £100.00" in page  # the next instalment
    assert "Due date: Apr 10, 2027" in page
    assert "£100.00 paid of £300.00." in page
    assert "Next payment: £100.00 by April 10" in page
    rows = client.get(path).context["arrangements"].panels[0].context["rows"]
    assert [row["state"] for row in rows] == ["paid", "upcoming", "upcoming"]


def test_an_owners_offer_is_accepted_from_the_page(tenant):
    org = tenant.org
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer)
    plan = plan_offer(
        org=org,
        actor=tenant.owner.user,
        customer=customer,
        invoices=[invoice],
        count=2,
        frequency="monthly",
        start_date=date(2027, 3, 15),
        message="Two payments, to make it easier.",
    )
    client, path, page = opened(org, invoice)
    assert f"{org.name} offers you a payment plan" in page
    assert "Two payments, to make it easier." in page
    assert "Accept this plan" in page
    # A GET changes nothing.
    assert client.get(path + "plan/accept/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    response = client.post(path + "plan/accept/")
    assert response.status_code == 302 and response["Location"] == path
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert "You accepted the plan and it has started." in text(client.get(path))


def test_a_declined_request_says_so_and_the_customer_may_ask_again(tenant):
    org = tenant.org
    invoice = new_invoice(org)
    client, path, _ = opened(org, invoice)
    client.post(path + "plan/", {"count": "6", "frequency": "weekly", "start_date": "2027-03-10"})
    plan_decline(
        org=org, actor=None, plan=PaymentPlan.objects.get(), message="Please call us instead."
    )
    page = text(client.get(path))
    assert f"{org.name} could not agree to the plan you asked for." in page
    assert "Please call us instead." in page
    assert CHOICE in page


def test_spanish_words(tenant):
    invoice = new_invoice(tenant.org, language=Language.SPANISH)
    client, path, page = opened(tenant.org, invoice)
    assert "Pedir un plan de pagos" in page
    assert "Reparta lo que debe en hasta 6 pagos" in page
    response = client.get(
        path + "plan/", {"count": "2", "frequency": "fortnightly", "start_date": "2027-03-10"}
    )
    spanish = text(response)
    assert "Cada dos semanas" in spanish and "Su calendario" in spanish
    assert '<html lang="es">' in response.content.decode()
    client.post(path + "plan/", {"count": "2", "frequency": "monthly", "start_date": "2027-03-10"})
    assert "Su plan de pagos ha empezado" in text(client.get(path))


def test_a_foreign_browser_cannot_use_the_key(tenant):
    invoice = new_invoice(tenant.org)
    _, path, _ = opened(tenant.org, invoice)
    stranger = Client()
    choices = {"count": "3", "frequency": "monthly", "start_date": "2027-03-10"}
    assert stranger.post(path + "plan/", choices).status_code == 404
    assert stranger.post(path + "plan/accept/").status_code == 404
    assert not PaymentPlan.objects.exists()


def test_a_post_from_another_site_asks_nothing(tenant):
    client, path, _ = opened(tenant.org, new_invoice(tenant.org))
    choices = {"count": "3", "frequency": "monthly", "start_date": "2027-03-10"}
    response = client.post(path + "plan/", choices, headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert not PaymentPlan.objects.exists()


def test_the_form_keeps_the_first_date_within_the_limit(tenant):
    client, path, _ = opened(tenant.org, new_invoice(tenant.org))
    form = client.get(path + "plan/").context["form"]
    assert form.first == PLAN_DAY
    assert PLAN_DAY < form.last <= PLAN_DAY + timedelta(days=60)
