"""The app's workflows, loaded (and validated) when the app starts."""

from pathlib import Path

from flask import current_app

from app.workflow.definition import WorkflowDefinitionError, check_states_allowed_by_the_model, load_definition


def load_workflows(app):
    """Load every workflows/*.toml; a broken file, or states the database does not allow, stop the app from starting."""
    folder = Path(app.config.get("WORKFLOWS_FOLDER") or Path(app.root_path).parent / "workflows")
    workflows = {}
    for path in sorted(folder.glob("*.toml")):
        definition = load_definition(path)
        check_states_allowed_by_the_model(definition)
        if definition.name in workflows:
            raise WorkflowDefinitionError(f"{path.name}: a workflow named '{definition.name}' is already defined")
        workflows[definition.name] = definition
    app.extensions["workflows"] = workflows
    return workflows


def get_workflow(name):
    return current_app.extensions["workflows"][name]
