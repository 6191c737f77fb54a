"""Helpers for the administration tests: an admin's client, rows made directly, SQL statement counting."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db


@pytest.fixture
def admin_client(admin, signed_in):
    return signed_in(admin)


@pytest.fixture
def in_app(app):
    """in_app(function) -> its result, run inside an app context (for reading and making rows)."""

    def run(function):
        with app.app_context():
            return function()

    return run


@pytest.fixture
def make_access_request(in_app):
    from app.auth.models import AccessRequest

    def make(email="applicant@example.eu", name="Ana Applicant", **fields):
        def create():
            row = AccessRequest(
                email=email,
                name=name,
                organisation=fields.pop("organisation", "Guardia Civil"),
                motivation=fields.pop("motivation", "I coordinate a practitioner network."),
                **fields,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

        return in_app(create)

    return make


@pytest.fixture
def make_message(in_app):
    """An outbox row written directly (never dispatched), so nothing sends it behind the test's back."""
    from app.mail.models import OutboxMessage

    def make(state="pending", recipient="someone@example.eu", subject="Hello", body_text="Body", **fields):
        def create():
            row = OutboxMessage(recipient=recipient, subject=subject, body_text=body_text, body_html=None, state=state, **fields)
            db.session.add(row)
            db.session.commit()
            return row.id

        return in_app(create)

    return make


@pytest.fixture
def make_network(in_app):
    from tests.factories import NetworkFactory

    def make(**fields):
        return in_app(lambda: NetworkFactory(**fields).id)

    return make


@pytest.fixture
def count_queries(app):
    """with count_queries() as statements: ... -> the SQL statements run meanwhile."""

    @contextmanager
    def counting():
        with app.app_context():
            engine = db.engine
        statements = []

        def record(_connection, _cursor, statement, *_args):
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting
