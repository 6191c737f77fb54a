"""Keyboard only: the skip link comes first and the login form works without a mouse."""

from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

FOCUSED = "document.activeElement"


def focused(page, expression):
    return page.evaluate(f"(() => {{ const el = {FOCUSED}; return {expression}; }})()")


def test_skip_link_comes_first_and_moves_focus_to_main(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert focused(page, "el.textContent.trim()") == "Skip to main content"
    box = page.get_by_role("link", name="Skip to main content").bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none", "the skip link shows no focus outline"

    page.keyboard.press("Enter")
    assert focused(page, "el.id") == "main"
    # The next Tab continues inside main: the first form field.
    page.keyboard.press("Tab")
    assert focused(page, "el.name") == "email"


def test_login_with_the_keyboard_alone(page, make_user):
    user = make_user(["contributor"], name="Kim Keyboard")
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Enter")  # to main
    page.keyboard.press("Tab")
    assert focused(page, "el.name") == "email"
    assert focused(page, "getComputedStyle(el).outlineStyle") != "none", "focused fields must show where focus is"
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page, "el.name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    assert focused(page, "el.name") == "remember"
    page.keyboard.press("Space")
    assert focused(page, "el.checked") is True
    page.keyboard.press("Tab")
    assert focused(page, "el.tagName + ' ' + el.textContent.trim()") == "BUTTON Sign in"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/"
    assert "Welcome, Kim Keyboard." in page.get_by_role("status").inner_text()
    assert page.locator("header").get_by_role("link", name="Kim Keyboard").is_visible()
