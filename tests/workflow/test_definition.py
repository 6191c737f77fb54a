"""Workflow files are validated when loaded; a broken one stops the app from starting."""
import shutil
from pathlib import Path

import pytest

from app.workflow import WorkflowDefinitionError, load_definition

REAL = Path(__file__).resolve().parents[2] / "workflows" / "contribution.toml"

GOOD = '''
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
'''


def write(tmp_path, text):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_workflow_loads():
    definition = load_definition(REAL)
    assert set(definition.states) == {"draft", "submitted", "in_review", "changes_requested", "accepted", "rejected", "withdrawn"}
    assert definition.transitions["accept"].guards == ("enough_reviews",)


def test_a_small_valid_workflow_loads(tmp_path):
    assert load_definition(write(tmp_path, GOOD)).transitions["finish"].target == "done"


@pytest.mark.parametrize(
    "change, message",
    [
        (('to = "done"', 'to = "nowhere"'), "transition 'finish' uses unknown state 'nowhere'"),
        (('from = ["draft"]', 'from = ["limbo"]'), "transition 'finish' uses unknown state 'limbo'"),
        (('guards = ["complete"]', 'guards = ["moon_is_full"]'), "transition 'finish' names unknown guard 'moon_is_full'"),
        (('effects = ["notify_author"]', 'effects = ["send_flowers"]'), "transition 'finish' names unknown effect 'send_flowers'"),
        (('who = ["author"]', 'who = ["janitor"]'), "transition 'finish' names unknown actor rule 'janitor'"),
        (('to = "done"\n', ""), "transition 'finish' lacks 'to'"),
        (('[states.done]', '[states.orphan]\nlabel = "Orphan"\n[states.done]'), "unreachable state(s): orphan"),
        (('terminal = ["done"]', 'terminal = []'), "state 'done' is a dead end"),
        (('name = "tiny"', 'name = "tiny'), "not valid TOML"),
        (('initial = "draft"', 'initial = "start"'), "unknown state 'start'"),
    ],
    ids=["unknown-target", "unknown-source", "unknown-guard", "unknown-effect", "unknown-actor", "missing-to", "unreachable", "dead-end", "bad-toml", "unknown-initial"],
)
def test_broken_definitions_fail_naming_the_problem(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(WorkflowDefinitionError) as raised:
        load_definition(write(tmp_path, GOOD.replace(old, new)))
    assert message in str(raised.value)
    assert "broken.toml" in str(raised.value)


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
