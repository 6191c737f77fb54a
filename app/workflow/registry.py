"""The app's workflows, loaded (and validated) when the app starts."""
from pathlib import Path

from flask import current_app

from app.workflow.definition import WorkflowDefinitionError, load_definition


def load_workflows(app):
    """Load every workflows/*.toml; a broken file stops the app from starting."""
    folder = Path(app.config.get("WORKFLOWS_FOLDER") or Path(app.root_path).parent / "workflows")
    workflows = {}
    for path in sorted(folder.glob("*.toml")):
        definition = load_definition(path)
        if definition.name in workflows:
            raise WorkflowDefinitionError(f"{path.name}: a workflow named '{definition.name}' is already defined")
        workflows[definition.name] = definition
    app.extensions["workflows"] = workflows
    return workflows


def get_workflow(name):
    return current_app.extensions["workflows"][name]
