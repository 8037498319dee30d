"""Browser tests: Playwright driving the system's headless Chromium against a live site."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .site import PASSWORD, ROOT, Site, start_site

# Playwright cannot download a browser here; it drives Debian's chromium (.ci/run installs it).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

if not CHROMIUM:
    pytest.skip(
        "browser tests need Chromium: apt-get install chromium (or set CHROMIUM_PATH)",
        allow_module_level=True,
    )

# Playwright's sync API runs an event loop in this thread; these tests never touch the ORM
# in-process (the site runs in subprocesses), so Django's async-safety guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The product running on a database of its own: web server plus worker pool."""
    running = start_site(tmp_path_factory.mktemp("site"))
    yield running
    running.stop()


# Per module, not per session: Playwright's sync API keeps an asyncio loop running in this
# thread until it exits, and later tests in the same process (asyncio.run in them) must not
# find it there.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the test module."""
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, site: Site) -> Iterator[Page]:
    """A fresh browser tab (own cookies) on a laptop-sized window."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page: Page, username: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
