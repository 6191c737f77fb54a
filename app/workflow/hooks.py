"""Named actor rules, guards and effects that workflow definitions refer to."""


class Hooks:
    """A registry a subject module fills with decorators:

        hooks = Hooks("contribution")

        @hooks.actor("author")
        def is_author(subject, user): ...

        @hooks.guard("complete")
        def complete(context): return None or "why not"

        @hooks.effect("notify_author")
        def notify_author(context): ...

        @hooks.every_transition
        def record_revision(context): ...   # after the effects of every transition


    `flags` names the boolean flags a state of the definition may carry (the
    code asks for them: `definition.states_flagged("editable")`); `states`
    are the values the database's CHECK on `state_column` allows, which the
    definition's states must equal, and `default_state` the model's default for
    it, which must be the definition's initial state (both checked when the app starts).
    """

    def __init__(self, name, flags=(), states=None, state_column=None, default_state=None):
        self.name = name
        self.flags = tuple(flags)
        self.states = tuple(states) if states is not None else None
        self.state_column = state_column
        self.default_state = default_state
        self.actors = {}
        self.guards = {}
        self.effects = {}
        # Run after the effects of every transition (e.g. what the history entry records besides the engine's columns).
        self.every_transition_hooks = []

    def _register(self, table, name):
        def decorator(function):
            if name in table:
                raise ValueError(f"{self.name}: {name!r} registered twice")
            table[name] = function
            return function

        return decorator

    def actor(self, name):
        return self._register(self.actors, name)

    def guard(self, name):
        return self._register(self.guards, name)

    def effect(self, name):
        return self._register(self.effects, name)

    def every_transition(self, function):
        self.every_transition_hooks.append(function)
        return function
