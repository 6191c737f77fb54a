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
    """

    def __init__(self, name, model=None, history_subject=None):
        self.name = name
        self.model = model
        self.actors = {}
        self.guards = {}
        self.effects = {}

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
