"""Builds survive a missing Redis: the job waits queued, and `flask reports retry-builds` sends it on."""

from tests.reports.support import REPORTS_FOLDER, bearer, create_report
from tests.support import UNREACHABLE_REDIS_URL, wait_for


def test_a_build_asked_for_while_redis_is_down_waits_and_is_retried(app, client, make_app, editor):
    headers = bearer(app, editor)
    report = create_report(client, headers)
    offline = make_app(REDIS_URL=UNREACHABLE_REDIS_URL, REPORTS_FOLDER=REPORTS_FOLDER)

    response = offline.test_client().post(f"/api/v1/reports/{report['id']}/publish", headers=headers)
    assert response.status_code == 202
    job_id = response.get_json()["job_id"]
    job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
    assert (job["state"], job["progress"]) == ("queued", 0)
    assert client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()["state"] == "frozen"

    result = app.test_cli_runner().invoke(args=["reports", "retry-builds"])
    assert result.exit_code == 0 and "Report builds queued again: 1" in result.output

    def finished():
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
        return job if job["state"] == "finished" else None

    wait_for(finished, timeout=60, interval=0.2, message="the retried build")
    assert client.get(f"/api/v1/reports/{report['id']}").get_json()["versions"][0]["version"] == 1


def test_running_a_finished_build_job_again_changes_nothing(app, client, editor):
    from app.reports.services import run_build

    headers = bearer(app, editor)
    report = create_report(client, headers)
    job_id = client.post(f"/api/v1/reports/{report['id']}/publish", headers=headers).get_json()["job_id"]
    wait_for(lambda: client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()["state"] == "finished", timeout=60)
    before = client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()["versions"]
    with app.app_context():
        assert run_build(job_id) == "finished"
    assert client.get(f"/api/v1/reports/{report['id']}", headers=headers).get_json()["versions"] == before
