"""The main pages at desktop and phone widths: screenshots in test-artifacts/, no sideways scrolling, axe at both.

WCAG 2.1 reflow (1.4.10): content fits a narrow screen without scrolling in
two directions (data tables may scroll inside their own box). Some axe rules
depend on the layout (contrast over overlapping boxes, scrollable regions).
"""

import pytest

from tests.browser.support import DESKTOP, MOBILE, artifact_path, assert_accessible, sign_in

pytestmark = pytest.mark.browser

ANONYMOUS_PAGES = {"home": "/", "login": "/login"}
ADMIN_PAGES = {"home-signed-in": "/", "profile": "/profile", "invitations": "/invitations", "admin": "/admin/"}


def overflow(page):
    """How many CSS pixels the page is wider than the window, and the widest offenders."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const extra = document.documentElement.scrollWidth - width;
            const offenders = extra <= 0 ? [] : [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest(".table-wrap"))
                .slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
            return {extra, offenders};
        }"""
    )


def _withdrawn_invitation_and_revoked_token(app, admin):
    """Rows without buttons in the invitations and token tables (tables that scroll must still be reachable)."""
    from app.auth import services
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        inviter = db.session.get(User, admin.id)
        services.revoke_invitation(
            services.invite("someone.with.a.long.address@research-network.example.eu", ["reviewer"], inviter, area_codes=["BM"]), inviter
        )
        token, _plaintext = services.issue_api_token(inviter, "Old importer")
        services.revoke_api_token(inviter, token.id)


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("mobile", MOBILE)], ids=["desktop", "mobile"])
def test_main_pages_fit_the_screen(app, new_page, make_user, viewport_name, viewport):
    problems = []
    admin_user = make_user(["admin"], name="Ada Admin", organisation="European Commission")
    _withdrawn_invitation_and_revoked_token(app, admin_user)

    def look(page, name, path):
        page.goto(path)
        page.screenshot(path=artifact_path(f"layout-{viewport_name}-{name}.png"), full_page=True)
        result = overflow(page)
        if result["extra"] > 0:
            problems.append(f"{path}: {result['extra']}px too wide at {viewport['width']}px ({', '.join(result['offenders'])})")
        try:
            assert_accessible(page, f"layout-{viewport_name}-{name}")
        except AssertionError as failure:
            problems.append(str(failure))

    anonymous = new_page(viewport)
    for name, path in ANONYMOUS_PAGES.items():
        look(anonymous, name, path)
    admin = new_page(viewport)
    sign_in(admin, admin_user.email)
    for name, path in ADMIN_PAGES.items():
        look(admin, name, path)
    assert not problems, "\n".join(problems)
