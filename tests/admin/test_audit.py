"""The audit log: who did what and when, read from the history and events the platform records."""

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.auth.models import AccountEvent, User
from app.extensions import db
from app.workflow.models import WorkflowHistory
from tests.factories import ReportFactory, UserFactory, contribution_in_state
from tests.support import post_form


def _rows(html):
    """(who, what, about) of each row of the log."""
    rows = re.findall(
        r'<td class="audit-actor">(.*?)</td>\s*<td class="audit-action">(.*?)</td>\s*<td class="audit-subject">(.*?)</td>', html, re.S
    )
    return [tuple(" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row) for row in rows]


def _log(client, **query):
    response = client.get("/admin/audit", query_string=query)
    assert response.status_code == 200, response.status_code
    return _rows(response.get_data(as_text=True))


def test_admin_index_links_the_audit_log(admin_client):
    assert 'href="/admin/audit"' in admin_client.get("/admin/").get_data(as_text=True)


def test_contribution_steps_are_listed_with_who_and_what(admin_client, in_app):
    def make():
        author = UserFactory(name="Carla Contributor")
        contribution = contribution_in_state("submitted", author=author, title="Drones at the border")
        return contribution.id

    in_app(make)
    rows = _log(admin_client, kind="contribution")
    assert rows and all(about == "Drones at the border" for _who, _what, about in rows)
    assert any(who == "Carla Contributor" for who, _what, _about in rows)


def test_a_role_change_is_recorded_and_listed(admin_client, admin, contributor, in_app):
    response = post_form(
        admin_client,
        f"/admin/users/{contributor.id}",
        {"roles": ["contributor", "reviewer"], "areas": [str(in_app(_area_id("BM")))]},
        token_from=f"/admin/users/{contributor.id}",
    )
    assert response.status_code == 302
    events = in_app(lambda: [(e.kind, e.user_id, e.actor_id, e.detail["roles"]) for e in db.session.scalars(sa.select(AccountEvent))])
    assert events == [("access_changed", contributor.id, admin.id, ["contributor", "reviewer"])]
    html = admin_client.get("/admin/audit", query_string={"kind": "account"}).get_data(as_text=True)
    assert "Changed the access" in html and "Roles: Contributor, Reviewer" in html


def _area_id(code):
    def read():
        from app.community.models import ThematicArea

        return db.session.scalar(sa.select(ThematicArea.id).where(ThematicArea.code == code))

    return read


def test_saving_unchanged_access_records_nothing(admin_client, contributor, in_app):
    post_form(admin_client, f"/admin/users/{contributor.id}", {"roles": ["contributor"]}, token_from=f"/admin/users/{contributor.id}")
    assert in_app(lambda: db.session.scalar(sa.select(sa.func.count(AccountEvent.id)))) == 0


def test_deactivation_is_recorded_and_listed(admin_client, contributor, in_app):
    response = post_form(admin_client, f"/admin/users/{contributor.id}/deactivate", {}, token_from=f"/admin/users/{contributor.id}")
    assert response.status_code == 302
    rows = _log(admin_client, kind="account")
    assert [what for _who, what, _about in rows] == ["Deactivated the account"]


def test_invitations_and_access_decisions_are_listed(admin_client, make_access_request):
    post_form(
        admin_client,
        "/invitations",
        {"email": "invited@example.eu", "roles": ["contributor"], "network_id": "0"},
        token_from="/invitations",
    )
    request_id = make_access_request(email="asker@example.eu")
    post_form(admin_client, f"/admin/access-requests/{request_id}/reject", {"note": "No."}, token_from="/admin/")
    whats = [what for _who, what, _about in _log(admin_client)]
    assert "Invited invited@example.eu" in whats
    assert "Rejected the access request of asker@example.eu" in whats
    assert [what for _who, what, _about in _log(admin_client, kind="invitation")] == ["Invited invited@example.eu"]


def _history(in_app, actor_id, at, subject_id=1, transition="submit"):
    def write():
        db.session.add(
            WorkflowHistory(
                workflow="contribution",
                subject_id=subject_id,
                transition=transition,
                from_state="draft",
                to_state="submitted",
                actor_id=actor_id,
                at=at,
            )
        )
        db.session.commit()

    in_app(write)


def test_filter_by_person(admin_client, in_app):
    ana = in_app(lambda: UserFactory(name="Ana Actor").id)
    bo = in_app(lambda: UserFactory(name="Bo Bystander", email="bo@example.eu").id)
    now = datetime.now(UTC)
    _history(in_app, ana, now)
    _history(in_app, bo, now)
    assert [who for who, _what, _about in _log(admin_client, person="ana")] == ["Ana Actor"]
    assert [who for who, _what, _about in _log(admin_client, person="BO@EXAMPLE")] == ["Bo Bystander"]


def test_filter_by_date_range(admin_client, in_app):
    actor = in_app(lambda: UserFactory(name="Dana Dated").id)
    _history(in_app, actor, datetime(2026, 1, 10, 12, tzinfo=UTC), subject_id=1)
    _history(in_app, actor, datetime(2026, 2, 10, 12, tzinfo=UTC), subject_id=2)
    _history(in_app, actor, datetime(2026, 3, 10, 12, tzinfo=UTC), subject_id=3)
    html = admin_client.get("/admin/audit", query_string={"since": "2026-02-01", "until": "2026-02-10"}).get_data(as_text=True)
    assert [about for _who, _what, about in _rows(html)] == ["Contribution 2"]


def test_a_period_ending_before_it_starts_is_refused(admin_client):
    response = admin_client.get("/admin/audit", query_string={"since": "2026-03-01", "until": "2026-02-01"})
    assert response.status_code == 422
    assert "The end of the period comes before its start." in response.get_data(as_text=True)


def test_an_unknown_kind_is_refused(admin_client):
    assert admin_client.get("/admin/audit", query_string={"kind": "nonsense"}).status_code == 422


def test_the_log_is_newest_first_and_paginated(admin_client, in_app):
    actor = in_app(lambda: UserFactory(name="Pat Paged").id)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for number in range(30):
        _history(in_app, actor, start + timedelta(hours=number), subject_id=number + 1)
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    second = admin_client.get("/admin/audit", query_string={"page": 2}).get_data(as_text=True)
    assert len(_rows(first)) == 25 and len(_rows(second)) == 5
    assert "Contribution 30" in _rows(first)[0][2]


def test_publications_are_listed(admin_client, in_app):
    def publish():
        from app.reports.models import ReportVersion

        report = ReportFactory(title="Border report")
        db.session.add(
            ReportVersion(
                report_id=report.id,
                number=1,
                title=report.title,
                published_by_id=report.created_by_id,
                html_path="x.html",
                html_sha256="0" * 64,
                pdf_path="x.pdf",
                pdf_sha256="0" * 64,
                json_path="x.json",
                json_sha256="0" * 64,
            )
        )
        db.session.commit()

    in_app(publish)
    rows = _log(admin_client, kind="publication")
    assert [(what, about) for _who, what, about in rows] == [("Published version 1", "Border report")]


def test_the_number_of_queries_does_not_grow_with_the_page(admin_client, in_app, count_queries):
    def make(count):
        people = [UserFactory().id for _ in range(count)]
        for number, person in enumerate(people):
            _history(in_app, person, datetime.now(UTC), subject_id=number + 1)
            db.session.add(AccountEvent(kind="deactivated", user_id=person, actor_id=person))
        db.session.commit()

    in_app(lambda: make(2))
    with count_queries() as few:
        admin_client.get("/admin/audit")
    in_app(lambda: make(20))
    with count_queries() as many:
        admin_client.get("/admin/audit")
    assert len(many) == len(few)
    assert len(many) <= 20


def test_only_admins_read_the_log(signed_in, editor):
    assert signed_in(editor).get("/admin/audit").status_code == 403


def test_a_user_deleted_from_the_log_is_not_a_server_error(admin_client, in_app):
    _history(in_app, None, datetime.now(UTC))
    assert _log(admin_client)[0][0] == "not recorded"


def test_the_rule_names_admins_only(app, admin, editor):
    from app.admin import audit

    with app.app_context():
        assert audit.can_read_audit_log(db.session.get(User, admin.id))
        assert not audit.can_read_audit_log(db.session.get(User, editor.id))
