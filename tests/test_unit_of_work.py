"""The unit of work: one commit, rollback on error, side effects only after a successful commit."""

import pytest
import sqlalchemy as sa

from app.community.models import Network
from app.extensions import db
from app.unit_of_work import after_commit, transactional, unit_of_work


def _network_names(app):
    with app.app_context():
        return sorted(db.session.scalars(sa.select(Network.name)))


def test_the_work_is_committed_once_and_then_the_callbacks_run(app):
    ran = []
    with app.app_context(), unit_of_work():
        db.session.add(Network(name="ENLETS", kind="other"))
        after_commit(lambda: ran.append(_network_names(app)))
        assert ran == []
    assert ran == [["ENLETS"]]  # the callback saw the committed row


def test_an_error_rolls_everything_back_and_no_callback_runs(app):
    ran = []
    with app.app_context(), pytest.raises(ValueError), unit_of_work():
        db.session.add(Network(name="ENLETS", kind="other"))
        db.session.flush()
        after_commit(lambda: ran.append("sent"))
        raise ValueError("refused")
    assert ran == []
    assert _network_names(app) == []


def test_an_inner_unit_joins_the_outer_and_only_the_outer_commits(app):
    ran = []
    with app.app_context(), pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            db.session.add(Network(name="ENLETS", kind="other"))
            after_commit(lambda: ran.append("inner"))
        assert ran == []  # the inner unit's end is not a commit
        raise RuntimeError("the outer fails after the inner succeeded")
    assert ran == []
    assert _network_names(app) == []


def test_after_commit_outside_a_unit_of_work_is_a_programming_error(app):
    with app.app_context(), pytest.raises(RuntimeError):
        after_commit(lambda: None)


def test_a_failing_callback_does_not_undo_the_commit_nor_stop_the_others(app):
    ran = []

    def broken():
        raise OSError("Redis is down")

    with app.app_context(), unit_of_work():
        db.session.add(Network(name="ENLETS", kind="other"))
        after_commit(broken)
        after_commit(lambda: ran.append("second"))
    assert ran == ["second"]
    assert _network_names(app) == ["ENLETS"]


def test_transactional_runs_a_service_in_its_own_unit(app):
    @transactional
    def add_network(name):
        db.session.add(Network(name=name, kind="other"))

    with app.app_context():
        add_network("ILEAnet")
        db.session.rollback()  # nothing left to roll back: it was committed
    assert _network_names(app) == ["ILEAnet"]
