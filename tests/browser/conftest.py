"""Browser tests: Playwright driving the system's Chromium (Debian's ``chromium`` package;
no browser download), against the sandbox loop of the e2e tests on SQLite."""

from __future__ import annotations

import os
import queue
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from ghltt.store.tokens import token_file
from tests.e2e.conftest import Loop, open_loop

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "dashboard"


@pytest.fixture
def page() -> Iterator[Page]:
    """A page of its own Chromium, stopped with the test: Playwright's sync API runs an event
    loop in the test's thread while it lives, and a session-wide one (pytest-playwright's) would
    leave every later test of the same process unable to start its own."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        # --no-sandbox: CI and containers run as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        finally:
            browser.close()


@pytest.fixture
def loop(tmp_path: Path) -> Iterator[Loop]:
    """The e2e loop, opened in a thread of its own: Playwright's sync API keeps an event loop
    in the test's thread, where the loop's set-up could not run its own."""
    opened: queue.Queue[Loop | BaseException] = queue.Queue()
    done = threading.Event()

    def hold() -> None:
        try:
            with open_loop(f"sqlite:///{tmp_path / 'ghltt.sqlite'}", tmp_path) as running:
                opened.put(running)
                done.wait()
        except BaseException as exc:
            opened.put(exc)

    thread = threading.Thread(target=hold, name="e2e-loop", daemon=True)
    thread.start()
    found = opened.get(timeout=120)
    if isinstance(found, BaseException):
        raise found
    try:
        yield found
    finally:
        done.set()
        thread.join(timeout=30)


def log_in(page: Page, loop: Loop) -> None:
    page.goto(loop.settings.public_url + "/")
    assert page.url.endswith("/login?next=%2F")
    page.get_by_label("API token or dashboard password").fill(
        token_file(loop.settings.data_dir).read_text().strip()
    )
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(loop.settings.public_url + "/")


def screenshot(page: Page, name: str) -> None:
    """The docs show the pages as these tests last saw them."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
