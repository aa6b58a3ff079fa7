"""The dashboard's payment plan pages: the list (requests waiting first, with their age), one
plan's page in every state, the owner's decisions (approve, decline with a message, counter-offer,
cancel, move an instalment), offering a plan with its schedule built and edited before saving,
the nav's count, the invoice and customer page sections, roles and other organizations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arhub.roles import Role
from payments.models import InstalmentChange, PaymentPlan, PlanOrigin, PlanStatus
from payments.plan_services import plan_cancel, plan_decline, plan_offer, plan_request
from tests.payments.pay_page_helpers import pay_part, text
from tests.payments.plan_factories import (
    PLAN_DAY,
    active_plan,
    plan_clock,
    plan_customer,
    plan_invoice,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plan_clock")]
__all__ = ["plan_clock"]

START = date(2027, 3, 10)


def request(org, *, count=5, customer=None, price="300.00", note="") -> PaymentPlan:
    """A customer's request past the auto-approve rules (more than four payments): it waits."""
    customer = customer or plan_customer(org, display_name="Harbour Tiles")
    invoice = plan_invoice(org, customer, price)
    plan = plan_request(
        org=org,
        customer=customer,
        invoices=[invoice],
        count=count,
        frequency="monthly",
        start_date=START,
        note=note,
    )
    assert plan.status == PlanStatus.PROPOSED
    return plan


def invoice_of(plan: PaymentPlan):
    return plan.plan_invoices.get().invoice


# ---- the list


def test_the_list_puts_requests_waiting_first_oldest_first_with_their_age(tenant, plan_clock):
    org = tenant.org
    done = active_plan(org)
    plan_cancel(org=org, actor=None, plan=active_plan(org), reason="Agreed otherwise")
    older = request(org)
    plan_clock.shift(timedelta(days=3))
    newer = request(org)
    response = tenant.client().get("/payments/plans/")
    assert response.status_code == 200
    order = [row["plan"].pk for row in response.context["rows"]]
    assert order[:3] == [older.pk, newer.pk, done.pk]
    page = text(response)
    assert "Waiting for you for 3 days" in page
    assert "Waiting for you since today" in page
    assert "Cancelled" in page


def test_the_list_filters_by_status_and_customer(tenant):
    org = tenant.org
    waiting, running = request(org), active_plan(org)
    client = tenant.client()

    def shown(query: str) -> list[int]:
        response = client.get("/payments/plans/" + query)
        return [row["plan"].pk for row in response.context["rows"]]

    assert shown("?status=waiting") == [waiting.pk]
    assert shown("?status=active") == [running.pk]
    assert shown(f"?customer={running.customer_id}") == [running.pk]
    # A bad value is ignored, not an error.
    assert set(shown("?status=nonsense")) == {waiting.pk, running.pk}


def test_an_empty_list_explains_plans(tenant):
    page = text(tenant.client().get("/payments/plans/"))
    assert "No payment plans yet" in page


def test_the_nav_counts_requests_waiting(tenant):
    request(tenant.org)
    request(tenant.org)
    page = text(tenant.client().get("/payments/plans/"))
    assert "Plans 2 waiting for your answer" in page


# ---- one plan, in each state


@pytest.mark.parametrize(
    ("state", "says", "actions"),
    [
        ("waiting", "Waiting for you", ["Approve and start the plan", "Counter-offer", "Decline"]),
        ("offered", "Offered to the customer", ["Withdraw the offer"]),
        ("active", "Active", ["Cancel the plan", "Move an instalment"]),
        ("declined", "Declined", []),
        ("cancelled", "Cancelled", []),
        ("completed", "Completed", []),
        ("broken", "Broken", []),
    ],
)
def test_the_plan_page_in_each_state(tenant, state, says, actions):
    org = tenant.org
    if state == "waiting":
        plan = request(org, note="Cash is short until April")
    elif state == "offered":
        customer = plan_customer(org)
        plan = plan_offer(
            org=org,
            actor=tenant.owner.user,
            customer=customer,
            invoices=[plan_invoice(org, customer)],
            count=2,
            frequency="monthly",
            start_date=START,
            message="Two payments suit you?",
        )
    elif state == "declined":
        plan = plan_decline(
            org=org, actor=tenant.owner.user, plan=request(org), message="Too long, sorry"
        )
    else:
        plan = active_plan(org)
        if state == "cancelled":
            plan = plan_cancel(org=org, actor=None, plan=plan, reason="Agreed otherwise")
        elif state == "completed":
            pay_part(org, invoice_of(plan), "300.00", received_on=PLAN_DAY)
        elif state == "broken":
            PaymentPlan.objects.filter(pk=plan.pk).update(
                status=PlanStatus.BROKEN, broken_at=plan.created_at + timedelta(days=40)
            )
    response = tenant.client().get(f"/payments/plans/{plan.pk}/")
    assert response.status_code == 200
    page = text(response)
    assert f"Status: {says}" in page
    assert invoice_of(plan).number in page
    assert "History" in page
    for action in actions:
        assert action in page
    every = [
        "Approve and start the plan",
        "Withdraw the offer",
        "Cancel the plan",
        "Move an instalment",
    ]
    for action in set(every) - set(actions):
        assert action not in page
    if state == "waiting":
        assert "Cash is short until April" in page
        assert "Asked for by the customer" in page
    if state == "completed":
        assert "Completed: everything was paid" in page


def test_the_schedule_shows_paid_due_overdue_and_upcoming(tenant, plan_clock):
    plan = active_plan(tenant.org, count=3, start_date=START)  # 10 Mar, 10 Apr, 10 May
    pay_part(tenant.org, invoice_of(plan), "100.00", received_on=PLAN_DAY)
    plan_clock.move_to(date(2027, 4, 12))
    rows = tenant.client().get(f"/payments/plans/{plan.pk}/").context["rows"]
    assert [row["state"] for row in rows] == ["paid", "overdue", "upcoming"]
    plan_clock.move_to(date(2027, 4, 5))
    rows = tenant.client().get(f"/payments/plans/{plan.pk}/").context["rows"]
    assert [row["state"] for row in rows] == ["paid", "due", "upcoming"]


# ---- the owner's decisions


def test_approve_starts_the_plan(tenant):
    plan = request(tenant.org)
    response = tenant.client().post(f"/payments/plans/{plan.pk}/approve/")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.decided_by == tenant.owner.user


def test_decline_needs_a_message_and_then_tells_the_customer(tenant):
    plan = request(tenant.org)
    client = tenant.client()
    response = client.post(f"/payments/plans/{plan.pk}/decline/", {"decline-message": ""})
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was saved" in page
    assert "Write the customer a short message saying why." in page
    assert 'href="#id_decline-message"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED

    response = client.post(
        f"/payments/plans/{plan.pk}/decline/", {"decline-message": "Six months is too long"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.owner_message) == (PlanStatus.DECLINED, "Six months is too long")


def test_a_counter_offer_is_built_edited_and_sent(tenant):
    plan = request(tenant.org, count=5)
    client = tenant.client()
    url = f"/payments/plans/{plan.pk}/counter/"
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["rows"]) == 5  # starts from what they asked for
    terms = {"count": "2", "frequency": "fortnightly", "start_date": "2027-03-15"}
    built = client.post(url, {**terms, "_action": "build"})
    rows = built.context["rows"]
    assert [(r.due_date, r.amount) for r in rows] == [
        (date(2027, 3, 15), Decimal("150.00")),
        (date(2027, 3, 29), Decimal("150.00")),
    ]
    posted = {"rows": "2", "row-0-date": "2027-03-15", "row-0-amount": "200.00"}
    posted |= {"row-1-date": "2027-04-15", "row-1-amount": "100.00"}
    # The message is required for a counter-offer.
    refused = client.post(url, {**terms, **posted, "_action": "save", "message": ""})
    assert refused.status_code == 200
    assert "Message to the customer" in text(refused)
    sent = client.post(url, {**terms, **posted, "_action": "save", "message": "Two is our most"})
    assert sent.status_code == 302
    offer = PaymentPlan.objects.get(counter_to=plan)
    assert sent["Location"] == f"/payments/plans/{offer.pk}/"
    assert offer.origin == PlanOrigin.OWNER and offer.status == PlanStatus.PROPOSED
    history = text(client.get(f"/payments/plans/{plan.pk}/"))
    assert "Answered with a counter-offer" in history and "See the counter-offer" in history
    assert "Counter-offer sent to the customer" in text(client.get(sent["Location"]))
    assert [(i.due_date, i.amount) for i in offer.instalments.order_by("seq")] == [
        (date(2027, 3, 15), Decimal("200.00")),
        (date(2027, 4, 15), Decimal("100.00")),
    ]


def test_cancel_needs_a_reason(tenant):
    plan = active_plan(tenant.org)
    client = tenant.client()
    assert (
        client.post(f"/payments/plans/{plan.pk}/cancel/", {"cancel-reason": ""}).status_code == 200
    )
    response = client.post(
        f"/payments/plans/{plan.pk}/cancel/", {"cancel-reason": "Paid by a relative"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    assert "Paid by a relative" in text(client.get(f"/payments/plans/{plan.pk}/"))


def test_moving_an_instalment_is_recorded_with_who_and_why(tenant):
    plan = active_plan(tenant.org)
    second = plan.instalments.get(seq=2)
    client = tenant.client()
    url = f"/payments/plans/{plan.pk}/move/"
    bad = client.post(url, {"move-instalment": second.pk, "move-new_date": "", "move-reason": ""})
    assert bad.status_code == 200
    assert "Enter the new date." in text(bad)
    response = client.post(
        url,
        {
            "move-instalment": second.pk,
            "move-new_date": "2027-04-24",
            "move-reason": "Paid fortnightly",
        },
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.due_date == date(2027, 4, 24)
    change = InstalmentChange.objects.get(instalment=second)
    assert (change.reason, change.changed_by) == ("Paid fortnightly", tenant.owner.user)
    page = text(client.get(f"/payments/plans/{plan.pk}/"))
    assert "Instalment 2 moved from 10 Apr 2027 to 24 Apr 2027" in page
    assert "Paid fortnightly" in page


def test_a_viewer_reads_but_cannot_decide(tenant):
    plan = request(tenant.org)
    client = tenant.client(Role.VIEWER)
    page = client.get(f"/payments/plans/{plan.pk}/")
    assert page.status_code == 200
    assert "Approve and start the plan" not in text(page)
    assert client.post(f"/payments/plans/{plan.pk}/approve/").status_code == 403
    assert client.get("/payments/plans/new/").status_code == 403


def test_another_organizations_plan_is_404(tenant, other_tenant):
    theirs = request(other_tenant.org)
    client = tenant.client()
    for path in ("", "approve/", "decline/", "cancel/", "counter/", "move/"):
        method = client.get if path in ("", "counter/") else client.post
        assert method(f"/payments/plans/{theirs.pk}/{path}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == PlanStatus.PROPOSED


# ---- offering a plan


def test_the_offer_shows_a_schedule_that_adds_up_then_saves_it(tenant):
    org = tenant.org
    customer = plan_customer(org, display_name="Harbour Tiles")
    first = plan_invoice(org, customer, "100.00")
    second = plan_invoice(org, customer, "233.33")
    client = tenant.client()
    page = client.get(f"/payments/plans/new/?customer={customer.pk}")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert sum(r.amount for r in rows) == Decimal("333.33")
    assert [r.amount for r in rows] == [Decimal("111.11"), Decimal("111.11"), Decimal("111.11")]
    assert "Instalments: £333.33 of £333.33 owed." in text(page)

    terms = {"customer": customer.pk, "invoice": [first.pk, second.pk], "count": "3"}
    terms |= {"frequency": "monthly", "start_date": "2027-03-10", "message": "Happy to help"}
    edited = {"rows": "3", "row-0-date": "2027-03-10", "row-0-amount": "100.00"}
    edited |= {"row-1-date": "2027-04-10", "row-1-amount": "100.00"}
    edited |= {"row-2-date": "2027-05-10", "row-2-amount": "100.00"}
    refresh = client.post("/payments/plans/new/", {**terms, **edited, "_action": "refresh"})
    assert "33.33 still to place" in text(refresh)
    refused = client.post("/payments/plans/new/", {**terms, **edited, "_action": "save"})
    assert refused.status_code == 200
    assert "add up to" in text(refused)
    assert 'href="#schedule"' in refused.content.decode()
    assert not PaymentPlan.objects.filter(organization=org).exists()

    edited["row-2-amount"] = "133.33"
    saved = client.post("/payments/plans/new/", {**terms, **edited, "_action": "save"})
    assert saved.status_code == 302
    plan = PaymentPlan.objects.get(organization=org)
    assert (plan.origin, plan.status, plan.total) == (
        PlanOrigin.OWNER,
        "proposed",
        Decimal("333.33"),
    )
    assert plan.frequency == ""  # edited one by one
    assert [i.amount for i in plan.instalments.order_by("seq")] == [
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("133.33"),
    ]


def test_an_unedited_schedule_is_saved_by_its_count_and_frequency(tenant):
    org = tenant.org
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer, "300.00")
    client = tenant.client()
    terms = {"customer": customer.pk, "invoice": [invoice.pk], "count": "2"}
    terms |= {"frequency": "weekly", "start_date": "2027-03-08"}
    built = client.post("/payments/plans/new/", {**terms, "_action": "build"}).context["rows"]
    rows = (
        {"rows": "2"}
        | {r.date_id: r.date_text for r in built}
        | {r.amount_id: r.amount_text for r in built}
    )
    assert (
        client.post("/payments/plans/new/", {**terms, **rows, "_action": "save"}).status_code == 302
    )
    assert PaymentPlan.objects.get(organization=org).frequency == "weekly"


def test_offer_errors_are_listed_and_link_to_their_fields(tenant):
    customer = plan_customer(tenant.org)
    plan_invoice(tenant.org, customer)
    body = {"customer": customer.pk, "count": "", "frequency": "monthly", "start_date": "x"}
    response = tenant.client().post("/payments/plans/new/", {**body, "_action": "build"})
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ("#id_invoice_0", "#id_count", "#id_start_date"):
        assert f'href="{anchor}"' in html
    assert "Tick at least one invoice." in text(response)


def test_offer_without_a_customer_asks_which(tenant):
    plan_customer(tenant.org, display_name="Harbour Tiles")
    page = tenant.client().get("/payments/plans/new/?q=harbour")
    assert page.status_code == 200
    assert "Harbour Tiles" in text(page)


def test_a_foreign_customer_cannot_be_offered_a_plan(tenant, other_tenant):
    theirs = plan_customer(other_tenant.org)
    plan_invoice(other_tenant.org, theirs)
    assert tenant.client().get(f"/payments/plans/new/?customer={theirs.pk}").status_code == 404


# ---- the invoice and customer pages


def test_invoice_and_customer_pages_offer_a_plan_or_show_it(tenant):
    org = tenant.org
    customer = plan_customer(org)
    invoice = plan_invoice(org, customer)
    client = tenant.client()
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "Offer a payment plan" in page
    assert f"/payments/plans/new/?customer={customer.pk}&amp;invoice={invoice.pk}" in page
    assert "Offer a payment plan" in client.get(f"/customers/{customer.pk}/").content.decode()

    plan = active_plan(org, customer=customer)
    planned = invoice_of(plan)
    page = text(client.get(f"/invoices/{planned.pk}/"))
    assert "This invoice is on an active payment plan" in page
    assert "Next instalment: £100.00 by 10 Mar 2027" in page
    assert (
        f"/payments/plans/{plan.pk}/" in client.get(f"/customers/{customer.pk}/").content.decode()
    )
