"""Bad input through the real API and pages: a clear 4xx in the API's error shape, never a 500, and nothing changed.

Run on PostgreSQL too: that is where ids beyond 2^31 - 1 and NUL characters
are refused by the database itself.
"""

import json
import threading

import pytest
import sqlalchemy as sa

from tests.api.support import token_headers
from tests.contributions.samples import payload, put_in_state, user
from tests.reports.support import make_contribution
from tests.support import csrf_token

BIG = 2**31  # one past PostgreSQL's integer
HUGE = 2**63  # one past a 64-bit integer


@pytest.fixture
def world(app, make_user):
    """Every role, a draft and a contribution in review (two reviewers assigned), an accepted one, a draft report."""
    from app.contributions import services
    from app.extensions import db
    from app.reports import services as report_services
    from app.reviews.models import Review

    people = {
        "contributor": make_user(["contributor"], organisation="Guardia Civil"),
        "reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "reviewer_two": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
        "spare_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Carabinieri"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "admin": make_user(["admin"]),
    }
    with app.app_context():
        author = user(people["contributor"].id)
        draft = services.create_draft(author, payload("capability_gap"))
        in_review = services.create_draft(author, payload("capability_gap", title="In review"))
        put_in_state(in_review, "in_review", [user(people["reviewer"].id), user(people["reviewer_two"].id)], author)
        db.session.execute(sa.delete(Review).where(Review.contribution_id == in_review.id))
        db.session.commit()
        report = report_services.create_report(
            user(people["editor"].id), {"kind": "state_of_the_art", "title": "SoA", "thematic_areas": ["BM"]}
        )
        ids = {"draft": draft.id, "in_review": in_review.id, "report": report.id, "section": report.sections[0].id}
    ids["accepted"] = make_contribution(app, "Accepted one")
    return {"people": people, "ids": ids, "tokens": {role: token_headers(app, who.id) for role, who in people.items()}}


def snapshot(app):
    """What bad input must not change: row counts, and each contribution's and report's state, version and title."""
    from app.extensions import db

    with app.app_context():
        db.session.expire_all()
        tables = ("contributions", "reviews", "reviewer_assignments", "reports", "report_items", "report_sections", "api_tokens", "users")
        counts = {name: db.session.scalar(sa.text(f"SELECT count(*) FROM {name}")) for name in tables}
        contributions = db.session.execute(sa.text("SELECT id, state, version, title, updated_at FROM contributions ORDER BY id")).all()
        reports = db.session.execute(sa.text("SELECT id, state, version, title, updated_at FROM reports ORDER BY id")).all()
        return counts, [tuple(row) for row in contributions], [tuple(row) for row in reports]


def assert_api_error(response, status, field=None):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"], body
    if field is not None:
        assert field in body.get("fields", {}), body


def deep(levels):
    value = "x"
    for _ in range(levels):
        value = [value]
    return value


# (role or None for anonymous, method, path with {ids}, JSON body or raw bytes, expected status, field named)
API_CASES = [
    # ids beyond the database's integers, or negative, in URLs: no such thing
    (None, "GET", f"/api/v1/reports/{BIG}", None, 404, None),
    (None, "GET", f"/api/v1/reports/{HUGE}", None, 404, None),
    (None, "GET", "/api/v1/reports/-1", None, 404, None),
    ("contributor", "GET", "/api/v1/contributions/99999999999", None, 404, None),
    ("contributor", "GET", f"/api/v1/contributions/{HUGE}", None, 404, None),
    ("contributor", "GET", "/api/v1/contributions/-5", None, 404, None),
    ("contributor", "PATCH", f"/api/v1/contributions/{BIG}", {"title": "x"}, 404, None),
    ("editor", "POST", f"/api/v1/contributions/{BIG}/transitions", {"transition": "accept"}, 404, None),
    ("editor", "POST", f"/api/v1/contributions/{HUGE}/reviewers", {"auto": True}, 404, None),
    ("reviewer", "POST", f"/api/v1/contributions/{BIG}/reviews", {"recommendation": "accept"}, 404, None),
    ("editor", "PATCH", f"/api/v1/reports/{BIG}", {"title": "x"}, 404, None),
    ("editor", "POST", f"/api/v1/reports/{{report}}/sections/{BIG}/items", {"contribution_id": 1, "status": "included"}, 404, None),
    ("editor", "POST", f"/api/v1/reports/{BIG}/publish", {}, 404, None),
    ("contributor", "GET", "/api/v1/jobs/%00", None, 404, None),
    # ids beyond the database's integers in JSON bodies
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", project_ids=[BIG]), 422, "project_ids.0"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", workshop_id=BIG), 422, "workshop_id"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", network_id=HUGE), 422, "network_id"),
    (
        "contributor",
        "POST",
        "/api/v1/contributions",
        payload("technology", fields={"solution": "x", "addresses_gaps": [BIG]}),
        422,
        "fields.addresses_gaps.0",
    ),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"title": "New", "version": BIG}, 422, "version"),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"network_id": -HUGE}, 422, "network_id"),
    ("editor", "POST", "/api/v1/contributions/{in_review}/transitions", {"transition": "accept", "version": HUGE}, 422, "version"),
    ("editor", "POST", "/api/v1/contributions/{in_review}/reviewers", {"user_id": BIG}, 422, "user_id"),
    (
        "editor",
        "POST",
        "/api/v1/reports/{report}/sections/{section}/items",
        {"contribution_id": BIG, "status": "included"},
        422,
        "contribution_id",
    ),
    (
        "editor",
        "POST",
        "/api/v1/reports/{report}/sections/{section}/items",
        {"contribution_id": "{accepted}", "status": "included", "position": HUGE},
        422,
        "position",
    ),
    # NUL and lone surrogates in text
    (None, "POST", "/api/v1/tokens", {"email": "a\x00@example.eu", "password": "x"}, 422, "email"),
    (None, "POST", "/api/v1/tokens", {"email": "\ud800@example.eu", "password": "x"}, 422, "email"),
    (None, "POST", "/api/v1/tokens", {"email": "a@example.eu", "password": "\udfff"}, 422, "password"),
    ("contributor", "GET", "/api/v1/contributions?q=%00", None, 422, "q"),
    (None, "GET", "/api/v1/reports?area=B%00M", None, 422, "area"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", title="Drones\x00"), 422, "title"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", summary="<p>\ud83d</p>"), 422, "summary"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", fields={"need": "a\x00b"}), 422, "fields.need"),
    (
        "contributor",
        "POST",
        "/api/v1/contributions",
        payload("capability_gap", references=[{"url": "https://x.eu/\x00", "title": "t"}]),
        422,
        "references.0.url",
    ),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"title": "\udc00"}, 422, "title"),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"fields": {"need\x00": "x"}}, 422, "fields"),
    (
        "editor",
        "POST",
        "/api/v1/contributions/{in_review}/transitions",
        {"transition": "request_changes", "comment": "why\x00"},
        422,
        "comment",
    ),
    (
        "reviewer",
        "POST",
        "/api/v1/contributions/{in_review}/reviews",
        {"recommendation": "revise", "scores": {"relevance": 3, "evidence": 3, "urgency": 3}, "comment_to_author": "\ud800"},
        422,
        "comment_to_author",
    ),
    ("editor", "POST", "/api/v1/reports", {"kind": "state_of_the_art", "title": "T\x00", "thematic_areas": ["BM"]}, 422, "title"),
    ("editor", "PATCH", "/api/v1/reports/{report}", {"title": "\ud800"}, 422, "title"),
    (
        "editor",
        "POST",
        "/api/v1/reports/{report}/sections/{section}/items",
        {"contribution_id": "{accepted}", "status": "incl\x00uded"},
        422,
        "status",
    ),
    # wrong JSON types
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", type=["capability_gap"]), 422, "type"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", type={"a": 1}), 422, "type"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", thematic_areas="BM"), 422, "thematic_areas"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", thematic_areas=[1, None]), 422, "thematic_areas"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", fields=["need"]), 422, "fields"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", references=[{"url": 5}]), 422, "references"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", references=[{"url": ["https://x.eu"]}]), 422, "references"),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", references="https://x.eu"), 422, "references"),
    ("contributor", "POST", "/api/v1/contributions", payload("technology", fields={"solution": "x", "trl": "²"}), 422, "fields.trl"),
    ("contributor", "POST", "/api/v1/contributions", payload("technology", fields={"solution": "x", "trl": "9" * 5000}), 422, "fields.trl"),
    ("contributor", "POST", "/api/v1/contributions", payload("technology", fields={"solution": "x", "trl": 1e308}), 422, "fields.trl"),
    (
        "contributor",
        "POST",
        "/api/v1/contributions",
        payload("trend", fields={"trend": "x", "first_observed": 20250401}),
        422,
        "fields.first_observed",
    ),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"title": "x", "version": "1"}, 422, "version"),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"title": "x", "version": True}, 422, "version"),
    ("contributor", "PATCH", "/api/v1/contributions/{draft}", {"type": ["trend"]}, 422, "type"),
    ("editor", "POST", "/api/v1/contributions/{in_review}/transitions", {"transition": ["accept"]}, 422, "transition"),
    (
        "editor",
        "POST",
        "/api/v1/contributions/{in_review}/transitions",
        {"transition": "request_changes", "comment": {"text": "x"}},
        422,
        "comment",
    ),
    ("editor", "POST", "/api/v1/contributions/{in_review}/transitions", {"transition": "accept", "version": "2"}, 422, "version"),
    ("editor", "POST", "/api/v1/contributions/{in_review}/reviewers", {"user_id": "3"}, 422, "user_id"),
    (
        "reviewer",
        "POST",
        "/api/v1/contributions/{in_review}/reviews",
        {"recommendation": "accept", "scores": {"relevance": "5", "evidence": 4.5, "urgency": True}},
        422,
        "scores.evidence",
    ),
    (
        "reviewer",
        "POST",
        "/api/v1/contributions/{in_review}/reviews",
        {"recommendation": "accept", "scores": {"relevance": "²", "evidence": 4, "urgency": 3}},
        422,
        "scores.relevance",
    ),
    (
        "reviewer",
        "POST",
        "/api/v1/contributions/{in_review}/reviews",
        {"recommendation": ["accept"], "scores": {"relevance": 4, "evidence": 4, "urgency": 3}},
        422,
        "recommendation",
    ),
    ("reviewer", "POST", "/api/v1/contributions/{in_review}/reviews", {"recommendation": "accept", "scores": [4, 4, 3]}, 422, "scores"),
    (
        "reviewer",
        "POST",
        "/api/v1/contributions/{in_review}/reviews",
        {"recommendation": "revise", "scores": {"relevance": 4, "evidence": 4, "urgency": 3}, "comment_to_author": {"a": "b"}},
        422,
        "comment_to_author",
    ),
    ("editor", "POST", "/api/v1/reports", {"kind": ["state_of_the_art"], "title": "T", "thematic_areas": ["BM"]}, 422, "kind"),
    ("editor", "POST", "/api/v1/reports", {"kind": "state_of_the_art", "title": ["T"], "thematic_areas": "BM"}, 422, "thematic_areas"),
    (
        "editor",
        "POST",
        "/api/v1/reports",
        {"kind": "state_of_the_art", "title": "T", "thematic_areas": ["BM"], "period_start": 2026},
        422,
        "period_start",
    ),
    ("editor", "PATCH", "/api/v1/reports/{report}", {"thematic_areas": [["BM"]]}, 422, "thematic_areas"),
    (
        "editor",
        "POST",
        "/api/v1/reports/{report}/sections/{section}/items",
        {"contribution_id": "{accepted}", "status": ["included"]},
        422,
        "status",
    ),
    (
        "editor",
        "POST",
        "/api/v1/reports/{report}/sections/{section}/items",
        {"contribution_id": "1", "status": "included"},
        422,
        "contribution_id",
    ),
    # not an object, nested too deeply, too large
    ("contributor", "POST", "/api/v1/contributions", [payload("capability_gap")], 422, None),
    ("contributor", "POST", "/api/v1/contributions", b"[" * 100_000 + b"]" * 100_000, 422, None),
    ("contributor", "POST", "/api/v1/contributions", b'{"a":' * 100_000 + b"1" + b"}" * 100_000, 422, None),
    ("contributor", "POST", "/api/v1/contributions", payload("capability_gap", fields={"need": deep(40)}), 422, None),
    (None, "POST", "/api/v1/tokens", {"email": deep(200), "password": "x"}, 422, None),
    ("editor", "PATCH", "/api/v1/reports/{report}", {"title": deep(50)}, 422, None),
    ("contributor", "POST", "/api/v1/contributions", b'{"title": "' + b"x" * 3_000_000 + b'"}', 413, None),
    # page numbers
    ("contributor", "GET", "/api/v1/contributions?per_page=abc", None, 422, None),
    ("contributor", "GET", "/api/v1/contributions?page=" + "9" * 5000, None, 422, None),
    ("contributor", "GET", f"/api/v1/contributions?network={BIG}", None, 422, None),
    ("contributor", "GET", "/api/v1/contributions?workshop=-1", None, 422, None),
]


def _fill(value, ids):
    if isinstance(value, str):
        return (
            int(ids[value[1:-1]])
            if value.startswith("{") and value.endswith("}") and value[1:-1] in ids
            else value.format(**ids)
            if "{" in value and "}" in value and value.count("{") == value.count("}") and all(key in ids for key in _placeholders(value))
            else value
        )
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _placeholders(text):
    import string

    return [name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name]


def _send(client, method, path, body, headers):
    if body is None:
        return client.open(path, method=method, headers=headers)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.open(path, method=method, data=data, headers={**headers, "Content-Type": "application/json"})


@pytest.mark.parametrize("role, method, path, body, status, field", API_CASES, ids=lambda value: None)
def test_api_bad_input_is_refused_and_changes_nothing(app, client, world, role, method, path, body, status, field):
    ids = world["ids"]
    headers = world["tokens"][role] if role else {}
    before = snapshot(app)
    response = _send(client, method, path.format(**ids) if "{" in path else path, _fill(body, ids), headers)
    assert_api_error(response, status, field)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/contributions?page=" + str(10**30),
        "/api/v1/contributions?page=-1&per_page=-5",
        "/api/v1/contributions?page=2147483647&per_page=100000",
        "/api/v1/contributions?sort=newest&q=" + "x" * 5000,
    ],
)
def test_api_page_numbers_out_of_range_are_clamped(app, client, world, path):
    response = client.get(path, headers=world["tokens"]["contributor"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert 1 <= body["page"] <= 2**31 - 1 and 1 <= body["per_page"] <= 100


def test_public_report_list_clamps_page_numbers(client, world):
    response = client.get("/api/v1/reports?page=" + str(10**30) + "&per_page=" + str(10**30))
    assert response.status_code == 200 and response.get_json()["per_page"] == 100


# --- pages ---------------------------------------------------------------------------------------

PAGE_CASES = [
    # (role or None, path, expected status)
    (None, f"/reports/{BIG}", 404),
    (None, f"/reports/{HUGE}", 404),
    (None, "/reports/{report}/versions/99999999999", 404),
    (None, "/reports?page=" + str(10**30), 200),
    (None, "/reports?page=-3", 200),
    (None, "/reports?area=%00", 400),
    ("contributor", f"/contributions/{BIG}", 404),
    ("contributor", f"/contributions/{HUGE}/edit", 404),
    ("contributor", "/contributions/{draft}/diff?from=99999999999&to=" + str(HUGE), 404),
    ("contributor", "/contributions?page=" + str(10**30), 200),
    ("contributor", f"/contributions?network={BIG}&workshop={HUGE}", 200),
    ("contributor", "/contributions?q=%00", 400),
    ("contributor", "/contributions/mine?page=" + str(10**30), 200),
    ("reviewer", f"/reviews/{BIG}", 404),
    ("editor", f"/desk/contributions/{BIG}", 404),
    ("editor", f"/reports/{BIG}/edit", 404),
    ("editor", f"/reports/{{report}}/sections/{HUGE}", 404),
    ("admin", f"/admin/users/{BIG}", 404),
    ("admin", "/admin/users?page=" + str(10**30), 200),
]


@pytest.mark.parametrize("role, path, status", PAGE_CASES)
def test_pages_answer_bad_ids_and_arguments_with_4xx(app, client, signed_in, world, role, path, status):
    page_client = signed_in(world["people"][role]) if role else client
    response = page_client.get(path.format(**world["ids"]))
    assert response.status_code == status, response.get_data(as_text=True)[:500]


def _form_post(page_client, path, data, token_from):
    return page_client.post(path, data={**data, "csrf_token": csrf_token(page_client, token_from)})


@pytest.mark.parametrize(
    "role, path, token_from, data",
    [
        (
            "contributor",
            "/contributions/new/capability_gap",
            "/contributions/new/capability_gap",
            {"title": "Drones\x00", "thematic_areas": "BM", "summary": "x"},
        ),
        ("contributor", "/contributions/{draft}/edit", "/contributions/{draft}/edit", {"title": "x", "summary": "a\x00b", "version": "1"}),
        (
            "reviewer",
            "/reviews/{assignment}",
            "/reviews/{assignment}",
            {"recommendation": "revise", "relevance": "3", "evidence": "3", "urgency": "3", "comment_to_author": "\x00"},
        ),
        (
            "editor",
            "/contributions/{in_review}/transitions",
            "/contributions/{in_review}",
            {"transition": "request_changes", "comment": "why\x00", "version": "1"},
        ),
        ("editor", "/reports/new", "/reports/new", {"kind": "state_of_the_art", "title": "T\x00", "areas": "BM"}),
        ("editor", "/reports/{report}/edit", "/reports/{report}/edit", {"kind": "state_of_the_art", "title": "T\x00", "areas": "BM"}),
        ("editor", "/reports/{report}/sections/{section}", "/reports/{report}/sections/{section}", {"heading": "H\x00", "synthesis": "s"}),
        (None, "/login", "/login", {"email": "a\x00@example.eu", "password": "x"}),
    ],
)
def test_forms_refuse_nul_and_change_nothing(app, client, signed_in, world, role, path, token_from, data):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    with app.app_context():
        ids = {
            **world["ids"],
            "assignment": db.session.scalar(
                sa.select(ReviewerAssignment.id).where(ReviewerAssignment.reviewer_id == world["people"]["reviewer"].id)
            ),
        }
    page_client = signed_in(world["people"][role]) if role else client
    before = snapshot(app)
    response = _form_post(page_client, path.format(**ids), data, token_from.format(**ids))
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    assert "NUL" in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("version", ["²", "9" * 5000, str(HUGE)])
def test_contribution_form_with_a_bad_version_number_is_not_a_500(app, signed_in, world, version):
    page_client = signed_in(world["people"]["contributor"])
    path = f"/contributions/{world['ids']['draft']}/edit"
    response = _form_post(page_client, path, {"title": "Renamed", "thematic_areas": "BM", "summary": "x", "version": version}, path)
    assert response.status_code in (302, 409, 422)


# --- two identical requests at once ----------------------------------------------------------------


def _insert_first_when(app, table, statement_mark, values):
    """Store a competing row, on another connection, right after the service has looked and found none.

    This is what a second identical request arriving at the same moment does;
    it makes the race happen every time instead of now and then.
    """
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    fired = []

    def after_execute(conn, cursor, statement, parameters, context, executemany):
        if not fired and statement.lstrip().upper().startswith("SELECT") and statement_mark in statement:
            fired.append(True)
            with engine.connect() as other:
                other.execute(table.insert().values(**values))
                other.commit()

    sa.event.listen(engine, "after_cursor_execute", after_execute)
    return lambda: sa.event.remove(engine, "after_cursor_execute", after_execute), fired


def test_the_same_review_posted_twice_at_once_is_stored_once(app, client, world):
    from app.extensions import db
    from app.reviews.models import Review
    from app.timeutil import utcnow

    contribution_id = world["ids"]["in_review"]
    reviewer_id = world["people"]["reviewer"].id
    body = {"recommendation": "accept", "scores": {"relevance": 5, "evidence": 4, "urgency": 3}}
    now = utcnow()
    remove, fired = _insert_first_when(
        app,
        Review.__table__,
        "FROM reviews",
        {
            "contribution_id": contribution_id,
            "reviewer_id": reviewer_id,
            "revision": 1,
            "recommendation": "accept",
            "relevance": 5,
            "evidence": 4,
            "urgency": 3,
            "comment_to_author": "",
            "confidential_comment": "",
            "created_at": now,
            "updated_at": now,
        },
    )
    try:
        response = client.post(f"/api/v1/contributions/{contribution_id}/reviews", json=body, headers=world["tokens"]["reviewer"])
    finally:
        remove()
    assert fired, "the competing review was not stored"
    assert response.status_code in (200, 201), response.get_json()
    with app.app_context():
        reviews = db.session.scalars(sa.select(Review).where(Review.contribution_id == contribution_id)).all()
        assert [(review.reviewer_id, review.relevance) for review in reviews] == [(reviewer_id, 5)]


def test_the_same_reviewer_assigned_twice_at_once_is_assigned_once(app, client, world):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment
    from app.timeutil import utcnow

    contribution_id = world["ids"]["in_review"]
    spare_id = world["people"]["spare_reviewer"].id
    remove, fired = _insert_first_when(
        app,
        ReviewerAssignment.__table__,
        "FROM reviewer_assignments",
        {"contribution_id": contribution_id, "reviewer_id": spare_id, "due_at": utcnow(), "automatic": False},
    )
    try:
        response = client.post(
            f"/api/v1/contributions/{contribution_id}/reviewers", json={"user_id": spare_id}, headers=world["tokens"]["editor"]
        )
    finally:
        remove()
    assert fired, "the competing assignment was not stored"
    assert_api_error(response, 409)
    with app.app_context():
        pairs = db.session.scalars(
            sa.select(ReviewerAssignment.reviewer_id).where(ReviewerAssignment.contribution_id == contribution_id)
        ).all()
        assert sorted(pairs) == sorted([world["people"]["reviewer"].id, world["people"]["reviewer_two"].id, spare_id])


def test_identical_reviews_from_two_threads_give_one_review(app, world):
    """The real thing, without forcing the timing: both succeed or one is refused cleanly, never a 500 or two rows."""
    from app.extensions import db
    from app.reviews.models import Review

    contribution_id = world["ids"]["in_review"]
    body = {"recommendation": "accept", "scores": {"relevance": 5, "evidence": 4, "urgency": 3}}
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        thread_client = app.test_client()
        barrier.wait()
        statuses.append(
            thread_client.post(
                f"/api/v1/contributions/{contribution_id}/reviews", json=body, headers=world["tokens"]["reviewer"]
            ).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status < 500 for status in statuses) and any(status in (200, 201) for status in statuses), statuses
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Review).where(Review.contribution_id == contribution_id)) == 1


# --- health ------------------------------------------------------------------------------------


def test_healthz_answers_503_json_when_the_database_is_down(make_app):
    down = make_app(
        SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:1/nothing",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


# --- the nesting limit itself (other refusals would also turn these bodies away) ----------


def test_json_nested_past_the_limit_is_refused_for_its_depth(app, client, world):
    from app.api.body import MAX_DEPTH

    before = snapshot(app)
    # A list of strings is what "references" takes, so only the depth is wrong here.
    body = payload("capability_gap", references=deep(MAX_DEPTH + 5))
    response = _send(client, "POST", "/api/v1/contributions", body, world["tokens"]["contributor"])
    assert_api_error(response, 422)
    assert any("nested too deeply" in message.lower() for message in response.get_json().get("fields", {}).values())
    assert snapshot(app) == before


def test_json_deeper_than_the_parser_can_go_is_refused_for_its_depth(client, world):
    response = _send(client, "POST", "/api/v1/contributions", b"[" * 100_000 + b"]" * 100_000, world["tokens"]["contributor"])
    assert_api_error(response, 422)
    assert "nested too deeply" in response.get_json()["error"].lower()
