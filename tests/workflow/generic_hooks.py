"""Hooks of a workflow that is not a contribution (tests/workflow/test_engine.py): the engine needs nothing else."""

from app.workflow import Hooks

hooks = Hooks("thing", flags=("open",))
seen = []


@hooks.actor("anyone")
def anyone(subject, user):
    return True


@hooks.guard("ready")
def ready(context):
    return None if context.subject.ready else "The thing is not ready."


@hooks.effect("remember")
def remember(context):
    seen.append((context.subject.id, context.from_state, context.transition.target))
