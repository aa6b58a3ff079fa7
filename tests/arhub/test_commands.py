from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.test import Client

from arhub.models import AuditAction, AuditEvent, Membership, Organization, User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_createorg_prints_slug_and_apitoken_prints_a_working_token():
    slug = run(
        "createorg", "--name", "Harbour Tiles", "--owner-email", "o@harbour.test",
        "--password", "tile-harbour-secret", "--currency", "NZD", "--timezone", "Pacific/Auckland",
    )  # fmt: skip
    assert slug == "harbour-tiles"
    org = Organization.objects.get(slug=slug)
    assert (org.default_currency, org.timezone) == ("NZD", "Pacific/Auckland")
    secret = run("apitoken", "--email", "o@harbour.test", "--org", slug)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/organization/")
    assert response.json()["name"] == "Harbour Tiles"


def test_createorg_refuses_bad_input_and_creates_nothing():
    with pytest.raises(CommandError, match="password"):
        run("createorg", "--name", "A", "--owner-email", "a@a.test", "--password", "123")
    with pytest.raises(CommandError, match="currency"):
        run("createorg", "--name", "B", "--owner-email", "b@b.test", "--password", "x-long-pass-1",
            "--currency", "NOPE")  # fmt: skip
    assert not User.objects.exists()
    assert not Organization.objects.exists()


def test_apitoken_for_non_member_fails():
    with pytest.raises(CommandError, match="not a member"):
        run("apitoken", "--email", "x@x.test", "--org", "nowhere")


def snapshot(slug: str) -> list[tuple]:
    """The history seed_demo writes itself (each row from a documentation address) and the
    organization's creation. The apps' demo data (payments, late fees, their settings) is
    audited by their own services, without an address; their tests check it."""
    return list(
        AuditEvent.objects.filter(organization__slug=slug)
        .filter(Q(ip_address__isnull=False) | Q(action=AuditAction.ORG_CREATED))
        .order_by("created_at", "summary", "ip_address")
        .values_list("action", "summary", "ip_address", "created_at", "actor_email")
    )


def test_seed_demo_is_deterministic_and_reusable():
    run("seed_demo", "--org", "one", "--seed", "7", "--events", "50", "--today", "2027-03-01")
    run("seed_demo", "--org", "two", "--seed", "7", "--events", "50", "--today", "2027-03-01")
    first, second = snapshot("one"), snapshot("two")
    assert len(first) == 50 + 1  # the history plus the org's own creation

    def history(rows):
        # The same people in each demo org differ only by the +slug in their address.
        return [(r[0], r[2], r[3], r[4].split("+")[0]) for r in rows if r[0] != "org.created"]

    assert history(first) == history(second)
    run("seed_demo", "--org", "three", "--seed", "8", "--events", "50", "--today", "2027-03-01")
    assert history(snapshot("three")) != history(first)
    assert Membership.objects.filter(organization__slug="one").count() == 4
    assert "reusing" in run("seed_demo", "--org", "one", "--if-missing")
    with pytest.raises(CommandError, match="exists already"):
        run("seed_demo", "--org", "one")


def test_demo_login_works(client):
    from arhub.management.commands.seed_demo import DEMO_PASSWORD

    run("seed_demo", "--events", "0")
    response = client.post("/login/", {"username": "demo@arhub.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Larkspur Bakery" in client.get("/dashboard/").content.decode()
