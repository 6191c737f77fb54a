"""States that follow from facts instead of being stored (e.g. a workshop's, from its times).

A workflow whose subject has no state column describes its states and the
steps between them as any other does; the state is then derived when read:
start at the initial state and take, from each state, the first transition
(in the file's order) whose guards all pass, until none does. The guards say
what has to be true (a time reached, a summary published); nothing is written.
"""

from app.workflow.engine import TransitionContext


def derived_state(definition, subject, **options):
    """The state `subject` is in by the definition's guards (told `options`, e.g. now=...)."""
    state = definition.initial
    # Each step enters a new state; more steps than states would mean a loop of guards that all pass.
    for _step in range(len(definition.states)):
        for transition in definition.transitions_from(state):
            context = TransitionContext(definition, transition, subject, None, "", state, dict(options))
            if not any(definition.hooks.guards[name](context) for name in transition.guards):
                state = transition.target
                break
        else:
            return state
    return state
