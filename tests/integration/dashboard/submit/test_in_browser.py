"""The submit form in a real browser: htmx details, live JSON checks, errors, then a submit."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from scheduler_core.bootstrap import get_services, reset_services
from tests.roles import role_group

from .helpers import NEW, task_count

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts"
PASSWORD = "a long and secret passphrase"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)"),
]


@pytest.mark.django_db(transaction=True)
def test_choose_check_correct_and_submit(live_server: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    reset_services()
    User.objects.create_user("olga", password=PASSWORD).groups.add(role_group("operator"))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", "olga")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(live_server.url + NEW)
        expect = sync_api.expect

        # Choosing a task fetches its description, and the default hints follow it.
        page.select_option("#id_task", "demo.tasks.greet")
        expect(page.locator("#task-details pre")).to_have_text("greet(name: str) -> str")
        expect(page.locator("#default-priority")).to_have_text("10")
        # With JavaScript the no-JS "show details" button is gone.
        expect(page.locator("button[data-nojs]")).to_be_hidden()

        # The editors check JSON syntax as one types.
        page.fill("#id_args", '["Ada",')
        expect(page.locator('[data-json-status-for="id_args"]')).to_contain_text("Not valid JSON")
        page.fill("#id_kwargs", "[]")
        expect(page.locator('[data-json-status-for="id_kwargs"]')).to_contain_text(
            "Must be a JSON object"
        )

        # The server refuses what is still wrong, next to each field, keeping the values.
        page.fill("#id_args", "[]")
        page.fill("#id_kwargs", '{"nme": "Ada"}')
        page.fill("#id_priority", "500")
        page.click("button.primary")
        expect(page.locator("#field-kwargs .errorlist")).to_contain_text(
            "unexpected keyword argument 'nme'"
        )
        expect(page.locator("#field-priority .errorlist")).to_be_visible()
        expect(page.locator("#id_kwargs")).to_have_value('{"nme": "Ada"}')
        page.screenshot(path=str(ARTIFACTS / "submit-form-errors.png"), full_page=True)

        # No CSP violation or script error so far (the task's page is another test's subject).
        assert problems == []
        page.fill("#id_kwargs", '{"name": "Ada"}')
        page.fill("#id_priority", "")
        page.click("button.primary")
        page.wait_for_url(re.compile(r"/tasks/[0-9a-f-]{36}/$"))
        browser.close()

    reset_services()
    assert task_count(get_services()) == 1
