"""A real headless Chromium (Debian's package) driven by Playwright, never a downloaded one.

Without Chromium (or Playwright) the tests skip and say why; on CI (CI=true) they fail, as a
green run there must mean the pages were checked.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.db import connections

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    named = os.environ.get("CHROMIUM_PATH")
    if named:
        return named if Path(named).is_file() else None
    for candidate in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (required on CI: apt-get install -y chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium_for_the_module() -> Iterator["Browser"]:
    """One Chromium for a module's tests: starting Playwright's driver and the browser costs
    about a second of processor time, which a hundred tests paid each. Each test still gets
    a browser with no contexts, pages, cookies or storage left by the one before."""
    executable = _chromium()
    if executable is None:
        _unavailable(
            "Chromium is not installed (apt-get install -y chromium), or CHROMIUM_PATH is wrong"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API runs an event loop in this thread while it is open; the
        # tests' own database calls are synchronous all the same, so Django's guard against
        # ORM calls in async code is off for the module.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Never fetch a browser build: the one installed is the one tested.
        patch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield launched
            finally:
                launched.close()
                connections.close_all()


@pytest.fixture
def browser(chromium_for_the_module: "Browser") -> Iterator["Browser"]:
    try:
        yield chromium_for_the_module
    finally:
        # What the test opened goes with it: the next test starts from a browser as new.
        for context in list(chromium_for_the_module.contexts):
            context.close()
        # Database calls made while Playwright runs get connections of their own (its
        # event loop switches context); close them here, where they can be reached, or
        # the test database could not be dropped at the end of the run.
        connections.close_all()
