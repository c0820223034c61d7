"""Single sign-on in a real headless Chromium against a real OpenID provider on loopback: the
sign-in page with the organisations' buttons, signing in and out through the provider (no
redirect blocked by the Content-Security-Policy), and the pages for someone refused. At a
phone's and a desktop's width each page has no WCAG 2.2 A or AA violation that axe-core finds.
"""

import pytest

from tests.accessibility import test_workspace_pages_axe as workspace_pages
from tests.accessibility.test_workspace_pages_axe import Tab, at_each_width
from tests.sso import conftest as sso_world
from tests.sso.conftest import COUNCIL_DOMAIN, Providers, council_person

# The fixtures of the workspace's pages (a browser tab) and of single sign-on (the providers).
tab = workspace_pages.tab
stand_ins = sso_world.stand_ins
sso = sso_world.sso

pytestmark = pytest.mark.django_db(transaction=True)


def test_signing_in_and_out_through_the_council_in_a_browser(tab: Tab, sso: Providers) -> None:
    council_person()
    sso.council.sign_in_as({"email": f"jo.bloggs@{COUNCIL_DOMAIN}", "email_verified": True})
    for _ in at_each_width(tab):
        tab.open("/sign-in/")
        assert tab.page.get_by_role("button", name="Sign in with Northshire NHS").count() == 1
        tab.check("the sign-in page with single sign-on")

    tab.submit("Sign in with Northshire Council", status=200)
    assert tab.heading() == "What needs you"
    tab.check('"What needs you" after single sign-on')

    tab.submit("Sign out (jo.bloggs@northshire.gov.uk)", status=200)
    # Back from the provider's sign-out, on the signed-out home page.
    assert tab.page.url == f"{tab.origin}/"
    assert "You have signed out." in tab.page.locator("main").inner_text()
    assert [e["kind"] for e in sso.council.seen()][-1] == "end_session"
    tab.check("the home page after signing out through the provider")
    tab.assert_no_problems()


def test_the_pages_for_someone_refused_have_no_violations(tab: Tab, sso: Providers) -> None:
    sso.council.sign_in_as({"email": f"new.starter@{COUNCIL_DOMAIN}", "email_verified": True})
    for _ in at_each_width(tab):
        tab.open("/sign-in/")
        tab.submit("Sign in with Northshire Council", status=403)
        assert tab.heading() == "You do not have an account yet"
        tab.check("the page for someone without an account")

    sso.council.sign_in_as({"email": f"new.starter@{COUNCIL_DOMAIN}"}, tamper="payload")
    for _ in at_each_width(tab):
        tab.open("/sign-in/")
        tab.submit("Sign in with Northshire Council", status=400)
        assert tab.heading() == "Signing in did not work"
        tab.check("the page for a sign-in that failed a check")
    tab.assert_no_problems()
