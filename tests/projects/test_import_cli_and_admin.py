"""The import from the command line, the admin upload page with its background job, the demo, and the area page's open call topics."""

import io
import os
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.background.models import BackgroundJob
from app.extensions import db
from app.projects.models import CallTopic, Project
from tests.projects.test_import import HEADER_HE, he_row, needs_cordis
from tests.support import csrf_token


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = HEADER_HE + he_row("101000101", "CLIONE", "HORIZON-CL3-2021-FCT-01-01") + he_row("101000102", "CLITWO", "HORIZON-CL3-2021-BM-01-01")
TOPICS = '"projectID";"topic";"title"\n"101000101";"HORIZON-CL3-2021-CS-01-01";"Cyber"\n'


# --- command line -------------------------------------------------------------------------------


def test_the_command_imports_each_file_and_prints_its_summary(app, cli, tmp_path):
    # Topics named first: the command imports the projects first all the same.
    result = cli("projects", "import", write(tmp_path, "topics.csv", TOPICS), write(tmp_path, "project.csv", GOOD))

    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].endswith("2 created, 0 updated, 0 unchanged, 0 skipped as out of scope.") and "project.csv" in lines[0]
    assert lines[1].endswith("0 created, 1 updated, 0 unchanged, 0 skipped as out of scope.") and "topics.csv" in lines[1]
    assert count(app, Project) == 2


def test_the_command_refuses_a_bad_file_with_its_row_and_exits_non_zero(app, cli, tmp_path):
    bad = (
        HEADER_HE
        + he_row("101000103", "FINE", "HORIZON-CL3-2021-FCT-01-01")
        + he_row("101000104", "BAD", "HORIZON-CL3-2021-FCT-01-01", end="2021-02-29")
    )

    result = cli("projects", "import", write(tmp_path, "bad.csv", bad))

    assert result.exit_code != 0
    assert "Row 3 (line 3)" in result.output and 'endDate "2021-02-29" is not a date that exists' in result.output
    assert count(app, Project) == 0


def test_the_command_refuses_a_file_of_no_known_kind(app, cli, tmp_path):
    result = cli("projects", "import", write(tmp_path, "x.csv", "a;b\n1;2\n"))

    assert result.exit_code != 0 and "Not a CORDIS file" in result.output


# --- the admin upload page and its job ----------------------------------------------------------------


def upload(client, name, content, content_type="text/csv"):
    token = csrf_token(client, "/admin/projects/import")
    return client.post(
        "/admin/projects/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name, content_type)},
        content_type="multipart/form-data",
    )


def follow_job(client, response):
    """The job page the upload leads to, once the job is done (in-process it is at once; with RQ, poll)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    for _attempt in range(100):
        page = client.get(location)
        text = page.get_data(as_text=True)
        if "Check again" not in text and "Waiting to start" not in text:
            return page, location
        time.sleep(0.1)
    raise AssertionError("the import job did not end")


def stored_uploads(app):
    """The uploaded copies waiting in the import folder (other tests' waiting jobs may have left theirs)."""
    folder = Path(app.config["UPLOAD_FOLDER"]) / "imports"
    return set(os.listdir(folder)) if folder.is_dir() else set()


def test_an_admin_uploads_a_file_and_the_job_page_shows_the_summary(app, signed_in, admin):
    client = signed_in(admin)
    before = stored_uploads(app)

    page, location = follow_job(client, upload(client, "project.csv", GOOD.encode()))

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "2 created, 0 updated, 0 unchanged, 0 skipped as out of scope." in text
    assert count(app, Project) == 2
    job_id = location.rsplit("/", 1)[1]
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        assert (job.kind, job.state, job.progress, job.result["summary"]["created"]) == ("projects_import", "finished", 100, 2)
    # The uploaded copy is removed once imported.
    assert stored_uploads(app) == before


def test_the_job_is_followed_through_the_api_by_the_admin_who_started_it(app, signed_in, admin, client):
    from tests.factories import PASSWORD

    browser = signed_in(admin)
    _page, location = follow_job(browser, upload(browser, "project.csv", GOOD.encode()))
    job_id = location.rsplit("/", 1)[1]
    token = client.post("/api/v1/tokens", json={"email": admin.email, "password": PASSWORD}).get_json()["token"]

    answer = client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["state"], body["progress"], body["result"]["summary"]["created"]) == ("finished", 100, 2)


def test_a_refused_upload_shows_the_row_and_changes_nothing(app, signed_in, admin):
    client = signed_in(admin)
    bad = (
        HEADER_HE
        + he_row("101000105", "ONE", "HORIZON-CL3-2021-FCT-01-01")
        + he_row("101000106", "TWO", "HORIZON-CL3-2021-FCT-01-01", total="n/a")
    )

    page, _location = follow_job(client, upload(client, "project.csv", bad.encode()))

    text = page.get_data(as_text=True)
    assert "The file was refused; nothing was changed." in text and "Row 3 (line 3)" in text
    assert count(app, Project) == 0


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("project.pdf", GOOD.encode(), 422, "Choose a CSV file (.csv)."),
        ("project.csv", b"\x00\x01binary" + GOOD.encode(), 422, "The file is not CSV text."),
        ("project.csv", b"name,email\nx,y\n", 422, "Not a CORDIS file"),
        ("project.csv", b"", 422, "The file is empty."),
    ],
)
def test_an_upload_that_is_not_a_cordis_csv_is_refused_at_once(app, signed_in, admin, name, content, status, message):
    client = signed_in(admin)
    before = stored_uploads(app)

    response = upload(client, name, content)

    assert response.status_code == status and message in response.get_data(as_text=True)
    assert count(app, BackgroundJob) == 0
    assert stored_uploads(app) == before


def test_an_upload_over_the_limit_is_refused(app, signed_in, admin):
    client = signed_in(admin)
    app.config["PROJECT_IMPORT_MAX_BYTES"] = 100
    try:
        response = upload(client, "project.csv", GOOD.encode())
    finally:
        app.config.pop("PROJECT_IMPORT_MAX_BYTES")

    assert response.status_code == 413 and "The file is larger than" in response.get_data(as_text=True)
    assert count(app, BackgroundJob) == 0


def test_editors_may_not_import(app, signed_in, editor):
    client = signed_in(editor)

    response = client.post(
        "/admin/projects/import",
        data={"csrf_token": csrf_token(client, "/"), "file": (io.BytesIO(GOOD.encode()), "p.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 403 and count(app, Project) == 0


def test_the_import_page_does_not_show_jobs_of_another_kind(app, signed_in, admin):
    from app.background import services as background

    with app.app_context():
        other = background.new_job("report_build")
        db.session.commit()
        other_id = other.id

    assert signed_in(admin).get(f"/admin/projects/import/{other_id}").status_code == 404


def test_an_import_not_yet_started_says_it_is_waiting(app, signed_in, admin):
    from app.background import services as background
    from app.projects.jobs import IMPORT_JOB_KIND

    with app.app_context():
        waiting = background.new_job(IMPORT_JOB_KIND, created_by=db.session.get(User, admin.id), filename="project.csv")
        db.session.commit()
        waiting_id = waiting.id

    page = signed_in(admin).get(f"/admin/projects/import/{waiting_id}").get_data(as_text=True)
    assert "Waiting to start." in page
    assert "The file was refused" not in page


# --- demo and the area page ---------------------------------------------------------------------------


@needs_cordis
def test_the_demo_loads_the_cordis_samples_once(app, cli):
    assert cli("demo").exit_code == 0
    assert count(app, Project) == 137 and count(app, CallTopic) == 24

    assert cli("demo").exit_code == 0
    assert count(app, Project) == 137 and count(app, CallTopic) == 24


def test_the_area_page_lists_its_open_call_topics(app, client, tmp_path, cli):
    calls = (
        "\ufeffidentifier,title,start_date,deadline,description\n"
        "HORIZON-CL3-2025-01-BM-01,Border surveillance open topic,2025-06-12T00:00:00,2099-11-12T17:00:00,About <b>borders</b>\n"
        "HORIZON-CL3-2025-01-BM-02,Long closed topic,2025-06-12T00:00:00,2025-11-12T17:00:00,x\n"
        "HORIZON-CL3-2025-01-FCT-01,Crime topic,2025-06-12T00:00:00,2099-11-12T17:00:00,x\n"
    )
    assert cli("projects", "import", write(tmp_path, "calls.csv", calls)).exit_code == 0

    text = client.get("/areas/BM").get_data(as_text=True)

    assert "HORIZON-CL3-2025-01-BM-01" in text and "Border surveillance open topic" in text
    assert "About &lt;b&gt;borders&lt;/b&gt;" in text
    assert "Long closed topic" not in text and "Crime topic" not in text


def test_in_process_the_page_after_the_upload_shows_the_summary_at_once(app, signed_in, admin):
    if app.config.get("REDIS_URL"):
        pytest.skip("with a worker the import runs after the upload answers: the page is followed until it ends")
    client = signed_in(admin)
    response = upload(client, "project.csv", GOOD.encode())

    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert "Imported. CORDIS projects (project.csv): 2 created, 0 updated, 0 unchanged, 0 skipped as out of scope." in page
    assert "Waiting to start." not in page and "Check again" not in page
    assert 'href="/projects"' in page and "Ended " in page


def test_a_started_import_without_progress_yet_says_so_rather_than_zero(app, signed_in, admin):
    from app.background import services as background
    from app.projects.jobs import IMPORT_JOB_KIND

    with app.app_context():
        started = background.new_job(IMPORT_JOB_KIND, created_by=db.session.get(User, admin.id), filename="project.csv")
        db.session.commit()
        started_id = started.id
        assert background.claim(started_id)

    page = signed_in(admin).get(f"/admin/projects/import/{started_id}").get_data(as_text=True)

    assert "Importing: started; no progress reported yet." in page
    assert "Waiting to start." not in page and "Check again" in page


def test_a_running_import_shows_its_progress(app, signed_in, admin):
    from app.background import services as background
    from app.projects.jobs import IMPORT_JOB_KIND

    with app.app_context():
        running = background.new_job(IMPORT_JOB_KIND, created_by=db.session.get(User, admin.id), filename="project.csv")
        db.session.commit()
        running_id = running.id
        assert background.claim(running_id)
        background.set_progress(background.get(running_id), 37)

    page = signed_in(admin).get(f"/admin/projects/import/{running_id}").get_data(as_text=True)

    assert "Importing: 37% done." in page and 'value="37"' in page
