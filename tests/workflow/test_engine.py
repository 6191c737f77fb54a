"""The engine is generic and transactional: any subject with id, state and version; effects' e-mails leave only after commit."""

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.mail.models import OutboxMessage
from app.notifications.models import Notification
from app.unit_of_work import unit_of_work
from app.workflow import GuardFailed, WorkflowDefinitionError, apply_transition, history_of, load_definition
from app.workflow.definition import check_states_allowed_by_the_model
from app.workflow.models import WorkflowHistory
from tests.contributions.samples import payload, put_in_state, user
from tests.workflow import generic_hooks

THING = """
name = "thing"
hooks = "tests.workflow.generic_hooks"
initial = "new"
terminal = ["done"]

[states.new]
label = "New"
open = true
[states.done]
label = "Done"

[transitions.finish]
from = ["new"]
to = "done"
who = ["anyone"]
guards = ["ready"]
effects = ["remember"]
"""


@dataclass
class Thing:
    id: int
    state: str = "new"
    version: int = 1
    ready: bool = True


@dataclass
class Someone:
    id: int = None
    is_authenticated: bool = True
    active: bool = True


@pytest.fixture
def thing_workflow(tmp_path):
    path = tmp_path / "thing.toml"
    path.write_text(THING, encoding="utf-8")
    return load_definition(path)


def test_a_workflow_that_is_not_a_contribution_runs_on_the_engine_with_its_own_history(app_context, thing_workflow):
    generic_hooks.seen.clear()
    thing = Thing(id=7)
    entry = apply_transition(thing_workflow, thing, "finish", Someone())
    assert thing.state == "done"
    assert generic_hooks.seen == [(7, "new", "done")]
    assert (entry.workflow, entry.subject_id, entry.from_state, entry.to_state, entry.revision) == ("thing", 7, "new", "done", None)
    assert [row.id for row in history_of(thing_workflow, thing)] == [entry.id]


def test_a_refusing_guard_of_any_workflow_changes_nothing(app_context, thing_workflow):
    generic_hooks.seen.clear()
    thing = Thing(id=8, ready=False)
    with pytest.raises(GuardFailed, match="not ready"):
        apply_transition(thing_workflow, thing, "finish", Someone())
    assert thing.state == "new" and generic_hooks.seen == []
    assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowHistory)) == 0


def test_a_model_default_other_than_the_initial_state_is_refused_at_start_up(thing_workflow, monkeypatch):
    monkeypatch.setattr(generic_hooks.hooks, "default_state", "done", raising=False)
    with pytest.raises(WorkflowDefinitionError, match=r"initial.*'new'.*default.*'done'"):
        check_states_allowed_by_the_model(thing_workflow)


def test_the_contribution_model_default_is_the_workflow_initial_state(app_context):
    from app.contributions import services

    assert services.workflow().hooks.default_state == services.workflow().initial


def _editor_and_submitted(make_user):
    author = make_user(["contributor"], organisation="Guardia Civil")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    return author, editor


def test_a_transition_rolled_back_by_its_caller_leaves_no_notification_and_sends_no_e_mail(app, make_user, mailbox):
    from app.contributions import services

    author, editor = _editor_and_submitted(make_user)
    with app.app_context():
        contribution = services.create_draft(user(author.id), payload("capability_gap"))
        outbox_before = db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))
        with pytest.raises(RuntimeError), unit_of_work():
            services.transition(contribution, "submit", user(author.id))
            assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1  # written, not yet committed
            raise RuntimeError("the caller's unit fails after the transition")
        db.session.expire_all()
        assert db.session.get(type(contribution), contribution.id).state == services.workflow().initial
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == outbox_before
        assert db.session.scalar(db.select(db.func.count()).select_from(WorkflowHistory)) == 0
    mailbox.clear()
    # The same transition committed: the editor is told, and the e-mail leaves.
    with app.app_context():
        contribution = db.session.get(type(contribution), contribution.id)
        services.transition(contribution, "submit", user(author.id))
    assert mailbox.wait_for(1, recipient=editor.email)


def test_resubmitting_records_the_new_revision_in_the_history(app, make_user):
    """The history's revision is the contribution feature's hook (every_transition), not the engine's."""
    from app.contributions import services

    author, _editor = _editor_and_submitted(make_user)
    with app.app_context():
        contribution = services.create_draft(user(author.id), payload("capability_gap"))
        put_in_state(contribution, "changes_requested", [], user(author.id))
        services.transition(contribution, "resubmit", user(author.id))
        last = services.history(contribution)[-1]
        assert last.transition == "resubmit" and last.revision == contribution.revision == 2
