import pytest
from arhub.services.accounts import user_signup
from arhub.services.tokens import api_token_create
from tests.browser.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser

def test_probe(new_page):
    user, org = user_signup(email="dana@whitfield-joinery.test", password=PASSWORD, full_name="Dana Whitfield", org_name="Whitfield Joinery")
    api_token_create(org=org, membership=user.memberships.get(), name="Accounting export")
    page = new_page("phone")
    log_in(page, "dana@whitfield-joinery.test", PASSWORD)
    for path in ("/settings/tokens/", "/settings/team/"):
        page.goto(path)
        print(path)
        for row in page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 360.5).map(e => `${e.tagName} ${e.className} ${getComputedStyle(e).overflowX} ${Math.round(e.getBoundingClientRect().right)} ${e.getBoundingClientRect().width}`)"""):
            print("  ", row)
