"""The report lifecycle runs on the workflow engine from workflows/report.toml: history, guards, actors, races."""

import shutil
import threading
from pathlib import Path

import pytest

from app.workflow import WorkflowDefinitionError
from tests.reports.support import bearer, create_report, publish_and_wait

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _history(app, report_id):
    from app.extensions import db
    from app.workflow.models import WorkflowHistory

    with app.app_context():
        rows = db.session.scalars(
            db.select(WorkflowHistory)
            .where(WorkflowHistory.workflow == "report", WorkflowHistory.subject_id == report_id)
            .order_by(WorkflowHistory.id)
        ).all()
        return [(row.transition, row.from_state, row.to_state, row.actor_id) for row in rows]


def _report_row(app, report_id):
    from app.extensions import db
    from app.reports.models import Report

    with app.app_context():
        report = db.session.get(Report, report_id)
        return report.state, report.version, report.row_version, report.build_job_id


def test_publishing_and_the_next_version_are_transitions_recorded_in_the_history(app, client, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    publish_and_wait(client, headers, report["id"])
    response = client.patch(f"/api/v1/reports/{report['id']}", json={"title": "The second edition"}, headers=headers)
    assert (response.get_json()["state"], response.get_json()["version"]) == ("draft", 2)

    assert _history(app, report["id"]) == [
        ("publish", "draft", "frozen", editor.id),
        ("finish_build", "frozen", "published", None),  # the build job, not a person
        ("start_next_version", "published", "draft", editor.id),
    ]


def test_a_report_without_sections_cannot_be_published_and_nothing_changes(app, client, editor):
    from app.background.models import BackgroundJob
    from app.extensions import db

    headers = bearer(app, editor)
    report = create_report(client, headers)
    for section in report["sections"]:
        with app.app_context():
            from app.reports.models import ReportSection

            db.session.delete(db.session.get(ReportSection, section["id"]))
            db.session.commit()
    before = _report_row(app, report["id"])

    response = client.post(f"/api/v1/reports/{report['id']}/publish", headers=headers)

    assert response.status_code == 409
    assert response.get_json()["error"] == "A report needs at least one section to be published."
    assert _report_row(app, report["id"]) == before
    assert _history(app, report["id"]) == []
    with app.app_context():
        assert db.session.scalars(db.select(BackgroundJob)).all() == []


def test_an_editor_of_another_area_cannot_publish(app, client, editor, make_user):
    report = create_report(client, bearer(app, editor))
    other = make_user(["editor"], area_codes=["CS"])
    before = _report_row(app, report["id"])

    response = client.post(f"/api/v1/reports/{report['id']}/publish", headers=bearer(app, other))

    assert response.status_code in (403, 404)
    assert _report_row(app, report["id"]) == before
    assert _history(app, report["id"]) == []


def test_the_build_actor_takes_only_its_own_reports_build(app, client, editor):
    from app.background import services as jobs
    from app.extensions import db
    from app.reports import workflow
    from app.reports.models import Report
    from app.reports.publishing import BuildActor

    first = create_report(client, bearer(app, editor))
    second = create_report(client, bearer(app, editor), title="Another report")
    with app.app_context():
        job = jobs.new_job("report_build", "report", first["id"])
        assert workflow.is_the_build(db.session.get(Report, first["id"]), BuildActor(job))
        assert not workflow.is_the_build(db.session.get(Report, second["id"]), BuildActor(job))
        db.session.rollback()


def test_who_may_follow_a_build_job(app, client, editor, make_user):
    from app.auth.models import User
    from app.background import services as jobs
    from app.extensions import db

    headers = bearer(app, editor)
    report = create_report(client, headers)
    job_id = publish_and_wait(client, headers, report["id"])["id"]
    colleague = make_user(["editor"], area_codes=["BM"])
    elsewhere = make_user(["editor"], area_codes=["CS"])
    admin = make_user(["admin"])
    contributor = make_user(["contributor"])
    with app.app_context():
        job = jobs.get(job_id)
        answers = {
            name: jobs.can_follow_job(db.session.get(User, user.id), job)
            for name, user in (
                ("asker", editor),
                ("colleague", colleague),
                ("elsewhere", elsewhere),
                ("admin", admin),
                ("contributor", contributor),
            )
        }
    assert answers == {"asker": True, "colleague": True, "elsewhere": False, "admin": True, "contributor": False}


def test_the_help_lists_and_draws_the_report_workflow(client):
    assert "/help/workflows/report" in client.get("/help").get_data(as_text=True)
    page = client.get("/help/workflows/report")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Report publication" in text and "Being built" in text and "Start the next version" in text


def test_the_app_refuses_to_start_when_report_states_differ_from_the_database(tmp_path):
    from app import create_app

    shutil.copy(WORKFLOWS / "contribution.toml", tmp_path / "contribution.toml")
    text = (WORKFLOWS / "report.toml").read_text(encoding="utf-8")
    archived = '[states.archived]\nlabel = "Archived"\n\n[transitions.archive]\nfrom = ["published"]\nto = "archived"\nwho = ["admin"]\n\n[transitions.restore]\nfrom = ["archived"]\nto = "published"\nwho = ["admin"]\n\n'
    (tmp_path / "report.toml").write_text(text.replace("[transitions.publish]", archived + "[transitions.publish]"), encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WORKFLOWS_FOLDER": str(tmp_path)})
    assert "report.toml" in str(raised.value) and "reports.state does not allow: archived" in str(raised.value)


def test_a_refusal_on_the_new_report_form_is_shown_beside_the_form(app, editor, signed_in):
    from app.extensions import db
    from app.reports.models import Report
    from tests.support import post_form

    client = signed_in(editor)
    response = post_form(client, "/reports/new", {"kind": "briefing", "title": "Outside my areas", "areas": ["CS"]})
    assert response.status_code == 422
    assert "You are not an editor of: CS." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(db.select(Report)).all() == []


@pytest.mark.postgres_only
def test_two_editors_publishing_at_once_give_one_winner(app, client, editor, make_user):
    """Both publish requests read the draft and block writing the same row; one 202, one 409, one history entry."""
    import time

    import psycopg
    import sqlalchemy as sa

    report = create_report(client, bearer(app, editor))
    editors = [bearer(app, editor), bearer(app, make_user(["editor"], area_codes=["BM"]))]
    database_url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    statuses = []

    def publish(headers):
        statuses.append(app.test_client().post(f"/api/v1/reports/{report['id']}/publish", headers=headers).status_code)

    with psycopg.connect(database_url.render_as_string(hide_password=False)) as holder:
        holder.execute("SELECT id FROM reports WHERE id = %s FOR UPDATE", (report["id"],))
        threads = [threading.Thread(target=publish, args=(headers,)) for headers in editors]
        for thread in threads:
            thread.start()
        with psycopg.connect(database_url.render_as_string(hide_password=False), autocommit=True) as observer:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                waiting = observer.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()[0]
                if waiting == 2:
                    break
                time.sleep(0.02)
            assert waiting == 2, "both publish requests should be waiting to write the same row"
        holder.rollback()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [202, 409]
    assert [entry[0] for entry in _history(app, report["id"])].count("publish") == 1
