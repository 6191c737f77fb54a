"""A small, generic workflow engine: definitions in workflows/*.toml, transitions applied in one unit of work.

Nothing here knows about any feature: a workflow names a hooks module (for
contributions app/contributions/workflow.py, for reports app/reports/workflow.py)
that registers the actor rules, guards and effects the definition refers to.

    definition = get_workflow("contribution")          # loaded and checked at start-up
    allowed_transitions(definition, subject, user)      # names the user may take now
    apply_transition(definition, subject, name, actor, comment=None, expected_version=None, **options)
    history_of(definition, subject)                     # WorkflowHistory rows (workflow name + subject id)

A subject is any row with `id`, `state` and a `version` (version_id_col) column.
"""

from app.workflow.definition import Transition, WorkflowDefinition, WorkflowDefinitionError, load_definition  # noqa: F401
from app.workflow.engine import (  # noqa: F401
    CommentRequired,
    GuardFailed,
    StaleVersion,
    TransitionContext,
    TransitionError,
    TransitionForbidden,
    TransitionNotAllowed,
    UnknownTransition,
    allowed_transitions,
    apply_transition,
    history_of,
)
from app.workflow.hooks import Hooks  # noqa: F401
from app.workflow.registry import get_workflow, load_workflows  # noqa: F401
