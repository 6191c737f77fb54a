"""Every registered route, for every role: the expected status.

A route missing from ROUTES fails `test_every_route_is_in_the_table`, so a
new page or endpoint cannot ship without saying who may use it.

Access kinds:
  public        everyone gets `ok`
  signed_in     anonymous is sent to the login page (web) or gets 401 (API); any role gets `ok`
  roles(...)    anonymous as above; listed roles get `ok`, the others 403
`ok` is the set of statuses a permitted caller may see for the sample request
(for a POST without valid form data that is 200/302/400/422 and the like),
never 401, 403 or 5xx.
"""

import pytest

from tests.support import csrf_token

ROLE_NAMES = ["anonymous", "contributor", "reviewer", "editor", "admin"]
PERMITTED_POST = {200, 201, 302, 400, 404, 409, 410, 422}


def public(ok=(200,)):
    return {"kind": "public", "ok": set(ok)}


def signed_in(ok=(200,), ends_session=False):
    return {"kind": "signed_in", "ok": set(ok), "ends_session": ends_session}


def roles(*names, ok=(200,)):
    return {"kind": "roles", "roles": set(names), "ok": set(ok)}


# (method, rule) -> (sample URL, access). Sample URLs may use {placeholders} filled from `samples`.
ROUTES = {
    ("GET", "/"): ("/", public()),
    ("GET", "/areas/<code>"): ("/areas/BM", public()),
    ("GET", "/publications"): ("/publications", public()),
    ("POST", "/language"): ("/language", public(ok={302})),
    ("GET", "/healthz"): ("/healthz", public()),
    ("GET", "/help"): ("/help", public()),
    ("GET", "/help/workflows/<name>"): ("/help/workflows/contribution", public()),
    ("GET", "/static/<path:filename>"): ("/static/css/app.css", public()),
    # accounts
    ("GET", "/login"): ("/login", public(ok={200, 302})),
    ("POST", "/login"): ("/login", public(ok={200, 302, 401, 422})),
    ("POST", "/logout"): ("/logout", signed_in(ok={302}, ends_session=True)),
    ("GET", "/invitations/accept/<token>"): ("/invitations/accept/not-a-token", public(ok={410})),
    ("POST", "/invitations/accept/<token>"): ("/invitations/accept/not-a-token", public(ok={410})),
    ("GET", "/request-access"): ("/request-access", public()),
    ("POST", "/request-access"): ("/request-access", public(ok={422})),
    ("GET", "/password/forgot"): ("/password/forgot", public()),
    ("POST", "/password/forgot"): ("/password/forgot", public(ok={422})),
    ("GET", "/password/reset/<token>"): ("/password/reset/not-a-token", public(ok={410})),
    ("POST", "/password/reset/<token>"): ("/password/reset/not-a-token", public(ok={410})),
    ("GET", "/profile"): ("/profile", signed_in()),
    ("POST", "/profile"): ("/profile", signed_in(ok={400})),
    ("POST", "/profile/tokens"): ("/profile/tokens", signed_in(ok={302})),
    ("POST", "/profile/tokens/<id:token_id>/revoke"): ("/profile/tokens/999999/revoke", signed_in(ok={404})),
    ("GET", "/invitations"): ("/invitations", roles("admin", "editor")),
    ("POST", "/invitations"): ("/invitations", roles("admin", "editor", ok={422})),
    ("POST", "/invitations/<id:invitation_id>/revoke"): ("/invitations/999999/revoke", roles("admin", "editor", ok={404})),
    # contributions
    ("GET", "/contributions/<id:contribution_id>"): ("/contributions/999999", signed_in(ok={404})),
    ("GET", "/contributions/new"): ("/contributions/new", roles("contributor")),
    ("GET", "/contributions/new/<type_code>"): ("/contributions/new/capability_gap", roles("contributor")),
    ("POST", "/contributions/new/<type_code>"): ("/contributions/new/capability_gap", roles("contributor", ok={302, 422})),
    ("GET", "/contributions/<id:contribution_id>/edit"): ("/contributions/999999/edit", signed_in(ok={404})),
    ("POST", "/contributions/<id:contribution_id>/edit"): ("/contributions/999999/edit", signed_in(ok={404})),
    ("POST", "/contributions/<id:contribution_id>/transitions"): ("/contributions/999999/transitions", signed_in(ok={404})),
    ("GET", "/contributions/mine"): ("/contributions/mine", signed_in()),
    ("GET", "/reviews"): ("/reviews", roles("reviewer")),
    ("GET", "/desk"): ("/desk", roles("editor", "admin")),
    ("GET", "/desk/contributions/<id:contribution_id>"): ("/desk/contributions/999999", signed_in(ok={404})),
    ("POST", "/desk/contributions/<id:contribution_id>/reviewers"): ("/desk/contributions/999999/reviewers", signed_in(ok={404})),
    ("POST", "/desk/contributions/<id:contribution_id>/decision"): ("/desk/contributions/999999/decision", signed_in(ok={404})),
    ("POST", "/desk/contributions/<id:contribution_id>/reviewers/<id:assignment_id>/remove"): (
        "/desk/contributions/999999/reviewers/1/remove",
        signed_in(ok={404}),
    ),
    ("POST", "/desk/bulk"): ("/desk/bulk", roles("editor", "admin", ok={303})),
    ("GET", "/notifications"): ("/notifications", signed_in()),
    ("POST", "/notifications/read"): ("/notifications/read", signed_in(ok={302})),
    ("GET", "/reviews/<id:assignment_id>"): ("/reviews/999999", signed_in(ok={404})),
    ("POST", "/reviews/<id:assignment_id>"): ("/reviews/999999", signed_in(ok={404})),
    ("POST", "/reviews/<id:assignment_id>/decline"): ("/reviews/999999/decline", signed_in(ok={404})),
    ("POST", "/reviews/<id:assignment_id>/accept"): ("/reviews/999999/accept", signed_in(ok={404})),
    ("GET", "/contributions/<id:contribution_id>/diff"): ("/contributions/999999/diff", signed_in(ok={404})),
    ("POST", "/contributions/<id:contribution_id>/attachments"): ("/contributions/999999/attachments", signed_in(ok={404})),
    ("GET", "/contributions/<id:contribution_id>/attachments/<id:attachment_id>"): (
        "/contributions/999999/attachments/1",
        signed_in(ok={404}),
    ),
    ("POST", "/contributions/<id:contribution_id>/attachments/<id:attachment_id>/remove"): (
        "/contributions/999999/attachments/1/remove",
        signed_in(ok={404}),
    ),
    ("GET", "/contributions/<id:contribution_id>/attachments/<id:attachment_id>/remove"): (
        "/contributions/999999/attachments/1/remove",
        signed_in(ok={404}),
    ),
    ("GET", "/contributions/<id:contribution_id>/transitions/<name>"): ("/contributions/999999/transitions/withdraw", signed_in(ok={404})),
    ("GET", "/contributions/<id:contribution_id>/delete"): ("/contributions/999999/delete", signed_in(ok={404})),
    ("POST", "/contributions/<id:contribution_id>/delete"): ("/contributions/999999/delete", signed_in(ok={404})),
    ("GET", "/contributions"): ("/contributions", signed_in()),
    ("GET", "/contributions/suggestions"): ("/contributions/suggestions?type=capability_gap&q=drones", signed_in()),
    # the revision a published report cites: public; anything else 404 like a missing one
    ("GET", "/contributions/<id:contribution_id>/revisions/<id:number>"): ("/contributions/999999/revisions/1", public(ok={404})),
    # reports (public side)
    ("GET", "/reports"): ("/reports", public()),
    ("GET", "/reports/<id:report_id>"): ("/reports/999999", public(ok={404})),
    ("GET", "/reports/<id:report_id>/versions/<id:number>"): ("/reports/999999/versions/1", public(ok={404})),
    ("GET", "/reports/<id:report_id>/versions/<id:number>/<fmt>"): ("/reports/999999/versions/1/pdf", public(ok={404})),
    # reports (editors' workspace)
    ("GET", "/reports/manage"): ("/reports/manage", roles("editor", "admin")),
    ("GET", "/reports/new"): ("/reports/new", roles("editor", "admin")),
    ("POST", "/reports/new"): ("/reports/new", roles("editor", "admin", ok={422})),
    ("GET", "/reports/<id:report_id>/edit"): ("/reports/999999/edit", roles("editor", "admin", ok={404})),
    ("POST", "/reports/<id:report_id>/edit"): ("/reports/999999/edit", roles("editor", "admin", ok={404})),
    ("GET", "/reports/<id:report_id>/analysis"): ("/reports/999999/analysis", roles("editor", "admin", ok={404})),
    ("POST", "/reports/<id:report_id>/publish"): ("/reports/999999/publish", roles("editor", "admin", ok={404})),
    ("POST", "/reports/<id:report_id>/sections"): ("/reports/999999/sections", roles("editor", "admin", ok={404})),
    ("GET", "/reports/<id:report_id>/sections/<id:section_id>"): ("/reports/999999/sections/1", roles("editor", "admin", ok={404})),
    ("POST", "/reports/<id:report_id>/sections/<id:section_id>"): ("/reports/999999/sections/1", roles("editor", "admin", ok={404})),
    ("POST", "/reports/<id:report_id>/sections/<id:section_id>/move"): (
        "/reports/999999/sections/1/move",
        roles("editor", "admin", ok={404}),
    ),
    ("POST", "/reports/<id:report_id>/sections/<id:section_id>/delete"): (
        "/reports/999999/sections/1/delete",
        roles("editor", "admin", ok={404}),
    ),
    ("POST", "/reports/<id:report_id>/sections/<id:section_id>/items"): (
        "/reports/999999/sections/1/items",
        roles("editor", "admin", ok={404}),
    ),
    ("POST", "/reports/<id:report_id>/sections/<id:section_id>/items/<id:contribution_id>/move"): (
        "/reports/999999/sections/1/items/1/move",
        roles("editor", "admin", ok={404}),
    ),
    # project explorer
    ("GET", "/projects"): ("/projects", public()),
    ("GET", "/projects/<id:project_id>"): ("/projects/999999", public(ok={404})),
    ("POST", "/projects/<id:project_id>/areas"): ("/projects/999999/areas", signed_in(ok={404})),
    ("GET", "/projects/new"): ("/projects/new", roles("editor", "admin")),
    ("POST", "/projects/new"): ("/projects/new", roles("editor", "admin", ok={422})),
    ("GET", "/projects/<id:project_id>/edit"): ("/projects/999999/edit", signed_in(ok={404})),
    ("POST", "/projects/<id:project_id>/edit"): ("/projects/999999/edit", signed_in(ok={404})),
    # workshops
    ("GET", "/workshops"): ("/workshops", public()),
    ("GET", "/workshops/<id:workshop_id>"): ("/workshops/999999", public(ok={404})),
    ("GET", "/workshops/<id:workshop_id>.ics"): ("/workshops/999999.ics", public(ok={404})),
    ("GET", "/workshops/new"): ("/workshops/new", roles("editor", "admin")),
    ("POST", "/workshops/new"): ("/workshops/new", roles("editor", "admin", ok={422})),
    ("GET", "/workshops/<id:workshop_id>/edit"): ("/workshops/999999/edit", signed_in(ok={404})),
    ("POST", "/workshops/<id:workshop_id>/edit"): ("/workshops/999999/edit", signed_in(ok={404})),
    ("POST", "/workshops/<id:workshop_id>/inputs/review"): ("/workshops/999999/inputs/review", signed_in(ok={404})),
    ("POST", "/workshops/<id:workshop_id>/registration"): ("/workshops/999999/registration", signed_in(ok={404})),
    ("POST", "/workshops/<id:workshop_id>/registration/cancel"): ("/workshops/999999/registration/cancel", signed_in(ok={404})),
    ("GET", "/workshops/<id:workshop_id>/attendees"): ("/workshops/999999/attendees", signed_in(ok={404})),
    ("GET", "/workshops/<id:workshop_id>/attendees.csv"): ("/workshops/999999/attendees.csv", signed_in(ok={404})),
    ("GET", "/workshops/<id:workshop_id>/outcome"): ("/workshops/999999/outcome", signed_in(ok={404})),
    ("POST", "/workshops/<id:workshop_id>/outcome"): ("/workshops/999999/outcome", signed_in(ok={404})),
    # stay tuned
    ("GET", "/subscribe"): ("/subscribe", public()),
    ("POST", "/subscribe"): ("/subscribe", public(ok={422})),
    ("GET", "/subscriptions/confirm/<token>"): ("/subscriptions/confirm/not-a-token", public(ok={410})),
    ("POST", "/subscriptions/confirm/<token>"): ("/subscriptions/confirm/not-a-token", public(ok={410})),
    ("GET", "/subscriptions/unsubscribe/<token>"): ("/subscriptions/unsubscribe/not-a-token", public(ok={410})),
    ("POST", "/subscriptions/unsubscribe/<token>"): ("/subscriptions/unsubscribe/not-a-token", public(ok={410})),
    ("GET", "/subscriptions/preferences/<token>"): ("/subscriptions/preferences/not-a-token", public(ok={410})),
    ("POST", "/subscriptions/preferences/<token>"): ("/subscriptions/preferences/not-a-token", public(ok={410})),
    # administration
    ("GET", "/admin/"): ("/admin/", roles("admin")),
    ("GET", "/admin/users"): ("/admin/users", roles("admin")),
    ("GET", "/admin/users/<id:user_id>"): ("/admin/users/999999", roles("admin", ok={404})),
    ("POST", "/admin/users/<id:user_id>"): ("/admin/users/999999", roles("admin", ok={404})),
    ("POST", "/admin/users/<id:user_id>/deactivate"): ("/admin/users/999999/deactivate", roles("admin", ok={404})),
    ("POST", "/admin/users/<id:user_id>/reactivate"): ("/admin/users/999999/reactivate", roles("admin", ok={404})),
    ("GET", "/admin/access-requests"): ("/admin/access-requests", roles("admin")),
    ("GET", "/admin/access-requests/<id:request_id>"): ("/admin/access-requests/999999", roles("admin", ok={404})),
    ("POST", "/admin/access-requests/<id:request_id>/approve"): (
        "/admin/access-requests/999999/approve",
        roles("admin", ok={404}),
    ),
    ("POST", "/admin/access-requests/<id:request_id>/reject"): (
        "/admin/access-requests/999999/reject",
        roles("admin", ok={404}),
    ),
    ("GET", "/admin/networks"): ("/admin/networks", roles("admin")),
    ("GET", "/admin/networks/new"): ("/admin/networks/new", roles("admin")),
    ("POST", "/admin/networks/new"): ("/admin/networks/new", roles("admin", ok={422})),
    ("GET", "/admin/networks/<id:network_id>"): ("/admin/networks/999999", roles("admin", ok={404})),
    ("POST", "/admin/networks/<id:network_id>"): ("/admin/networks/999999", roles("admin", ok={404})),
    ("GET", "/admin/areas"): ("/admin/areas", roles("admin")),
    ("GET", "/admin/audit"): ("/admin/audit", roles("admin")),
    ("GET", "/admin/projects/import"): ("/admin/projects/import", roles("admin")),
    ("POST", "/admin/projects/import"): ("/admin/projects/import", roles("admin", ok={422})),
    ("GET", "/admin/projects/import/<job_id>"): ("/admin/projects/import/not-a-job", roles("admin", ok={404})),
    ("GET", "/admin/areas/<code>"): ("/admin/areas/BM", roles("admin")),
    ("POST", "/admin/areas/<code>"): ("/admin/areas/BM", roles("admin", ok={422})),
    ("GET", "/admin/outbox"): ("/admin/outbox", roles("admin")),
    ("GET", "/admin/outbox/<id:message_id>"): ("/admin/outbox/999999", roles("admin", ok={404})),
    ("POST", "/admin/outbox/<id:message_id>/retry"): ("/admin/outbox/999999/retry", roles("admin", ok={404})),
    ("POST", "/admin/outbox/flush"): ("/admin/outbox/flush", roles("admin", ok={302})),
    # API
    ("POST", "/api/v1/tokens"): ("/api/v1/tokens", public(ok={422})),
    ("GET", "/api/v1/me"): ("/api/v1/me", signed_in()),
    ("GET", "/api/v1/contribution-types"): ("/api/v1/contribution-types", public()),
    ("POST", "/api/v1/contributions"): ("/api/v1/contributions", roles("contributor", ok={422})),
    ("GET", "/api/v1/contributions"): ("/api/v1/contributions", signed_in()),
    ("GET", "/api/v1/contributions/<id:contribution_id>"): ("/api/v1/contributions/999999", signed_in(ok={404})),
    ("PATCH", "/api/v1/contributions/<id:contribution_id>"): ("/api/v1/contributions/999999", signed_in(ok={404})),
    ("POST", "/api/v1/contributions/<id:contribution_id>/transitions"): ("/api/v1/contributions/999999/transitions", signed_in(ok={404})),
    ("POST", "/api/v1/contributions/<id:contribution_id>/reviewers"): ("/api/v1/contributions/999999/reviewers", signed_in(ok={404})),
    ("POST", "/api/v1/contributions/<id:contribution_id>/reviews"): ("/api/v1/contributions/999999/reviews", signed_in(ok={404})),
    ("POST", "/api/v1/contributions/<id:contribution_id>/review-request/accept"): (
        "/api/v1/contributions/999999/review-request/accept",
        signed_in(ok={404}),
    ),
    ("POST", "/api/v1/contributions/<id:contribution_id>/review-request/decline"): (
        "/api/v1/contributions/999999/review-request/decline",
        signed_in(ok={404}),
    ),
    ("GET", "/api/v1/thematic-areas"): ("/api/v1/thematic-areas", public()),
    ("GET", "/api/v1/openapi.json"): ("/api/v1/openapi.json", public()),
    ("GET", "/api/v1/reports"): ("/api/v1/reports", public()),
    ("POST", "/api/v1/reports"): ("/api/v1/reports", roles("editor", "admin", ok={422})),
    ("GET", "/api/v1/reports/<id:report_id>"): ("/api/v1/reports/999999", public(ok={404})),
    ("PATCH", "/api/v1/reports/<id:report_id>"): ("/api/v1/reports/999999", roles("editor", "admin", ok={404})),
    ("POST", "/api/v1/reports/<id:report_id>/sections/<id:section_id>/items"): (
        "/api/v1/reports/999999/sections/1/items",
        roles("editor", "admin", ok={404}),
    ),
    ("POST", "/api/v1/reports/<id:report_id>/publish"): ("/api/v1/reports/999999/publish", roles("editor", "admin", ok={404})),
    ("GET", "/api/v1/projects"): ("/api/v1/projects", public()),
    ("GET", "/api/v1/projects/<id:project_id>"): ("/api/v1/projects/999999", public(ok={404})),
    ("GET", "/api/v1/workshops"): ("/api/v1/workshops", public()),
    ("GET", "/api/v1/workshops/<id:workshop_id>"): ("/api/v1/workshops/999999", public(ok={404})),
    ("GET", "/api/v1/jobs/<job_id>"): ("/api/v1/jobs/no-such-job", signed_in(ok={404})),
}


def registered_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.rule


def test_every_route_is_in_the_table(app):
    missing = sorted(set(registered_routes(app)) - set(ROUTES))
    assert not missing, f"routes without an access rule in tests/test_routes_by_role.py: {missing}"


def test_table_has_no_stale_routes(app):
    stale = sorted(set(ROUTES) - set(registered_routes(app)))
    assert not stale, f"table rows for routes that no longer exist: {stale}"


@pytest.fixture
def caller(app, make_user, signed_in):
    """caller(role) -> (client, headers) for the web and the API."""
    from app.auth import services as auth_services
    from app.auth.models import User
    from app.extensions import db

    def make(role):
        if role == "anonymous":
            return app.test_client(), {}
        user = make_user([role], area_codes=["BM"])
        web_client = signed_in(user)
        with app.app_context():
            _token, plaintext = auth_services.issue_api_token(db.session.get(User, user.id), "route test")
        return web_client, {"Authorization": f"Bearer {plaintext}"}

    return make


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_route_access_by_role(app, caller, role):
    web_client, api_headers = caller(role)
    failures = []
    # Routes that end the session (logout) go last, so the others run signed in.
    ordered = sorted(ROUTES.items(), key=lambda item: (item[1][1].get("ends_session", False), item[0]))
    for (method, rule), (sample, access) in ordered:
        is_api = rule.startswith("/api/")
        headers = api_headers if is_api else {}
        if method == "GET":
            response = web_client.get(sample, headers=headers)
        elif is_api:
            response = web_client.open(sample, method=method, json={}, headers=headers)
        else:
            token = csrf_token(web_client)
            response = web_client.open(sample, method=method, data={"csrf_token": token})
        expected = expected_statuses(access, role, is_api)
        if response.status_code not in expected:
            failures.append(f"{method} {sample}: got {response.status_code}, expected {sorted(expected)}")
    assert not failures, f"as {role}:\n" + "\n".join(failures)


def expected_statuses(access, role, is_api):
    denied_anonymous = {401} if is_api else {302}
    if access["kind"] == "public":
        return access["ok"]
    if role == "anonymous":
        return denied_anonymous
    if access["kind"] == "signed_in" or role in access["roles"]:
        return access["ok"]
    return {403}


def test_anonymous_is_redirected_to_the_login_page(client):
    response = client.get("/profile")
    assert response.status_code == 302
    assert response.location.startswith("/login")
