"""Reading and validating a workflow definition (TOML, standard library)."""
import importlib
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

COMMENT_POLICIES = ("none", "optional", "required")


class WorkflowDefinitionError(ValueError):
    """A workflow file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class State:
    name: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple
    target: str
    actors: tuple
    guards: tuple = ()
    effects: tuple = ()
    comment: str = "optional"
    label: str = ""
    history_label: str = ""
    style: str = "primary"

    @property
    def comment_required(self):
        return self.comment == "required"


@dataclass
class WorkflowDefinition:
    name: str
    title: str
    path: str
    initial: str
    terminal: tuple
    states: dict
    transitions: dict
    hooks: object = None
    description: str = ""
    state_order: list = field(default_factory=list)

    def transitions_from(self, state):
        return [transition for transition in self.transitions.values() if state in transition.sources]


def load_definition(path):
    """Read and validate one workflow file; raises WorkflowDefinitionError naming the problem."""
    path = Path(path)
    where = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise WorkflowDefinitionError(f"{where}: not valid TOML: {error}") from None
    except OSError as error:
        raise WorkflowDefinitionError(f"{where}: cannot be read: {error}") from None

    def need(table, key, kind, context):
        if key not in table:
            raise WorkflowDefinitionError(f"{where}: {context} lacks '{key}'")
        value = table[key]
        if not isinstance(value, kind):
            raise WorkflowDefinitionError(f"{where}: {context}: '{key}' must be {kind.__name__}")
        return value

    name = need(raw, "name", str, "the workflow")
    initial = need(raw, "initial", str, "the workflow")
    terminal = tuple(raw.get("terminal", []))
    raw_states = need(raw, "states", dict, "the workflow")
    raw_transitions = need(raw, "transitions", dict, "the workflow")

    states = {}
    for state_name, state_table in raw_states.items():
        if not isinstance(state_table, dict):
            raise WorkflowDefinitionError(f"{where}: state '{state_name}' must be a table")
        states[state_name] = State(state_name, state_table.get("label", state_name), state_table.get("description", ""))
    for state_name in (initial, *terminal):
        if state_name not in states:
            raise WorkflowDefinitionError(f"{where}: unknown state '{state_name}' named as initial or terminal")

    hooks = _load_hooks(raw.get("hooks"), where)

    transitions = {}
    for transition_name, table in raw_transitions.items():
        context = f"transition '{transition_name}'"
        if not isinstance(table, dict):
            raise WorkflowDefinitionError(f"{where}: {context} must be a table")
        sources = table.get("from")
        sources = (sources,) if isinstance(sources, str) else tuple(sources or ())
        if not sources:
            raise WorkflowDefinitionError(f"{where}: {context} lacks 'from'")
        target = need(table, "to", str, context)
        for state_name in (*sources, target):
            if state_name not in states:
                raise WorkflowDefinitionError(f"{where}: {context} uses unknown state '{state_name}'")
        actors = tuple(need(table, "who", list, context))
        if not actors:
            raise WorkflowDefinitionError(f"{where}: {context}: 'who' is empty")
        guards = tuple(table.get("guards", []))
        effects = tuple(table.get("effects", []))
        for kind, names, known in (
            ("actor rule", actors, hooks.actors if hooks else None),
            ("guard", guards, hooks.guards if hooks else None),
            ("effect", effects, hooks.effects if hooks else None),
        ):
            for hook_name in names:
                if known is None or hook_name not in known:
                    raise WorkflowDefinitionError(f"{where}: {context} names unknown {kind} '{hook_name}'")
        comment = table.get("comment", "optional")
        if comment not in COMMENT_POLICIES:
            raise WorkflowDefinitionError(f"{where}: {context}: 'comment' must be one of {', '.join(COMMENT_POLICIES)}")
        for source in sources:
            if source in terminal:
                raise WorkflowDefinitionError(f"{where}: {context} leaves terminal state '{source}'")
        transitions[transition_name] = Transition(
            name=transition_name,
            sources=sources,
            target=target,
            actors=actors,
            guards=guards,
            effects=effects,
            comment=comment,
            label=table.get("label", transition_name.replace("_", " ").capitalize()),
            history_label=table.get("history_label", table.get("label", transition_name)),
            style=table.get("style", "primary"),
        )

    definition = WorkflowDefinition(
        name=name,
        title=raw.get("title", name),
        path=str(path),
        initial=initial,
        terminal=terminal,
        states=states,
        transitions=transitions,
        hooks=hooks,
        description=raw.get("description", ""),
        state_order=list(states),
    )
    _check_reachability(definition, where)
    return definition


def _load_hooks(module_name, where):
    if not module_name:
        return None
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise WorkflowDefinitionError(f"{where}: hooks module '{module_name}' cannot be imported: {error}") from None
    hooks = getattr(module, "hooks", None)
    if hooks is None:
        raise WorkflowDefinitionError(f"{where}: hooks module '{module_name}' has no 'hooks' registry")
    return hooks


def _check_reachability(definition, where):
    reachable, queue = {definition.initial}, deque([definition.initial])
    while queue:
        state = queue.popleft()
        for transition in definition.transitions_from(state):
            if transition.target not in reachable:
                reachable.add(transition.target)
                queue.append(transition.target)
    unreachable = [state for state in definition.states if state not in reachable]
    if unreachable:
        raise WorkflowDefinitionError(f"{where}: unreachable state(s): {', '.join(unreachable)}")
    for state in definition.states:
        if state not in definition.terminal and not definition.transitions_from(state):
            raise WorkflowDefinitionError(
                f"{where}: state '{state}' is a dead end: no transition leaves it and it is not terminal"
            )
