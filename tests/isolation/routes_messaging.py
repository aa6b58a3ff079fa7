"""Isolation sweep entries for messaging in the dashboard and the API: the message log, and
Settings -> Messages (the wording editor, its preview and reset).

B gets its own wording and messages, each with a marker string no page of A's could contain;
every check below also runs the sweep's standard checks (B's rows unchanged, no mail about B).
"""

from __future__ import annotations

from django.urls import reverse

from arhub.models import Message, MessageTemplate
from invoicing.models import Customer
from tests.conftest import Tenant
from tests.isolation.sweep import (
    FoundRoute,
    Route,
    World,
    a_clients,
    check_hidden,
    check_no_leak,
    request_as_a,
    send,
)
from tests.messaging_factories import (
    MessageFactory,
    MessageTemplateFactory,
    MessagingContactFactory,
    MessagingCustomerFactory,
)

TEMPLATE = {"kind": "reminder", "channel": "email", "language": "en"}


def secret_wording(tenant: Tenant) -> MessageTemplate:
    return MessageTemplateFactory(
        organization=tenant.org,
        subject=f"{tenant.org.name} private subject",
        body=f"{tenant.org.name} private wording for {{contact_name}}",
        **TEMPLATE,
    )


def customer_with_messages(tenant: Tenant) -> Customer:
    customer = MessagingCustomerFactory(
        organization=tenant.org, display_name=f"{tenant.org.name} customer for messages"
    )
    MessagingContactFactory(
        customer=customer, name=f"{tenant.org.name} contact", email="c@cust.test"
    )
    MessageFactory(customer=customer, body_text=f"{tenant.org.name} private message body")
    return customer


def markers(world: World) -> list[str]:
    """B's messaging strings, on top of the sweep's own markers."""
    org = world.b.org
    extra = list(MessageTemplate.objects.for_org(org).values_list("body", flat=True))
    extra += Message.objects.for_org(org).values_list("body_text", flat=True)
    extra += Customer.objects.for_org(org).values_list("display_name", flat=True)
    return [marker for marker in [*world.b_markers(), *extra] if marker]


def request(world: World, client, method, url, data, who):  # type: ignore[no-untyped-def]
    response = request_as_a(world, client, method, url, data, who)
    check_no_leak(response, markers(world), f"{method} {url} as {who}")
    return response


# ---- The API log


def sweep_api_messages(world: World, found: FoundRoute, route: Route) -> None:
    theirs = customer_with_messages(world.b)
    ours = customer_with_messages(world.a)
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        response = request(world, make_client(), "GET", url, None, who)
        assert response.status_code == 200, f"GET {url} as {who}: {response.status_code}"
        rows = response.json()["results"]
        assert rows and all(row["customer"] == ours.pk for row in rows), rows

        response = request(world, make_client(), "GET", f"{url}?customer={theirs.pk}", None, who)
        check_hidden(response, f"GET {url}?customer=<B's customer> as {who}")

        control = send(make_client(), "GET", f"{url}?customer={ours.pk}", None)
        assert control.status_code == 200, f"control: A's own customer gave {control.status_code}"


# ---- Settings -> Messages


def sweep_template_list(world: World, found: FoundRoute, route: Route) -> None:
    secret_wording(world.b)
    url = reverse(found.name or "")
    for who, make_client in a_clients(world, found):
        response = request(world, make_client(), "GET", url, None, who)
        assert response.status_code == 200
        # B's own wording must not make A's cell read "Your wording".
        assert "Your wording" not in response.content.decode(), who


def sweep_template_edit(world: World, found: FoundRoute, route: Route) -> None:
    b_wording = secret_wording(world.b)
    theirs = customer_with_messages(world.b)
    ours = customer_with_messages(world.a)
    url = reverse(found.name or "", kwargs=TEMPLATE)
    for who, make_client in a_clients(world, found):
        MessageTemplate.objects.for_org(world.a.org).delete()  # the last round saved A's
        client = make_client()
        response = request(world, client, "GET", url, None, who)
        assert response.status_code == 200
        assert "The built-in wording." in response.content.decode(), who

        response = request(world, client, "GET", f"{url}?customer={theirs.pk}", None, who)
        check_hidden(response, f"GET {url}?customer=<B's customer> as {who}")
        preview = {"action": "preview", "subject": "Hi", "body": "Hi {contact_name}"}
        response = request(world, client, "POST", url, {**preview, "customer": theirs.pk}, who)
        check_hidden(response, f"POST {url} preview on B's customer as {who}")
        control = send(client, "POST", url, {**preview, "customer": ours.pk})
        assert control.status_code == 200, f"control: preview on A's customer: {control}"

        # A saves A's wording; B's stays as it was (the snapshot compares every row of B's).
        save = {"action": "save", "subject": "Ours", "body": "Acme words {contact_name}"}
        response = request(world, client, "POST", url, save, who)
        assert response.status_code == 302, f"POST {url} as {who}: {response.status_code}"
    assert MessageTemplate.objects.get(pk=b_wording.pk).body == b_wording.body


def sweep_template_preview(world: World, found: FoundRoute, route: Route) -> None:
    secret_wording(world.b)
    theirs = customer_with_messages(world.b)
    ours = customer_with_messages(world.a)
    url = reverse(found.name or "", kwargs=TEMPLATE)
    body = {"subject": "Hi", "body": "Hi {contact_name}"}
    for who, make_client in a_clients(world, found):
        response = request(world, make_client(), "POST", url, {**body, "customer": theirs.pk}, who)
        check_hidden(response, f"POST {url} with B's customer as {who}")
        response = request(world, make_client(), "POST", url, {**body, "customer": ours.pk}, who)
        assert response.status_code == 200, f"control: A's customer gave {response.status_code}"
        assert "Acme Plumbing contact" in response.json()["preview"]["text"]


def sweep_template_reset(world: World, found: FoundRoute, route: Route) -> None:
    b_wording = secret_wording(world.b)
    url = reverse(found.name or "", kwargs=TEMPLATE)
    for who, make_client in a_clients(world, found):
        secret_wording(world.a)
        response = request(world, make_client(), "POST", url, {}, who)
        assert response.status_code == 302, f"POST {url} as {who}: {response.status_code}"
        assert not MessageTemplate.objects.for_org(world.a.org).exists(), "A's reset did nothing"
    assert MessageTemplate.objects.filter(pk=b_wording.pk).exists(), "A reset B's wording"


ROUTES: dict[str, Route] = {
    "api_messages": Route("custom", custom=sweep_api_messages),
    "message_templates": Route("custom", custom=sweep_template_list),
    "message_template_edit": Route("custom", custom=sweep_template_edit),
    "message_template_preview": Route("custom", custom=sweep_template_preview),
    "message_template_reset": Route("custom", custom=sweep_template_reset),
}
