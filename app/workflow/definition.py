"""Reading and validating a workflow definition (TOML, standard library).

The file is strict: every table's allowed keys and their types are declared
once below (SCHEMA) and checked, so a misspelled key (`gaurds`) or a wrong
type (`guards = "complete"`) stops the app instead of loading as "nothing".
States may carry boolean flags (`editable = true`); which flags exist is
declared by the workflow's hooks module, the code that asks for them.
"""

import importlib
import tomllib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

COMMENT_POLICIES = ("none", "optional", "required")
STYLES = ("primary", "danger")


class WorkflowDefinitionError(ValueError):
    """A workflow file that cannot be used; the message names the file, the table and the key."""


# Value kinds: a name of the kind is what the error message says is expected.
TEXT = "a string"
TEXT_LIST = "a list of strings"
FLAG = "a boolean (true or false)"
TABLE = "a table"

# Allowed keys per table and their kinds; `True` marks a key that must be given.
SCHEMA = {
    "top level": {
        "name": (TEXT, True),
        "title": (TEXT, False),
        "description": (TEXT, False),
        "hooks": (TEXT, True),
        "initial": (TEXT, True),
        "terminal": (TEXT_LIST, False),
        "states": (TABLE, True),
        "transitions": (TABLE, True),
    },
    "state": {
        "label": (TEXT, True),
        "description": (TEXT, False),
        # ... plus the boolean flags the hooks module declares.
    },
    "transition": {
        "from": (TEXT_LIST, True),
        "to": (TEXT, True),
        "who": (TEXT_LIST, True),
        "guards": (TEXT_LIST, False),
        "effects": (TEXT_LIST, False),
        "comment": (TEXT, False),
        "label": (TEXT, False),
        "history_label": (TEXT, False),
        "style": (TEXT, False),
        # Offered on the subject's edit form as a button that saves and takes this step; the button's text.
        "form_label": (TEXT, False),
    },
}

# The keys whose values people read (titles, labels, descriptions): shown through gettext, and taken
# into the translation catalogue by app/workflow/babel_extract.py. Every other TEXT key names something.
TRANSLATED_KEYS = {
    "top level": ("title", "description"),
    "state": ("label", "description"),
    "transition": ("label", "history_label", "form_label"),
}


def default_transition_label(transition_name):
    """A transition's label when the file gives none: its name in words (`send_to_review` -> "Send to review")."""
    return transition_name.replace("_", " ").capitalize()


def _kind_of(value):
    if isinstance(value, bool):
        return FLAG
    if isinstance(value, str):
        return TEXT
    if isinstance(value, dict):
        return TABLE
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return TEXT_LIST
    return None


def _described(value):
    """How a wrong value reads in a message: `3`, `"complete"`, `[1, 2]`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    return repr(value)


def _check_table(where, context, table, schema):
    """Every key of `table` is known to `schema` with the right kind; required keys are present."""
    for key, value in table.items():
        if key not in schema:
            raise WorkflowDefinitionError(f"{where}: {context}: unknown key '{key}' (allowed: {', '.join(schema)})")
        kind, _required = schema[key]
        if _kind_of(value) != kind:
            raise WorkflowDefinitionError(f"{where}: {context}: '{key}' must be {kind}, not {_described(value)}")
    for key, (kind, required) in schema.items():
        if required and key not in table:
            raise WorkflowDefinitionError(f"{where}: {context}: '{key}' is missing ({kind})")


@dataclass(frozen=True)
class State:
    name: str
    label: str
    description: str = ""
    flags: frozenset = frozenset()


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
    form_label: str = ""

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
    # The flags a state may carry (declared by the hooks module).
    flags: tuple = ()

    def transitions_from(self, state):
        return [transition for transition in self.transitions.values() if state in transition.sources]

    def transitions_into(self, flag):
        """The transitions leading into a state carrying `flag`."""
        self._known_flag(flag)
        return tuple(transition for transition in self.transitions.values() if flag in self.states[transition.target].flags)

    def _known_flag(self, flag):
        if flag not in self.flags:
            # A typo in the code asking must not read as "no state has it".
            raise KeyError(f"workflow '{self.name}' declares no state flag '{flag}' (flags: {', '.join(self.flags) or 'none'})")

    def states_flagged(self, flag):
        """The states carrying `flag`, in file order."""
        self._known_flag(flag)
        return tuple(name for name in self.state_order if flag in self.states[name].flags)

    def state_has(self, state, flag):
        """Whether `state` carries `flag` (False for a state the workflow does not know)."""
        self._known_flag(flag)
        return state in self.states and flag in self.states[state].flags

    @property
    def file_name(self):
        return Path(self.path).name


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

    _check_table(where, "top level", raw, SCHEMA["top level"])
    name = raw["name"]
    initial = raw["initial"]
    terminal = tuple(raw.get("terminal", []))

    hooks = _load_hooks(raw["hooks"], where)
    flags = tuple(getattr(hooks, "flags", ()))
    state_schema = {**SCHEMA["state"], **dict.fromkeys(flags, (FLAG, False))}

    states = {}
    for state_name, table in raw["states"].items():
        context = f"[states.{state_name}]"
        if not isinstance(table, dict):
            raise WorkflowDefinitionError(f"{where}: {context}: must be a table, not {_described(table)}")
        _check_table(where, context, table, state_schema)
        states[state_name] = State(
            state_name,
            table["label"],
            table.get("description", ""),
            frozenset(flag for flag in flags if table.get(flag, False)),
        )
    if initial not in states:
        raise WorkflowDefinitionError(f"{where}: top level: 'initial' names unknown state '{initial}'")
    for state_name in terminal:
        if state_name not in states:
            raise WorkflowDefinitionError(f"{where}: top level: 'terminal' names unknown state '{state_name}'")

    transitions = {}
    for transition_name, table in raw["transitions"].items():
        context = f"[transitions.{transition_name}]"
        if not isinstance(table, dict):
            raise WorkflowDefinitionError(f"{where}: {context}: must be a table, not {_described(table)}")
        _check_table(where, context, table, SCHEMA["transition"])
        sources = tuple(table["from"])
        if not sources:
            raise WorkflowDefinitionError(f"{where}: {context}: 'from' is empty")
        target = table["to"]
        for key, state_name in [("from", source) for source in sources] + [("to", target)]:
            if state_name not in states:
                raise WorkflowDefinitionError(f"{where}: {context}: '{key}' names unknown state '{state_name}'")
        actors = tuple(table["who"])
        if not actors:
            raise WorkflowDefinitionError(f"{where}: {context}: 'who' is empty")
        guards = tuple(table.get("guards", []))
        effects = tuple(table.get("effects", []))
        for key, kind, names, known in (
            ("who", "actor rule", actors, hooks.actors),
            ("guards", "guard", guards, hooks.guards),
            ("effects", "effect", effects, hooks.effects),
        ):
            for hook_name in names:
                if hook_name not in known:
                    raise WorkflowDefinitionError(f"{where}: {context}: '{key}' names unknown {kind} '{hook_name}'")
        comment = table.get("comment", "optional")
        if comment not in COMMENT_POLICIES:
            raise WorkflowDefinitionError(f"{where}: {context}: 'comment' must be one of {', '.join(COMMENT_POLICIES)}, not \"{comment}\"")
        style = table.get("style", "primary")
        if style not in STYLES:
            raise WorkflowDefinitionError(f"{where}: {context}: 'style' must be one of {', '.join(STYLES)}, not \"{style}\"")
        for source in sources:
            if source in terminal:
                raise WorkflowDefinitionError(f"{where}: {context}: leaves terminal state '{source}'")
        transitions[transition_name] = Transition(
            name=transition_name,
            sources=sources,
            target=target,
            actors=actors,
            guards=guards,
            effects=effects,
            comment=comment,
            label=table.get("label", default_transition_label(transition_name)),
            # Never the bare name: without its own, the history reads the step's label.
            history_label=table.get("history_label", table.get("label", default_transition_label(transition_name))),
            style=style,
            form_label=table.get("form_label", ""),
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
        flags=flags,
    )
    _check_reachability(definition, where)
    return definition


def _load_hooks(module_name, where):
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise WorkflowDefinitionError(f"{where}: top level: hooks module '{module_name}' cannot be imported: {error}") from None
    hooks = getattr(module, "hooks", None)
    if hooks is None:
        raise WorkflowDefinitionError(f"{where}: top level: hooks module '{module_name}' has no 'hooks' registry")
    return hooks


def check_states_allowed_by_the_model(definition):
    """The workflow's states are exactly those the database's CHECK on the state column allows.

    The hooks module says which values the model allows (`Hooks(..., states=...)`);
    a state only one side knows would fail at the first write, or never be reachable.
    """
    where = definition.file_name
    column = getattr(definition.hooks, "state_column", None) or "the state column"
    default = getattr(definition.hooks, "default_state", None)
    if default is not None and default != definition.initial:
        raise WorkflowDefinitionError(
            f"{where}: top level: 'initial' is '{definition.initial}' but the model's default for {column} is '{default}' (make them agree)"
        )
    allowed = getattr(definition.hooks, "states", None)
    if allowed is None:
        return
    not_allowed = [state for state in definition.state_order if state not in allowed]
    missing = [state for state in allowed if state not in definition.states]
    problems = []
    if not_allowed:
        problems.append(f"state(s) the database's CHECK on {column} does not allow: {', '.join(not_allowed)}")
    if missing:
        problems.append(f"state(s) the database's CHECK on {column} allows but the workflow lacks: {', '.join(missing)}")
    if problems:
        raise WorkflowDefinitionError(
            f"{where}: [states]: " + "; ".join(problems) + " (change the model and add a migration, or the workflow)"
        )


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
            raise WorkflowDefinitionError(f"{where}: state '{state}' is a dead end: no transition leaves it and it is not terminal")
