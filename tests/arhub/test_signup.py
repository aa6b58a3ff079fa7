import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from arhub.models import AuditEvent, Membership, Organization
from arhub.roles import Role
from arhub.services.accounts import organization_create, user_signup
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

GOOD = {
    "full_name": "Ada Baker",
    "email": "Ada@Example.test",
    "password": "plum-orchard-tuesday",
    "org_name": "Baker & Sons",
    "currency": "EUR",
    "timezone": "Europe/Dublin",
}


def counts():
    return User.objects.count(), Organization.objects.count(), Membership.objects.count()


def test_signup_creates_user_org_and_owner_membership():
    user, org = user_signup(**GOOD)
    assert user.email == "ada@example.test"
    assert user.check_password(GOOD["password"])
    assert (org.slug, org.default_currency, org.timezone) == ("baker-sons", "EUR", "Europe/Dublin")
    membership = Membership.objects.get(user=user, organization=org)
    assert membership.role == Role.OWNER
    assert AuditEvent.objects.filter(organization=org, action="org.created").exists()


def test_signup_view_logs_in_and_lands_on_dashboard(client):
    response = client.post("/signup/", GOOD, follow=True)
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "Baker &amp; Sons" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.signed_in").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "taken@example.test"}, "email", "already exists"),
        ({"password": "password123"}, "password", "too common"),
        ({"password": "short"}, "password", "too short"),
        ({"org_name": "Taken Co!"}, "org_name", "already exists"),
        ({"org_name": "!!!"}, "org_name", "at least one letter or digit"),
    ],
)
def test_bad_signup_shows_the_error_and_creates_nothing(client, change, field, message):
    UserFactory(email="taken@example.test")
    OrganizationFactory(name="Taken Co", slug="taken-co")
    before = counts()
    response = client.post("/signup/", {**GOOD, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert counts() == before


def test_signup_refuses_case_variant_of_existing_email():
    UserFactory(email="ada@example.test")
    with pytest.raises(ValidationError) as exc:
        user_signup(**{**GOOD, "email": "ADA@example.test"})
    assert "email" in exc.value.message_dict


def test_organization_create_validates_currency_and_zone():
    owner = UserFactory()
    with pytest.raises(ValidationError) as exc:
        organization_create(owner=owner, name="X Ltd", currency="ABC", timezone="Mars/Base")
    assert set(exc.value.message_dict) == {"currency", "timezone"}
    assert not Organization.objects.filter(slug="x-ltd").exists()


def test_reserved_slug_is_refused():
    with pytest.raises(ValidationError, match="reserved"):
        organization_create(owner=UserFactory(), name="API")


def test_user_can_create_a_second_org_and_switch(tenant, other_tenant):
    client = tenant.client()
    response = client.post(
        "/orgs/new/",
        {"org_name": "Side Business", "currency": "USD", "timezone": "UTC"},
        follow=True,
    )
    assert "<h1>Side Business</h1>" in response.content.decode()
    client.post("/orgs/switch/", {"organization": tenant.org.pk})
    assert f"<h1>{tenant.org.name}</h1>" in client.get("/dashboard/").content.decode()
    # Someone else's organization cannot be switched to: it does not exist as far as we are told.
    assert client.post("/orgs/switch/", {"organization": other_tenant.org.pk}).status_code == 404
    assert client.post("/orgs/switch/", {"organization": "nonsense"}).status_code == 404
    assert f"<h1>{tenant.org.name}</h1>" in client.get("/dashboard/").content.decode()


def test_user_without_organization_is_asked_to_create_one(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/orgs/new/"


def test_a_plain_page_view_does_not_rewrite_the_session(tenant):
    client = tenant.client()
    key = client.session.session_key
    before = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=5)):
        assert client.get("/dashboard/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before
