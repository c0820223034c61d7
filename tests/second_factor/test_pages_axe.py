"""The second factor's pages in a real headless Chromium: set-up (first and after a wrong code),
the recovery codes, the second factor settings and the code page (first and after a wrong
code), each at a phone's and a desktop's width with no WCAG 2.2 A or AA violation axe-core
finds, nothing blocked by the Content-Security-Policy and no sideways scrolling. The journey
is the real one: password, set-up with a code made from the key, sign out, password and code.
"""

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from accounts.models import User
from actions.dates import LONDON
from tests.accessibility.conftest import (  # noqa: F401  (the Chromium fixtures)
    browser,
    chromium_for_the_module,
)
from tests.accessibility.test_workspace_pages_axe import (
    LISTEN_FOR_VIOLATIONS,
    VIEWPORTS,
    Tab,
    at_each_width,
)
from tests.second_factor.conftest import PASSWORD, code_for, person

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 12, 2, 10, 0, 5, tzinfo=LONDON)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    # Ticking on, in the test and in the live server's thread alike.
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def tab(browser: "Browser", live_server: "LiveServer", settings: Settings) -> Iterator[Tab]:  # noqa: F811
    settings.SECOND_FACTOR_FOR_STAFF = True
    context = browser.new_context(viewport=VIEWPORTS[0])  # type: ignore[arg-type]
    context.add_init_script(LISTEN_FOR_VIOLATIONS)
    context.set_default_timeout(10_000)
    opened = Tab(page=context.new_page(), origin=live_server.url)
    opened.page.on("console", opened.on_console)
    yield opened
    context.close()


def sign_in(tab: Tab, user: User) -> None:
    tab.open("/sign-in/?next=/workspace/plans/")
    tab.fill_in(user.email, PASSWORD)
    tab.submit("Sign in", status=200)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_setting_up_an_app_and_giving_the_code_have_no_violations(
    tab: Tab, clock: time_machine.Traveller
) -> None:
    administrator = person(is_staff=True)
    sign_in(tab, administrator)
    assert tab.heading() == "Set up your authenticator app"
    assert (
        tab.page.get_by_role("img", name="QR code to scan with your authenticator app").count() == 1
    )
    for _ in at_each_width(tab):
        tab.check("the set-up page")

    device = TOTPDevice.objects.get(user=administrator)
    tab.page.get_by_label("Code from your app").fill(wrong(code_for(device)))
    tab.submit("Finish setting up", status=200)
    assert tab.page.title().startswith("Error: Set up your authenticator app")
    for _ in at_each_width(tab):
        tab.check("the set-up page after a wrong code")

    clock.shift(2)  # past the wait after one wrong code
    tab.page.get_by_label("Code from your app").fill(code_for(device))
    tab.submit("Finish setting up", status=200)
    assert tab.heading() == "Your recovery codes"
    assert tab.page.locator("main ol li code").count() == 10
    for _ in at_each_width(tab):
        tab.check("the recovery codes")

    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="I have saved my recovery codes").click()
    assert tab.heading() == "Plans"

    tab.open("/workspace/settings/second-factor/")
    assert tab.heading() == "Second factor"
    for _ in at_each_width(tab):
        tab.check("the second factor settings")

    tab.submit("Sign out", status=200)
    clock.shift(30)  # a new code: each one works once
    sign_in(tab, administrator)
    assert tab.heading() == "Enter your code"
    for _ in at_each_width(tab):
        tab.check("the code page")

    tab.page.get_by_label("Enter your code").fill(wrong(code_for(device)))
    tab.submit("Continue", status=200)
    assert tab.page.title().startswith("Error: Enter your code")
    for _ in at_each_width(tab):
        tab.check("the code page after a wrong code")

    clock.shift(2)
    tab.page.get_by_label("Enter your code").fill(code_for(device))
    tab.submit("Continue", status=200)
    assert tab.heading() == "Plans"
    tab.assert_no_problems()
