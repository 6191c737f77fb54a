"""Workflow files are validated when loaded; a broken one stops the app from starting."""

import shutil
from pathlib import Path

import pytest

from app.workflow import WorkflowDefinitionError, load_definition
from app.workflow.definition import check_states_allowed_by_the_model

REAL = Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml"

GOOD = """
name = "tiny"
hooks = "app.contributions.workflow"
initial = "draft"
terminal = ["done"]

[states.draft]
label = "Draft"
[states.done]
label = "Done"

[transitions.finish]
from = ["draft"]
to = "done"
who = ["author"]
guards = ["complete"]
effects = ["notify_author"]
"""


def write(tmp_path, text):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_workflow_loads():
    definition = load_definition(REAL)
    assert set(definition.states) == {"draft", "submitted", "in_review", "changes_requested", "accepted", "rejected", "withdrawn"}
    assert definition.transitions["accept"].guards == ("enough_reviews",)


def test_the_shipped_workflow_declares_the_refusal_of_too_few_reviewers_as_a_guard():
    assert "enough_eligible_reviewers" in load_definition(REAL).transitions["send_to_review"].guards


def test_the_shipped_workflow_flags_its_states():
    definition = load_definition(REAL)
    assert definition.states_flagged("editable") == ("draft", "changes_requested")
    assert definition.states_flagged("assignable") == ("submitted", "in_review")
    assert definition.states_flagged("feeds_reports") == ("accepted",)
    assert definition.state_has("in_review", "reviewable") and not definition.state_has("submitted", "reviewable")


def test_asking_for_a_flag_nobody_declared_is_an_error_not_no_states():
    with pytest.raises(KeyError, match="editabel"):
        load_definition(REAL).states_flagged("editabel")


def test_a_small_valid_workflow_loads(tmp_path):
    definition = load_definition(write(tmp_path, GOOD))
    assert definition.transitions["finish"].target == "done"
    # A flag left out is false.
    assert definition.states_flagged("editable") == ()


def test_a_flag_set_in_the_file_is_read(tmp_path):
    definition = load_definition(write(tmp_path, GOOD.replace('label = "Draft"', 'label = "Draft"\neditable = true')))
    assert definition.states_flagged("editable") == ("draft",)
    assert definition.state_has("draft", "editable") and not definition.state_has("done", "editable")


@pytest.mark.parametrize(
    "change, message",
    [
        (('to = "done"', 'to = "nowhere"'), "[transitions.finish]: 'to' names unknown state 'nowhere'"),
        (('from = ["draft"]', 'from = ["limbo"]'), "[transitions.finish]: 'from' names unknown state 'limbo'"),
        (('guards = ["complete"]', 'guards = ["moon_is_full"]'), "[transitions.finish]: 'guards' names unknown guard 'moon_is_full'"),
        (
            ('effects = ["notify_author"]', 'effects = ["send_flowers"]'),
            "[transitions.finish]: 'effects' names unknown effect 'send_flowers'",
        ),
        (('who = ["author"]', 'who = ["janitor"]'), "[transitions.finish]: 'who' names unknown actor rule 'janitor'"),
        (('to = "done"\n', ""), "[transitions.finish]: 'to' is missing"),
        (("[states.done]", '[states.orphan]\nlabel = "Orphan"\n[states.done]'), "unreachable state(s): orphan"),
        (('terminal = ["done"]', "terminal = []"), "state 'done' is a dead end"),
        (('name = "tiny"', 'name = "tiny'), "not valid TOML"),
        (('initial = "draft"', 'initial = "start"'), "'initial' names unknown state 'start'"),
        # Misspelled keys, at every level: a typo must not silently remove a guard.
        (('guards = ["complete"]', 'gaurds = ["complete"]'), "[transitions.finish]: unknown key 'gaurds'"),
        (('label = "Done"', 'lable = "Done"'), "[states.done]: unknown key 'lable'"),
        (('initial = "draft"', 'initial = "draft"\ninitail = "draft"'), "top level: unknown key 'initail'"),
        # Wrong types.
        (('label = "Draft"', "label = 3"), "[states.draft]: 'label' must be a string, not 3"),
        (('guards = ["complete"]', 'guards = "complete"'), "[transitions.finish]: 'guards' must be a list of strings, not \"complete\""),
        (('from = ["draft"]', "from = 5"), "[transitions.finish]: 'from' must be a list of strings, not 5"),
        (('terminal = ["done"]', 'terminal = "done"'), "top level: 'terminal' must be a list of strings, not \"done\""),
        (('who = ["author"]', "who = [1]"), "[transitions.finish]: 'who' must be a list of strings, not [1]"),
        (
            ('[states.done]\nlabel = "Done"', '[states.done]\nlabel = "Done"\n[states.done.extra]\nx = 1'),
            "[states.done]: unknown key 'extra'",
        ),
        (("[states.draft]", '[states]\nlimbo = "Limbo"\n[states.draft]'), '[states.limbo]: must be a table, not "Limbo"'),
        (('to = "done"', 'to = "done"\ncomment = "sometimes"'), "[transitions.finish]: 'comment' must be one of none, optional, required"),
        # State flags: only the ones the hooks module declares, and only booleans.
        (('label = "Draft"', 'label = "Draft"\nsparkly = true'), "[states.draft]: unknown key 'sparkly'"),
        (
            ('label = "Draft"', 'label = "Draft"\neditable = "yes"'),
            "[states.draft]: 'editable' must be a boolean (true or false), not \"yes\"",
        ),
        (('label = "Draft"', 'label = "Draft"\neditable = 1'), "[states.draft]: 'editable' must be a boolean (true or false), not 1"),
    ],
    ids=[
        "unknown-target",
        "unknown-source",
        "unknown-guard",
        "unknown-effect",
        "unknown-actor",
        "missing-to",
        "unreachable",
        "dead-end",
        "bad-toml",
        "unknown-initial",
        "misspelled-transition-key",
        "misspelled-state-key",
        "misspelled-top-level-key",
        "label-not-text",
        "guards-not-a-list",
        "from-not-a-list",
        "terminal-not-a-list",
        "who-not-strings",
        "state-subtable",
        "state-not-a-table",
        "unknown-comment-policy",
        "unknown-flag",
        "flag-not-boolean-text",
        "flag-not-boolean-number",
    ],
)
def test_broken_definitions_fail_naming_the_problem(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_definition(write(tmp_path, GOOD.replace(old, new, 1)))
    assert message in str(raised.value)
    assert str(raised.value).startswith("broken.toml: ")


def test_the_states_must_be_those_the_models_check_allows(tmp_path):
    # The tiny workflow uses the contribution hooks, whose model allows other states.
    definition = load_definition(write(tmp_path, GOOD))
    with pytest.raises(WorkflowDefinitionError) as raised:
        check_states_allowed_by_the_model(definition)
    message = str(raised.value)
    assert "does not allow: done" in message
    assert "allows but the workflow lacks: submitted, in_review, changes_requested, accepted, rejected, withdrawn" in message


def test_the_shipped_states_are_those_the_models_check_allows():
    check_states_allowed_by_the_model(load_definition(REAL))


def test_the_app_refuses_to_start_with_a_broken_workflow(tmp_path):
    from app import create_app

    shutil.copy(REAL, tmp_path / "contribution.toml")
    write(tmp_path, GOOD.replace('guards = ["complete"]', 'guards = ["moon_is_full"]'))
    with pytest.raises(WorkflowDefinitionError, match="moon_is_full"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WORKFLOWS_FOLDER": str(tmp_path)})


def test_the_app_starts_with_valid_workflows(tmp_path):
    from app import create_app

    shutil.copy(REAL, tmp_path / "contribution.toml")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WORKFLOWS_FOLDER": str(tmp_path)})
    assert "contribution" in app.extensions["workflows"]


def test_the_app_refuses_to_start_with_a_state_the_database_does_not_allow(tmp_path):
    from app import create_app

    text = REAL.read_text(encoding="utf-8")
    on_hold = '[states.on_hold]\nlabel = "On hold"\n\n[transitions.hold]\nfrom = ["submitted"]\nto = "on_hold"\nwho = ["editor"]\n\n[transitions.release]\nfrom = ["on_hold"]\nto = "submitted"\nwho = ["editor"]\n'
    (tmp_path / "contribution.toml").write_text(text.replace("[transitions.submit]", on_hold + "\n[transitions.submit]"), encoding="utf-8")
    with pytest.raises(WorkflowDefinitionError) as raised:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "WORKFLOWS_FOLDER": str(tmp_path)})
    assert "contribution.toml" in str(raised.value)
    assert "contributions.state does not allow: on_hold" in str(raised.value)
