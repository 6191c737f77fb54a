"""Test harness.

Runs on SQLite with in-process jobs by default. With TEST_DATABASE_URL and
TEST_REDIS_URL it runs on a fresh PostgreSQL database and a free Redis db
number, with a real `rq worker` process doing the jobs; both are removed at
the end. A real SMTP server (aiosmtpd) captures every e-mail. Each test
starts from empty tables plus the seeded thematic areas.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support import sign_in, wait_for

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)
WITH_REDIS = bool(TEST_REDIS_URL)


def pytest_report_header(config):
    database = "PostgreSQL (TEST_DATABASE_URL)" if ON_POSTGRES else "SQLite"
    jobs = "Redis + rq worker (TEST_REDIS_URL)" if WITH_REDIS else "in-process"
    return [f"CERIS Exchange tests: database {database}, jobs {jobs}"]


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)


# --- services ----------------------------------------------------------------


def _with_database(url, name):
    parts = sa.engine.make_url(url)
    return parts.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A database of this run's own, dropped at the end."""
    if not ON_POSTGRES:
        # In memory-backed storage when the machine has it: SQLite syncs the disk on every commit,
        # which costs more than the tests' own work; the suite never needs the file to outlive a crash.
        with _memory_backed_directory(tmp_path_factory) as directory:
            yield "sqlite:///" + str(directory / "ceris-test.sqlite")
        return
    import psycopg

    name = f"ceris_test_{uuid.uuid4().hex[:12]}"
    admin_url = sa.engine.make_url(TEST_DATABASE_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        # Commits do not wait for the disk: a crash of the server loses the last ones, which a
        # throw-away test database can afford; every other guarantee (locks, isolation) is unchanged.
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield _with_database(TEST_DATABASE_URL, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


MEMORY_BACKED = Path("/dev/shm")  # noqa: S108 - tmpfs on Linux; each run makes its own directory in it (mkdtemp)


@contextlib.contextmanager
def _memory_backed_directory(tmp_path_factory):
    """A directory in /dev/shm (removed afterwards) where there is one, else one in the run's temporary directory."""
    if MEMORY_BACKED.is_dir() and os.access(MEMORY_BACKED, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="ceris-test-", dir=MEMORY_BACKED))
        try:
            yield directory
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("db")


@pytest.fixture(scope="session")
def redis_url():
    """A Redis db number no other run is using (claimed with a key), flushed at the end."""
    if not WITH_REDIS:
        yield None
        return
    from redis import Redis

    base = TEST_REDIS_URL.rstrip("/")
    if base.rsplit("/", 1)[-1].isdigit():
        base = base.rsplit("/", 1)[0]
    claim = f"ceris-test-claim-{uuid.uuid4().hex}"
    for number in range(1, 16):
        connection = Redis.from_url(f"{base}/{number}")
        if connection.set("ceris-test-claim", claim, nx=True, ex=3 * 3600):
            break
    else:
        pytest.fail("no free Redis database number (1-15) for this test run")
    try:
        yield f"{base}/{number}"
    finally:
        connection.flushdb()


# The test SMTP server refuses recipients whose address contains this (e.g. "x+refuse@example.eu").
REFUSED_RECIPIENT_MARK = "+refuse"


class Mailbox:
    """What the test SMTP server received (it refuses addresses containing "+refuse")."""

    def __init__(self):
        self.messages = []

    def clear(self):
        self.messages.clear()

    def to(self, address):
        return [message for message in self.messages if address.lower() in message["To"].lower()]

    def wait_for(self, count=1, recipient=None, timeout=15.0):
        def enough():
            received = self.to(recipient) if recipient else self.messages
            return received if len(received) >= count else None

        return wait_for(enough, timeout=timeout, message=f"{count} e-mail(s) to {recipient or 'anyone'}")


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            # Addresses with "+refuse" in them are refused, to test failed sends.
            if REFUSED_RECIPIENT_MARK in address:
                return "550 5.1.1 Mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            mailbox.messages.append(message)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    mailbox.port = port
    mailbox.controller = controller
    yield mailbox
    controller.stop()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the app -----------------------------------------------------------------


@pytest.fixture(scope="session")
def app_settings(database_url, redis_url, smtp_server, tmp_path_factory):
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or "",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    }


@pytest.fixture(scope="session")
def app(app_settings):
    from app import create_app
    from app.extensions import db
    from config import TestConfig

    application = create_app({**_config_dict(TestConfig), **_app_overrides(app_settings)})
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _config_dict(config_class):
    return {key: getattr(config_class, key) for key in dir(config_class) if key.isupper()}


def _app_overrides(app_settings):
    return {
        "SQLALCHEMY_DATABASE_URI": app_settings["DATABASE_URL"],
        "REDIS_URL": app_settings["REDIS_URL"] or None,
        "MAIL_SERVER": app_settings["MAIL_SERVER"],
        "MAIL_PORT": int(app_settings["MAIL_PORT"]),
        "PUBLIC_BASE_URL": app_settings["PUBLIC_BASE_URL"],
        "UPLOAD_FOLDER": app_settings["UPLOAD_FOLDER"],
    }


@pytest.fixture
def make_app(app, app_settings):
    """make_app(**settings) -> another app on this run's database, e.g. with Redis or SMTP out of reach.

    Settings are config keys (REDIS_URL="redis://127.0.0.1:1/0", MAIL_PORT=...);
    the apps are disposed of after the test.
    """
    from app import create_app
    from app.extensions import db
    from config import TestConfig

    made = []

    def make(**settings):
        application = create_app({**_config_dict(TestConfig), **_app_overrides(app_settings), **settings})
        made.append(application)
        return application

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def rq_worker(app, app_settings):
    """A real `rq worker` process on the run's Redis db (only when TEST_REDIS_URL is set)."""
    if not WITH_REDIS:
        yield None
        return
    # No periodic sweep in the suite's worker: it would pick up the tests' own waiting e-mails and
    # hold row locks while a test empties the tables. tests/test_sweep.py starts a worker that sweeps.
    env = {**os.environ, **app_settings, "RATELIMIT_STORAGE_URI": "memory://", "SWEEP_INTERVAL_SECONDS": "0"}
    log = tempfile.NamedTemporaryFile(prefix="rq-worker-", suffix=".log", delete=False)  # noqa: SIM115 - the worker writes to it until the end
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    time.sleep(0.5)
    if process.poll() is not None:
        pytest.fail("rq worker did not start: " + Path(log.name).read_text())
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(autouse=True)
def _fresh_state(app, rq_worker, smtp_server):
    """Each test starts with empty tables (plus the areas), a clean mailbox and rate limits."""
    from app.community.services import seed_thematic_areas
    from app.extensions import db, limiter

    with app.app_context():
        if WITH_REDIS:
            _drop_waiting_jobs()
        _empty_tables(db)
        seed_thematic_areas()
        db.session.remove()
    limiter.reset()
    smtp_server.clear()
    yield
    with app.app_context():
        db.session.remove()


def _drop_waiting_jobs():
    """Forget the jobs an earlier test left queued or scheduled (e.g. a retry due in 10 s).

    Their rows are gone, and with ids starting again at 1 a late job would act on the next
    test's rows of the same id. (A job the worker is already running finishes on its own.)
    """
    from app.jobs import queue

    waiting = queue()
    waiting.empty()
    for registry in (waiting.scheduled_job_registry, waiting.deferred_job_registry):
        for job_id in registry.get_job_ids():
            registry.remove(job_id, delete_job=True)


def _empty_tables(db):
    """Delete every row the last test left, and restart the id sequences (TRUNCATE ... RESTART IDENTITY, only quicker).

    On PostgreSQL a TRUNCATE of every table costs a good part of a second (new files for each
    table) while a test fills a handful: only those get a DELETE, children before parents.
    """
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name != "postgresql":
        for name in tables:
            db.session.execute(sa.text(f'DELETE FROM "{name}"'))
        db.session.commit()
        return
    filled = sa.text(" UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT FROM \"{name}\")" for name in tables))
    restart_sequences = sa.text(
        "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
        " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    # The real worker may still be finishing the previous test's job on these tables; PostgreSQL then
    # picks one of the two as a deadlock victim. Emptying again, once the job is done, is the cure.
    for attempt in range(5):
        try:
            with_rows = set(db.session.scalars(filled))
            for name in tables:
                if name in with_rows:
                    db.session.execute(sa.text(f'DELETE FROM "{name}"'))
            db.session.execute(restart_sequences)
            db.session.commit()
            return
        except sa.exc.OperationalError:
            db.session.rollback()
            if attempt == 4:
                raise
            time.sleep(0.2)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server


# --- users by role -------------------------------------------------------------


@pytest.fixture
def make_user(app):
    from tests.factories import UserFactory

    def make(roles=("contributor",), **kwargs):
        with app.app_context():
            user = UserFactory(roles=list(roles), **kwargs)
            return _Identity(user.id, user.email, list(roles))

    return make


class _Identity:
    """What a test needs of a user after its app context is gone."""

    def __init__(self, id, email, roles):
        self.id, self.email, self.roles = id, email, roles

    def __repr__(self):
        return f"<{'/'.join(self.roles)} {self.email}>"


@pytest.fixture
def contributor(make_user):
    return make_user(["contributor"])


@pytest.fixture
def reviewer(make_user):
    return make_user(["reviewer"], area_codes=["BM"])


@pytest.fixture
def editor(make_user):
    return make_user(["editor"], area_codes=["BM"])


@pytest.fixture
def admin(make_user):
    return make_user(["admin"])


@pytest.fixture
def signed_in(app):
    """signed_in(user) -> a test client with that user's session."""
    from tests.factories import PASSWORD

    def sign(user, password=PASSWORD):
        user_client = app.test_client()
        sign_in(user_client, user.email, password)
        return user_client

    return sign


# --- query counts ------------------------------------------------------------------


@pytest.fixture
def count_queries(app):
    """with count_queries() as queries: ... -> the SQL statements the app's engine ran inside (len(queries) to cap them)."""
    from contextlib import contextmanager

    from app.extensions import db

    @contextmanager
    def counting():
        queries = []

        def record(conn, cursor, statement, parameters, context, executemany):
            queries.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield queries
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting
