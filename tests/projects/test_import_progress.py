"""The import job's progress: reported after every batch, and (on PostgreSQL) seen by whoever polls while the import runs."""

import io

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.background import services as background
from app.background.models import BackgroundJob
from app.extensions import db
from app.projects import jobs, services
from app.projects.models import Project
from tests.projects.test_import import HEADER_HE, he_row, write

SEVEN_ROWS = HEADER_HE + "".join(he_row(str(101000300 + n), f"STEP{n}", "HORIZON-CL3-2021-FCT-01-01") for n in range(7))


def test_the_import_reports_its_progress_after_each_batch(app_context, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    reported = []

    summary = services.import_file(write(tmp_path, "project.csv", SEVEN_ROWS), progress=reported.append)

    assert summary["created"] == 7
    # Three full batches of two; the last, short batch is followed by the end of the import (100 on the job).
    assert len(reported) == 3
    assert reported == sorted(reported) and len(set(reported)) == 3
    assert all(1 <= percent <= 99 for percent in reported)


def test_without_a_progress_callback_the_import_runs_all_the_same(app_context, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)

    assert services.import_file(write(tmp_path, "project.csv", SEVEN_ROWS))["created"] == 7


def _waiting_import_job(make_user):
    admin = db.session.get(User, make_user(["admin"]).id)
    stored, kind = services.save_upload("project.csv", io.BytesIO(SEVEN_ROWS.encode()), admin)
    # Not queued: this test runs the job itself, so the suite's worker leaves it alone.
    job = background.new_job(jobs.IMPORT_JOB_KIND, created_by=admin, file=stored, filename="project.csv", file_kind=kind)
    db.session.commit()
    return job.id


def test_pollers_see_the_progress_while_the_import_runs(app, app_context, make_user, monkeypatch):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite locks the database for the import's transaction: progress is shown at the end there")
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    job_id = _waiting_import_job(make_user)
    seen = []
    real_recorder = jobs._progress_recorder

    def watched_recorder(recorded_job_id):
        record = real_recorder(recorded_job_id)

        def record_and_look(percent):
            record(percent)
            # What another process polling the job (the page, GET /api/v1/jobs/{id}) reads at this moment.
            with db.engine.connect() as other:
                progress = other.scalar(sa.select(BackgroundJob.progress).where(BackgroundJob.id == recorded_job_id))
                projects = other.scalar(sa.select(sa.func.count()).select_from(Project))
            seen.append((progress, projects))

        return record_and_look

    monkeypatch.setattr(jobs, "_progress_recorder", watched_recorder)

    assert jobs.run_import(job_id) == "finished"

    assert len(seen) == 3
    progress_values = [progress for progress, _projects in seen]
    assert progress_values == sorted(progress_values) and all(1 <= value <= 99 for value in progress_values)
    assert progress_values[-1] > progress_values[0]
    # The import's own rows are not visible yet: the progress is committed beside the import, not with it.
    assert all(projects == 0 for _progress, projects in seen)
    db.session.expire_all()
    job = db.session.get(BackgroundJob, job_id)
    assert job.succeeded and job.progress == 100 and job.result["summary"]["created"] == 7
