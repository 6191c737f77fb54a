"""The stay-tuned pages with real content: the subscribe form (and its errors), a subscriber's preferences page, the
unsubscribe button and the page after it. The route table gives test_accessibility.py only links that do not work
(410) for these. Checked with axe and for sideways scrolling at desktop width and at 390px."""

import pytest

from tests.browser.support import DESKTOP, artifact_path, assert_accessible
from tests.browser.test_layout import overflow
from tests.subscriptions.support import subscribed

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)], ids=["desktop", "phone"])
def test_stay_tuned_pages_are_accessible(app, new_page, viewport_name, viewport):
    from app.extensions import db
    from app.subscriptions import services
    from app.subscriptions.models import Subscription

    subscription_id = subscribed(app, "ana@example.eu", ["BM", "CS"], topics=["reports", "workshop_calls"])
    with app.test_request_context():
        subscription = db.session.get(Subscription, subscription_id)
        preferences = "/subscriptions/preferences/" + services.preferences_token(subscription.email)
        unsubscribe = "/subscriptions/unsubscribe/" + services.unsubscribe_token(subscription)
    problems = []

    def look(page, name, expect):
        page.screenshot(path=artifact_path(f"subscriptions-{viewport_name}-{name}.png"), full_page=True)
        if expect not in page.locator("main").inner_text():
            problems.append(f"{name}: {expect!r} not on the page")
        result = overflow(page)
        if result["extra"] > 0:
            problems.append(f"{name}: {result['extra']}px too wide at {viewport['width']}px ({', '.join(result['offenders'])})")
        try:
            assert_accessible(page, f"subscriptions-{viewport_name}-{name}")
        except AssertionError as failure:
            problems.append(str(failure))

    page = new_page(viewport)
    page.goto("/subscribe")
    look(page, "subscribe", "Tell me about")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Subscribe").click()
    look(page, "subscribe-errors", "Choose at least one thematic area.")

    page.goto(preferences)
    look(page, "preferences", "Save my preferences")
    page.goto(unsubscribe)
    look(page, "unsubscribe", "Nothing changes until you press the button.")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Unsubscribe").click()
    look(page, "unsubscribed", "You are unsubscribed")
    assert not problems, "\n".join(problems)
