"""Browser tests: the real pages in headless Chromium, driven by Playwright.

One live server (werkzeug, in a thread) serves the session's test `app`, so
it shares the run's database (SQLite file or PostgreSQL) and mailbox with the
test itself: rows made with the factories are visible to the pages. One
Chromium per session; each test gets a fresh browser context (no cookies).

Needs Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH) and axe-core
(`npm install`: node_modules/axe-core). Without them the tests are skipped,
or fail under CI=true. scripts/setup installs both.
"""

import contextlib
import os
import threading

import pytest

from tests.browser.support import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, artifact_path


def _in_ci():
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def _missing_tools():
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright Python package (scripts/setup)")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM} (scripts/setup installs Debian's chromium; or set CHROMIUM_PATH)")
    if not AXE_SCRIPT.is_file():
        missing.append(f"axe-core at {AXE_SCRIPT.relative_to(ROOT)} (run `npm install` at the repository root)")
    return missing


@pytest.fixture(scope="session")
def browser_tools():
    """Skips the browser tests when Chromium or axe-core is missing; under CI=true that is a failure."""
    missing = _missing_tools()
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if _in_ci():
            pytest.fail(reason + " (CI=true: browser tests may not be skipped)", pytrace=False)
        pytest.skip(reason)


# --- the live server -------------------------------------------------------------


@pytest.fixture(scope="session")
def _live_server(app, browser_tools):
    from werkzeug.serving import make_server

    # Port 0: the system picks a free port; threaded, as a browser fetches in parallel.
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(app, _live_server, monkeypatch):
    """The live server's base URL; links in e-mails point at it during the test."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", _live_server)
    return _live_server


# --- the browser -------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(browser_tools):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, request):
    """new_page(viewport=DESKTOP) -> a page in a fresh browser context (another person's browser).

    On a test failure every page's screenshot goes to test-artifacts/.
    """
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(base_url=live_server, viewport=viewport, locale="en")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for number, context in enumerate(contexts):
        if failed:
            for index, page in enumerate(context.pages):
                _screenshot(page, f"{request.node.name}-{number}-{index}-failure.png")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def _screenshot(page, filename):
    # A crashed page must not hide the test's own failure.
    with contextlib.suppress(Exception):
        page.screenshot(path=artifact_path(filename), full_page=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
