import pytest

from arhub.roles import Role

pytestmark = pytest.mark.django_db


def test_dashboard_renders_for_every_role(tenant):
    for role in Role.values:
        response = tenant.client(role).get("/dashboard/")
        assert response.status_code == 200, role
        assert tenant.org.name in response.content.decode()
