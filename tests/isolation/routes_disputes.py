"""Isolation sweep entries for the dashboard's dispute pages and ``/api/v1/disputes/``.

Object routes use the sweep's standard check: B's dispute (and B's attachment, even under A's
dispute id) is a 404 for every method, and A's own gets through. The API list is custom: B's
disputes are never listed, and B's invoice or lines in a body are a 400 naming the field that
records nothing. A dispute's message carries its organization's name, so B's showing anywhere
is also caught by the sweep's marker check.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes.models import Dispute, DisputeReason
from disputes.services import dispute_open
from tests.conftest import Tenant
from tests.isolation.builders import new_invoice
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    request_as_a,
    sweep_object,
)

PDF = b"%PDF-1.7\n% isolation sweep\n%%EOF\n"


def new_dispute(tenant: Tenant) -> Dispute:
    name = tenant.org.name
    return dispute_open(
        org=tenant.org,
        invoice=new_invoice(tenant),
        reason=DisputeReason.WRONG_AMOUNT,
        message=f"{name} customer says the amount is wrong",
        files=[SimpleUploadedFile(f"{tenant.org.slug}-receipt.pdf", PDF)],
    )


def dispute_unchanged(built: Dispute) -> None:
    current = Dispute.objects.filter(pk=built.pk).first()
    assert current is not None, "org B's dispute was deleted"
    assert (current.status, current.outcome, current.credit_note_id) == (
        built.status,
        built.outcome,
        built.credit_note_id,
    ), "org B's dispute changed"
    assert current.messages.count() == 1, "a message was added to org B's dispute"
    assert current.attachments.count() == 1, "org B's attachments changed"


def attachment_kwargs(dispute: Dispute) -> dict[str, int]:
    attachment = dispute.attachments.get()
    return {"pk": dispute.pk, "attachment_pk": attachment.pk}


def api_kwargs(dispute: Dispute) -> dict[str, int]:
    return {"dispute_id": dispute.pk}


def api_attachment_kwargs(dispute: Dispute) -> dict[str, int]:
    attachment = dispute.attachments.get()
    return {"dispute_id": dispute.pk, "attachment_id": attachment.pk}


def sweep_foreign_attachment(world: World, found: FoundRoute, route: Route) -> None:
    """B's attachment under A's own dispute id: still a 404."""
    a_dispute, b_dispute = new_dispute(world.a), new_dispute(world.b)
    b_attachment = b_dispute.attachments.get()
    assert found.name
    url = reverse(found.name, args=[a_dispute.pk, b_attachment.pk])
    for who, make_client in a_clients(world, found):
        check_hidden(request_as_a(world, make_client(), "GET", url, None, who), f"GET {url}")


def sweep_attachment(world: World, found: FoundRoute, route: Route) -> None:
    sweep_object(world, found, route)
    sweep_foreign_attachment(world, found, route)


def sweep_api_list(world: World, found: FoundRoute, route: Route) -> None:
    b_dispute, a_dispute = new_dispute(world.b), new_dispute(world.a)
    b_invoice = b_dispute.invoice
    b_line = b_invoice.lines.get()
    url = "/api/v1/disputes/"
    before = Dispute.objects.filter(organization=world.a.org).count()
    for who, make_client in a_clients(world, found):
        client = make_client()
        for query in ("", "?status=open", f"?invoice={b_invoice.pk}"):
            response = request_as_a(world, client, "GET", url + query, None, who)
            assert response.status_code == 200, f"GET {url}{query} as {who}: {response}"
            shown = {row["id"] for row in response.json()["results"]}
            assert b_dispute.pk not in shown, f"GET {url}{query} as {who} lists B's dispute"
            if "invoice" not in query:
                assert a_dispute.pk in shown, f"control: GET {url}{query} misses A's dispute"
        body = {"invoice": b_invoice.pk, "reason": "other", "message": "Acme"}
        response = request_as_a(world, client, "POST", url, body, who)
        assert response.status_code == 400 and "invoice" in response.json(), response
        a_invoice = new_invoice(world.a)
        body = {"invoice": a_invoice.pk, "reason": "other", "message": "Acme", "lines": [b_line.pk]}
        response = request_as_a(world, client, "POST", url, body, who)
        assert response.status_code == 400 and "lines" in response.json(), response
    assert Dispute.objects.filter(organization=world.a.org).count() == before
    # Control: A's own invoice records a dispute.
    body = {"invoice": new_invoice(world.a).pk, "reason": "other", "message": "Acme"}
    response = world.a.api().post(url, body, content_type="application/json")
    assert response.status_code == 201, f"control: recording on A's invoice gave {response}"


NOTE = {"body": "Acme note", "visibility": "internal"}
RESOLVE = {"outcome": "no_change", "message": "Acme explains the invoice stands"}

ROUTES: dict[str, Route] = {
    "dispute_settings": Route(
        "org_page", data={"POST": {"response_target_days": "3"}}, expect={"POST": {302}}
    ),
    "dispute_detail": Route("object", build=new_dispute, unchanged=dispute_unchanged),
    "dispute_reply": Route(
        "object",
        build=new_dispute,
        unchanged=dispute_unchanged,
        data={"POST": NOTE},
        expect={"POST": {302}},
    ),
    "dispute_review": Route(
        "object", build=new_dispute, unchanged=dispute_unchanged, expect={"POST": {302}}
    ),
    "dispute_resolve": Route(
        "object",
        build=new_dispute,
        unchanged=dispute_unchanged,
        data={"POST": RESOLVE},
        expect={"POST": {302}},
    ),
    "dispute_attachment": Route(
        "custom",
        build=new_dispute,
        kwargs=attachment_kwargs,
        unchanged=dispute_unchanged,
        custom=sweep_attachment,
    ),
    "api_disputes": Route("custom", custom=sweep_api_list),
    "api_dispute": Route(
        "object", build=new_dispute, kwargs=api_kwargs, unchanged=dispute_unchanged
    ),
    "api_dispute_reply": Route(
        "object",
        build=new_dispute,
        kwargs=api_kwargs,
        unchanged=dispute_unchanged,
        data={"POST": {"body": "Acme note", "internal": True}},
        expect={"POST": {201}},
    ),
    "api_dispute_review": Route(
        "object",
        build=new_dispute,
        kwargs=api_kwargs,
        unchanged=dispute_unchanged,
        expect={"POST": {200}},
    ),
    "api_dispute_resolve": Route(
        "object",
        build=new_dispute,
        kwargs=api_kwargs,
        unchanged=dispute_unchanged,
        data={"POST": RESOLVE},
        expect={"POST": {200}},
    ),
    "api_dispute_attachment": Route(
        "custom",
        build=new_dispute,
        kwargs=api_attachment_kwargs,
        unchanged=dispute_unchanged,
        custom=sweep_attachment,
    ),
}
