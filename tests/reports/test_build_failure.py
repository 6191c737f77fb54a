"""A failed build leaves the report unpublished, shows the error to the editor and marks the job failed."""

import os
import shutil

import pytest

from tests.reports.support import REPORTS_FOLDER, bearer, create_report, make_contribution, publish_and_wait, set_item


@pytest.fixture
def blocked_report_folder():
    """block(report_id): put a plain file where the report's folder goes, so writing the build fails
    (on the in-process build and on the rq worker alike; root ignores permissions, not this)."""
    made = []

    def block(report_id):
        path = os.path.join(REPORTS_FOLDER, f"report-{report_id}")
        if os.path.isdir(path):  # left by an earlier test's report with the same id
            shutil.rmtree(path)
        with open(path, "w") as handle:
            handle.write("not a folder")
        made.append(path)
        return path

    yield block
    for path in made:
        if os.path.isfile(path):
            os.remove(path)


def test_a_failed_build_leaves_the_report_unpublished_with_the_error_shown(app, client, editor, signed_in, blocked_report_folder):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    gap = make_contribution(app, "A gap for a failing build")
    set_item(client, headers, report, "Capability gaps", gap, "included")
    blocker = blocked_report_folder(report["id"])

    job = publish_and_wait(client, headers, report["id"], expect="failed")
    assert job["error"].startswith("The build failed:")

    current = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()
    assert (current["state"], current["version"], current["versions"]) == ("draft", 1, [])
    assert current["build_error"] == job["error"]
    assert client.get(f"/api/v1/reports/{report['id']}").status_code == 404  # not public
    assert client.get(f"/reports/{report['id']}").status_code == 404
    page = signed_in(editor).get(f"/reports/{report['id']}/edit").get_data(as_text=True)
    assert 'role="alert"' in page and "could not be published" in page and "The build failed:" in page
    assert "Publish version 1" in page  # back in draft: the editor can try again

    # With the cause gone, publishing works and the error goes away.
    os.remove(blocker)
    publish_and_wait(client, headers, report["id"])
    current = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()
    assert (current["state"], current["build_error"], len(current["versions"])) == ("published", None, 1)


def test_a_build_refused_by_the_check_hook_leaves_no_files(app, client, editor, monkeypatch):
    """REPORT_BUILD_CHECK may refuse a build (in-process builds only: the hook lives in this process)."""
    if app.config.get("REDIS_URL"):
        pytest.skip("the hook is a setting of this process; the rq worker has its own")

    def refuse(report, number, built):
        raise RuntimeError("the check refused it")

    monkeypatch.setitem(app.config, "REPORT_BUILD_CHECK", refuse)
    headers = bearer(app, editor)
    report = create_report(client, headers)
    folder = os.path.join(REPORTS_FOLDER, f"report-{report['id']}")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    job = publish_and_wait(client, headers, report["id"], expect="failed")
    assert "RuntimeError: the check refused it" in job["error"]
    assert set(os.listdir(folder)) == before, "the failed build left files behind"


def test_jobs_are_visible_only_to_who_may_follow_them(app, client, editor, make_user):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    job = publish_and_wait(client, headers, report["id"])
    other_editor = make_user(["editor"], area_codes=["CS"])
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(app, other_editor)).status_code == 404
    assert client.get(f"/api/v1/jobs/{job['id']}").status_code == 401
