"""The workers' sweep: work written while Redis was down is picked up once it is back, with nobody running a command.

With TEST_REDIS_URL the sweep queues the work for the real rq worker process
(and a `jobs worker` sweeps on its own); without it, the work runs in-process.
"""

import os
import subprocess
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.background.models import BackgroundJob
from app.extensions import db
from app.mail.models import OutboxMessage
from app.sweep import sweep
from app.timeutil import utcnow
from tests.conftest import ROOT, WITH_REDIS
from tests.factories import PASSWORD
from tests.reports.support import REPORTS_FOLDER, bearer, create_report
from tests.support import UNREACHABLE_REDIS_URL, post_form, sign_in, wait_for

needs_redis = pytest.mark.skipif(not WITH_REDIS, reason="needs Redis and the rq worker (set TEST_REDIS_URL)")
without_redis = pytest.mark.skipif(WITH_REDIS, reason="the in-process path runs when TEST_REDIS_URL is not set")

# The sweeping app's interval in these tests; the session's rq worker sweeps
# every 60 s, so work written less than a minute ago is this test's alone.
INTERVAL = 5


@pytest.fixture(autouse=True)
def _setup(app, monkeypatch):
    """Reports are written to this run's folder; no sweep claim is left from an earlier test (ids restart)."""
    from app.jobs import redis_connection

    monkeypatch.setitem(app.config, "REPORTS_FOLDER", REPORTS_FOLDER)
    if WITH_REDIS:
        with app.app_context():
            connection = redis_connection()
            for key in connection.scan_iter("ceris:sweep:*"):
                connection.delete(key)


@pytest.fixture
def offline_app(make_app):
    """The platform while Redis is down (nothing listens there)."""
    return make_app(REDIS_URL=UNREACHABLE_REDIS_URL, REPORTS_FOLDER=REPORTS_FOLDER)


@pytest.fixture
def sweeping_app(make_app):
    """The platform once Redis is back (or in-process), sweeping every INTERVAL seconds."""
    return make_app(SWEEP_INTERVAL_SECONDS=INTERVAL, REPORTS_FOLDER=REPORTS_FOLDER)


def work_asked_for_during_the_outage(offline_app, admin, editor):
    """An invitation and a report build asked for while Redis is down; returns (report id, build job id, headers)."""
    client = offline_app.test_client()
    sign_in(client, admin.email, PASSWORD)
    response = post_form(
        client, "/invitations", {"email": "waited@example.eu", "roles": ["contributor"], "network_id": "0"}, token_from="/invitations"
    )
    assert response.status_code == 302
    headers = bearer(offline_app, editor)
    report = create_report(offline_app.test_client(), headers)
    response = offline_app.test_client().post(f"/api/v1/reports/{report['id']}/publish", headers=headers)
    assert response.status_code == 202
    return report["id"], response.get_json()["job_id"], headers


def waiting(app):
    with app.app_context():
        return (
            db.session.scalars(sa.select(OutboxMessage.state)).all(),
            db.session.scalars(sa.select(BackgroundJob.state)).all(),
        )


def written_ago(app, seconds):
    """Move the outbox messages and build jobs back in time (the outage began a while ago)."""
    with app.app_context():
        earlier = utcnow() - timedelta(seconds=seconds)
        db.session.execute(sa.update(OutboxMessage).values(created_at=earlier))
        db.session.execute(sa.update(BackgroundJob).values(created_at=earlier))
        db.session.commit()


def build_state(client, headers, job_id):
    return client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()["state"]


def assert_delivered_once_and_built(app, mailbox, report_id, job_id, headers):
    client = app.test_client()
    wait_for(lambda: build_state(client, headers, job_id) == "finished", timeout=60, interval=0.2, message="the build")
    mailbox.wait_for(1, recipient="waited@example.eu")
    wait_for(lambda: waiting(app)[0] == ["sent"], message="the invitation marked sent")
    assert len(mailbox.to("waited@example.eu")) == 1
    assert [version["version"] for version in client.get(f"/api/v1/reports/{report_id}").get_json()["versions"]] == [1]


# --- the sweep ---------------------------------------------------------------------------------


def test_work_asked_for_while_redis_was_down_is_done_by_the_sweep(offline_app, sweeping_app, admin, editor, mailbox):
    report_id, job_id, headers = work_asked_for_during_the_outage(offline_app, admin, editor)
    assert waiting(offline_app) == (["pending"], ["queued"])
    assert mailbox.messages == []
    written_ago(sweeping_app, 2 * INTERVAL)

    with sweeping_app.app_context():
        assert sweep() == {"outbox": 1, "report_builds": 1, "workshop_calls": 0}

    assert_delivered_once_and_built(sweeping_app, mailbox, report_id, job_id, headers)


def test_work_written_within_the_last_interval_is_left_to_its_own_job(offline_app, sweeping_app, admin, editor, mailbox):
    work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(sweeping_app, INTERVAL - 2)

    with sweeping_app.app_context():
        assert sweep() == {"outbox": 0, "report_builds": 0, "workshop_calls": 0}
    assert waiting(sweeping_app) == (["pending"], ["queued"])
    assert mailbox.messages == []


def test_a_second_sweep_finds_nothing_more_to_do(offline_app, sweeping_app, admin, editor, mailbox):
    report_id, job_id, headers = work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(sweeping_app, 2 * INTERVAL)
    with sweeping_app.app_context():
        sweep()
    assert_delivered_once_and_built(sweeping_app, mailbox, report_id, job_id, headers)

    with sweeping_app.app_context():
        assert sweep() == {"outbox": 0, "report_builds": 0, "workshop_calls": 0}
    assert len(mailbox.to("waited@example.eu")) == 1


def test_two_sweeps_at_once_deliver_the_email_once_and_build_once(offline_app, sweeping_app, admin, editor, mailbox):
    report_id, job_id, headers = work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(sweeping_app, 2 * INTERVAL)
    start = threading.Barrier(2)
    results = []

    def sweeper():
        with sweeping_app.app_context():
            start.wait()
            results.append(sweep())
            db.session.remove()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 2
    if WITH_REDIS:
        # Each item is claimed in Redis by one of the sweeps: queued once.
        assert sum(result["outbox"] for result in results) == 1
        assert sum(result["report_builds"] for result in results) == 1
    assert_delivered_once_and_built(sweeping_app, mailbox, report_id, job_id, headers)


def test_without_a_mail_server_the_sweep_leaves_emails_in_the_outbox(offline_app, make_app, admin, editor, mailbox):
    work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(offline_app, 2 * INTERVAL)
    no_smtp = make_app(MAIL_SERVER=None, SWEEP_INTERVAL_SECONDS=INTERVAL, REPORTS_FOLDER=REPORTS_FOLDER)
    with no_smtp.app_context():
        assert sweep()["outbox"] == 0
    assert waiting(no_smtp)[0] == ["pending"]


@needs_redis
def test_an_email_whose_job_is_still_in_rq_is_left_to_it(offline_app, sweeping_app, admin, editor, mailbox):
    """A message with a retry scheduled in RQ keeps RQ's back-off: the sweep does not queue it again."""
    from app.jobs import queue
    from app.mail.jobs import send_outbox_message
    from app.mail.services import job_key

    work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(sweeping_app, 2 * INTERVAL)
    with sweeping_app.app_context():
        message_id = db.session.scalar(sa.select(OutboxMessage.id))
        retry = queue().enqueue_in(timedelta(hours=1), send_outbox_message, message_id, job_id=f"{job_key(message_id)}1-later")
        try:
            assert sweep()["outbox"] == 0
        finally:
            retry.delete()
    assert waiting(sweeping_app)[0] == ["pending"]
    assert mailbox.messages == []


@needs_redis
def test_a_sweep_while_redis_is_still_down_raises_and_changes_nothing(offline_app, admin, editor):
    from redis.exceptions import RedisError

    work_asked_for_during_the_outage(offline_app, admin, editor)
    written_ago(offline_app, 120)
    with offline_app.app_context(), pytest.raises(RedisError):
        sweep()
    assert waiting(offline_app) == (["pending"], ["queued"])


def test_a_workshop_call_that_opened_with_time_is_announced_by_the_sweep_once(sweeping_app, mailbox):
    from tests.subscriptions.support import announced_at, call_emails, subscribed, workshop

    subscribed(sweeping_app, "bm@example.eu", ["BM"], topics=["workshop_calls"])
    opened = workshop(sweeping_app)  # stored with its call open, no save to announce it: only the clock moved
    later = workshop(sweeping_app, title="Not yet", call=(2, 48))

    with sweeping_app.app_context():
        assert sweep()["workshop_calls"] == 1
    mailbox.wait_for(1, recipient="bm@example.eu")
    wait_for(lambda: announced_at(sweeping_app, opened), message="the call marked announced")
    with sweeping_app.app_context():
        assert sweep()["workshop_calls"] == 0
    assert call_emails(sweeping_app) == ["bm@example.eu"]
    assert announced_at(sweeping_app, later) is None


# --- the worker sweeps on its own --------------------------------------------------------------


@pytest.fixture
def sweeping_worker(app_settings):
    """A second `flask --app wsgi jobs worker` process, sweeping every second."""
    env = {
        **os.environ,
        **app_settings,
        "RATELIMIT_STORAGE_URI": "memory://",
        "REPORTS_FOLDER": REPORTS_FOLDER,
        "SWEEP_INTERVAL_SECONDS": "1",
    }
    log = tempfile.NamedTemporaryFile(prefix="rq-sweeping-worker-", suffix=".log", delete=False)  # noqa: SIM115 - the worker writes to it until the end
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    # Shown by pytest when the test fails.
    print(Path(log.name).read_text()[-5000:])
    Path(log.name).unlink(missing_ok=True)


@needs_redis
def test_a_running_worker_picks_up_work_from_the_outage_by_itself(offline_app, admin, editor, mailbox, sweeping_worker):
    report_id, job_id, headers = work_asked_for_during_the_outage(offline_app, admin, editor)

    # No command, no sweep called here: the worker's own sweep finds the work within a few seconds.
    assert_delivered_once_and_built(offline_app, mailbox, report_id, job_id, headers)
    assert sweeping_worker.poll() is None


# --- the embedded default -------------------------------------------------------------------------


@without_redis
def test_without_redis_an_invitation_is_sent_before_the_page_answers(app, admin, mailbox):
    client = app.test_client()
    sign_in(client, admin.email, PASSWORD)
    post_form(client, "/invitations", {"email": "now@example.eu", "roles": ["contributor"], "network_id": "0"}, token_from="/invitations")
    assert len(mailbox.to("now@example.eu")) == 1
    assert waiting(app)[0] == ["sent"]


def test_the_worker_command_needs_redis(make_app):
    result = make_app(REDIS_URL=None).test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def serve(app, monkeypatch):
    """`flask --app wsgi serve`, with the server's loop replaced: the threads it starts, by name."""
    import werkzeug.serving

    served = []
    monkeypatch.setattr(werkzeug.serving, "run_simple", lambda host, port, application, **options: served.append((host, port)))
    before = set(threading.enumerate())
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 5123)]
    started = [thread for thread in threading.enumerate() if thread not in before]
    for thread in started:
        thread.stop.set()
    return [thread.name for thread in started]


@without_redis
def test_the_embedded_server_sweeps_in_a_thread_as_no_worker_does(make_app, monkeypatch):
    assert serve(make_app(SWEEP_INTERVAL_SECONDS=3600), monkeypatch) == ["ceris-sweep"]


@needs_redis
def test_with_redis_the_server_leaves_the_sweep_to_the_workers(make_app, monkeypatch):
    assert serve(make_app(SWEEP_INTERVAL_SECONDS=3600), monkeypatch) == []
