"""A small, generic workflow engine: definitions in workflows/*.toml, transitions applied atomically.

Nothing here knows about contributions: a workflow names a hooks module
(for contributions, app/contributions/workflow.py) that registers the
actor rules, guards and effects the definition refers to.
"""
from app.workflow.definition import Transition, WorkflowDefinition, WorkflowDefinitionError, load_definition  # noqa: F401
from app.workflow.engine import (  # noqa: F401
    CommentRequired,
    GuardFailed,
    StaleVersion,
    TransitionError,
    TransitionForbidden,
    TransitionNotAllowed,
    allowed_transitions,
    apply_transition,
)
from app.workflow.hooks import Hooks  # noqa: F401
from app.workflow.registry import get_workflow, load_workflows  # noqa: F401
