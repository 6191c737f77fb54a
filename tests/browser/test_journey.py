"""An administrator invites someone; they accept from the e-mail, make an API token and sign out."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.support import assert_accessible, sign_in, sign_out
from tests.support import URL_IN_TEXT, text_body

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a long and new passphrase"


def test_invitation_journey(new_page, live_server, make_user, mailbox):
    admin_page = new_page()
    sign_in(admin_page, make_user(["admin"], name="Ada Admin").email)
    admin_page.get_by_role("navigation", name="Main").get_by_role("link", name="Invitations").click()
    admin_page.wait_for_url("**/invitations")

    admin_page.get_by_label("E-mail address").fill("newcomer@example.eu")
    admin_page.get_by_label("Organisation (optional)").fill("Port of Antwerp")
    admin_page.get_by_label("Contributor", exact=True).check()
    with admin_page.expect_navigation():
        admin_page.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to newcomer@example.eu." in admin_page.get_by_role("status").inner_text()
    row = admin_page.get_by_role("row", name=re.compile("newcomer@example.eu"))
    assert "open until" in row.inner_text()
    assert_accessible(admin_page, "invitations-with-one-sent")

    (message,) = mailbox.wait_for(1, recipient="newcomer@example.eu")
    links = [url for url in URL_IN_TEXT.findall(text_body(message)) if "/invitations/accept/" in url]
    assert links and links[0].startswith(live_server + "/"), f"no link to this server in:\n{text_body(message)}"

    # The invitee, in their own browser.
    page = new_page()
    page.goto(links[0])
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome to CERIS Exchange"
    assert page.get_by_label("Organisation", exact=True).input_value() == "Port of Antwerp"
    assert_accessible(page, "accept-invitation")
    page.get_by_label("Full name").fill("Nina Newcomer")
    page.get_by_label("Organisation", exact=True).fill("Port of Antwerp-Bruges")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create my account").click()

    assert urlsplit(page.url).path == "/profile"
    assert "Your account is ready" in page.get_by_role("status").first.inner_text()
    assert page.locator("header").get_by_role("link", name="Nina Newcomer").is_visible()
    assert "newcomer@example.eu" in page.locator("main dl").inner_text()

    page.get_by_label("What the token is for").fill("Workshop notes importer")
    with page.expect_navigation():
        page.get_by_role("button", name="Create a token").click()
    token = page.locator("code.token").inner_text().strip()
    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200 and me.json()["email"] == "newcomer@example.eu"
    assert page.get_by_role("button", name="Revoke token Workshop notes importer").is_visible()

    sign_out(page)
    assert "You are signed out." in page.get_by_role("status").inner_text()
    assert urlsplit(page.goto("/profile").url).path == "/login"

    # The administrator sees the invitation taken up.
    admin_page.reload()
    assert "accepted" in admin_page.get_by_role("row", name=re.compile("newcomer@example.eu")).inner_text()
