"""Every page passes axe-core's WCAG 2.1 A/AA rules, seen by a role that may see it.

The pages come from the route table in tests/test_routes_by_role.py, so a new
page is checked here as soon as it is in the table.
"""

import re

import pytest

from tests.browser.support import assert_accessible, axe_violations, sign_in
from tests.test_routes_by_role import ROUTES

pytestmark = pytest.mark.browser

# Rows that are not pages a person looks at (the form's as-you-type suggestions answer JSON).
NOT_PAGES = re.compile(r"^/(api/|static/|healthz$|contributions/suggestions$)")
# For pages limited to some roles, the first of these that may see it signs in.
ROLE_PREFERENCE = ["admin", "editor", "reviewer", "contributor"]
ANONYMOUS = "anonymous"


def pages_by_role():
    """{role: [(rule, sample URL, statuses the sample may answer)]} for every GET page in the route table."""
    pages = {}
    for (method, rule), (sample, access) in sorted(ROUTES.items()):
        if method != "GET" or NOT_PAGES.match(rule):
            continue
        if access["kind"] == "public":
            role = ANONYMOUS
        elif access["kind"] == "signed_in":
            role = "contributor"
        else:
            role = next(name for name in ROLE_PREFERENCE if name in access["roles"])
        pages.setdefault(role, []).append((rule, sample, access["ok"]))
    return pages


PAGES = pages_by_role()


def test_the_route_table_gives_pages_to_check():
    samples = {sample for pages in PAGES.values() for _rule, sample, _ok in pages}
    assert {"/", "/login", "/invitations/accept/not-a-token", "/profile", "/invitations", "/admin/"} <= samples
    # The explorer and the import page are walked here; a project's page and each state of an import,
    # with real rows, are in test_project_pages.py.
    assert {"/projects", "/admin/projects/import"} <= samples
    assert not any(rule.startswith(("/api/", "/static/")) for pages in PAGES.values() for rule, _s, _ok in pages)


# One test per role, signing in once through the login form, then every page
# that role is the one to check it; all pages' problems are reported together.
@pytest.mark.parametrize("role", sorted(PAGES))
def test_pages_are_accessible(page, make_user, role):
    if role != ANONYMOUS:
        sign_in(page, make_user([role], area_codes=["BM"]).email)
    problems = []
    for rule, sample, ok in PAGES[role]:
        if "{" in sample:
            problems.append(f"{rule}: sample {sample} has placeholders, which this test cannot fill yet")
            continue
        response = page.goto(sample)
        # Pages answering an error (an expired link: 410, a missing record: 404) are real pages too.
        if response.status not in ok:
            problems.append(f"{rule}: {sample} answered {response.status}, expected {sorted(ok)}")
        try:
            assert_accessible(page, f"{sample}-{role}")
        except AssertionError as failure:
            problems.append(f"{rule}: {failure}")
    assert not problems, f"as {role}:\n" + "\n\n".join(problems)


def test_not_found_page_is_accessible(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert_accessible(page, "404")


def test_login_form_with_errors_is_accessible(page, make_user):
    page.goto("/login")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    summary = page.get_by_role("alert")
    assert "Please correct the following" in summary.inner_text()
    assert page.get_by_label("E-mail address").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "login-empty")

    user = make_user(["contributor"])
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("not the password")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Sign in").click()
    assert "not correct" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "login-wrong-password")


def test_profile_after_creating_a_token_is_accessible(page, make_user):
    sign_in(page, make_user(["contributor"]).email)
    page.goto("/profile")
    page.get_by_label("What the token is for").fill("Report builder")
    with page.expect_navigation():
        page.get_by_role("button", name="Create a token").click()
    assert "Copy it now" in page.get_by_role("status").inner_text()
    assert page.get_by_role("row", name=re.compile("Report builder")).is_visible()
    assert_accessible(page, "profile-new-token")


def test_the_check_finds_violations(page, tmp_path):
    """The check bites: an input without a label fails it, naming the rule, and leaves artifacts."""
    page.set_content('<html lang="en"><title>x</title><main><input type="text"></main></html>')
    assert "label" in {violation["id"] for violation in axe_violations(page)}
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "unlabelled", artifacts=tmp_path)
    assert "- label (critical)" in str(failure.value)
    assert "input" in str(failure.value)
    assert (tmp_path / "axe-unlabelled.png").is_file()
    assert "label" in (tmp_path / "axe-unlabelled.json").read_text()
