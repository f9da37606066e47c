"""One chromium for the accessibility check (tests/browser/conftest.py's launch
arguments), and the axe-core script it injects."""

import pytest
from playwright.sync_api import Browser

from tests.a11y.axe import axe_script_path


@pytest.fixture(scope="session")
def a11y_browser(browser: Browser) -> Browser:
    """The browser tests' chromium (tests/conftest.py), once axe-core is there."""
    axe_script_path()
    return browser
