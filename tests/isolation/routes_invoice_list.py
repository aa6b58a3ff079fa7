"""Isolation sweep entries for the invoice list, its bulk actions and the zips they make.

Every invoice a builder makes belongs to a customer named after its organization, so B's name
on any of A's pages is caught by the sweep's marker check. The bulk forms take ids in the
request body, so they get custom checks that post B's ids and expect nothing of B's to be
shown or changed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from invoicing.bulk_services import invoice_zip_create, invoice_zip_run
from invoicing.models import Invoice, InvoiceBulkJob
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import FoundRoute, Route, World, check_hidden, request_as_a, send


def finished_zip(tenant: Tenant) -> InvoiceBulkJob:
    """A zip that is done, so A's control can download its own."""
    invoice = new_invoice(tenant)
    job = invoice_zip_create(org=tenant.org, actor=tenant.owner.user, invoice_ids=[invoice.pk])
    done = invoice_zip_run(org=tenant.org, job_id=job.pk)
    assert done is not None and done.status == "done", done and done.error_message
    return done


def zip_unchanged(built: InvoiceBulkJob) -> None:
    current = InvoiceBulkJob.objects.get(pk=built.pk)
    assert (current.status, current.processed, current.result_file.name) == (
        built.status,
        built.processed,
        built.result_file.name,
    ), "org B's zip changed"


# ---- custom checks


def sweep_invoice_list(world: World, found: FoundRoute, route: Route) -> None:
    theirs = new_invoice(world.b)
    new_invoice(world.b, issue=False)
    new_invoice(world.a)
    url = reverse("invoices")
    client = world.a.client()
    for query in ("", "?q=Zenith", "?status=outstanding", "?sort=total", "?currency=GBP"):
        response = request_as_a(world, client, "GET", url + query, None, "A's owner")
        assert response.status_code == 200, f"GET {url + query}: {response.status_code}"
    response = request_as_a(
        world, client, "GET", f"{url}?customer={theirs.customer_id}", None, "A's owner"
    )
    check_hidden(response, f"GET {url}?customer= (org B's customer)")


def sweep_bulk(world: World, found: FoundRoute, route: Route) -> None:
    theirs = [new_invoice(world.b), new_invoice(world.b, issue=False)]
    ids = [invoice.pk for invoice in theirs]
    url = reverse("invoice_bulk")
    client = world.a.client()
    for action in ("send", "void", "zip"):
        for body in (
            {"action": action, "ids": ids},
            {"action": action, "all_on_page": "on", "page_ids": ids},
        ):
            response = request_as_a(world, client, "POST", url, body, "A's owner")
            assert response.status_code == 302, f"POST {url} {body}: {response.status_code}"
    body = {"action": "zip", "matching": "1", "back": f"customer={theirs[0].customer_id}"}
    check_hidden(request_as_a(world, client, "POST", url, body, "A's owner"), f"POST {url}")
    assert not InvoiceBulkJob.objects.filter(organization=world.a.org).exists(), (
        "a zip was made of org B's invoices"
    )
    # Control: A's own invoice is zipped, so the refusals above were about the ids.
    mine = new_invoice(world.a)
    response = send(client, "POST", url, {"action": "zip", "ids": [mine.pk]})
    job = InvoiceBulkJob.objects.filter(organization=world.a.org).get()
    assert response.status_code == 302 and job.invoice_ids == [mine.pk]


def sweep_bulk_void(world: World, found: FoundRoute, route: Route) -> None:
    theirs = new_invoice(world.b)
    url = reverse("invoice_bulk_void")
    client = world.a.client()
    response = request_as_a(world, client, "GET", f"{url}?ids={theirs.pk}", None, "A's owner")
    assert response.status_code == 302, f"GET {url} with org B's id: {response.status_code}"
    body: dict[str, Any] = {"ids": [theirs.pk], "reason": "Acme says so"}
    response = request_as_a(world, client, "POST", url, body, "A's owner")
    assert response.status_code == 302, f"POST {url} with org B's id: {response.status_code}"
    assert Invoice.objects.get(pk=theirs.pk).status == "open", "org B's invoice was voided"
    # Control: A's own invoice is listed, then voided.
    mine = new_invoice(world.a)
    response = send(client, "GET", f"{url}?ids={mine.pk}", None)
    assert response.status_code == 200 and mine.number in response.content.decode()
    response = send(client, "POST", url, {"ids": [mine.pk], "reason": "Acme says so"})
    assert response.status_code == 302
    assert Invoice.objects.get(pk=mine.pk).status == "void"


ROUTES: dict[str, Route] = {
    "invoices": Route("custom", custom=sweep_invoice_list),
    "invoice_bulk": Route("custom", custom=sweep_bulk),
    "invoice_bulk_void": Route("custom", custom=sweep_bulk_void),
    "invoice_export": Route(
        "object",
        build=finished_zip,
        unchanged=zip_unchanged,
        expect={"GET": {200}, "POST": {302}},
    ),
    "invoice_export_progress": Route("object", build=finished_zip, unchanged=zip_unchanged),
    "invoice_export_download": Route("object", build=finished_zip, unchanged=zip_unchanged),
}
