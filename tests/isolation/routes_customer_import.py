"""Isolation sweep entries for importing customers from CSV."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from invoicing.import_services import customer_import_preview
from invoicing.models import CustomerImport, ImportStatus
from tests.conftest import Tenant
from tests.isolation.sweep import Route


def previewed_import(tenant: Tenant) -> CustomerImport:
    """A previewed import whose file, rows and errors all carry the tenant's name, so a page of
    A's that showed B's import would show one of B's markers."""
    name = tenant.org.name
    content = (
        "name,email,external_id\n"
        f"{name} first customer,first@customer.example,{name} 1\n"
        f"{name} broken row,not-an-email,{name} 2\n"
    ).encode()
    return customer_import_preview(
        org=tenant.org,
        actor=tenant.owner.user,
        file_name=f"{name} customers.csv",
        content=content,
    )


def import_unchanged(built: CustomerImport) -> None:
    current = CustomerImport.objects.get(pk=built.pk)
    assert current.status == ImportStatus.PREVIEWED, f"org B's import became {current.status}"
    assert current.rows == built.rows, "org B's import rows changed"
    assert current.processed == 0, "org B's import progressed"


def upload() -> dict[str, object]:
    csv = b"name,email\nAcme Widgets,ap@widgets.example\n"
    return {"file": SimpleUploadedFile("acme.csv", csv, content_type="text/csv")}


ROUTES: dict[str, Route] = {
    "customer_import": Route("org_page", data={"POST": upload}, expect={"POST": {302}}),
    "customer_import_template": Route("org_page"),
    "customer_import_detail": Route(
        "object",
        build=previewed_import,
        unchanged=import_unchanged,
        expect={"POST": {302}},
    ),
    "customer_import_progress": Route("object", build=previewed_import, unchanged=import_unchanged),
}
