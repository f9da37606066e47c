"""One chromium for the accessibility check (tests/browser/conftest.py's launch
arguments), and the axe-core script it injects."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.a11y.axe import axe_script_path
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def a11y_browser() -> Iterator[Browser]:
    axe_script_path()
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # around it are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
