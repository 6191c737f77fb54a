"""No workflow state or transition name is written as a string literal in app/ outside the hook implementations.

The same search as the command in the README (Development): code and
templates ask the workflow definitions (flags, allowed transitions) instead.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

NAMES = (
    "draft|submitted|in_review|changes_requested|accepted|rejected|withdrawn|frozen|published"
    "|submit|withdraw|send_to_review|desk_reject|request_changes|resubmit|accept|reject|reopen|freeze|publish"
    # workflows/workshop.toml ("held" is left out: it is also an outbox message's outcome in app/mail)
    "|planned|call_open|call_closed|outcome_published|open_call|close_call|hold|publish_outcome"
)
LITERAL = re.compile(rf"[\"']({NAMES})[\"']")

# The hook implementations of named guards and effects: the only places a name may be written.
HOOK_MODULES = ("app/contributions/workflow.py", "app/reports/workflow.py", "app/workshops/workflow.py")

# Text that shares a word with the workflows but is not one of their names.
NOT_NAMES = re.compile(
    r'type="submit"'  # an HTML button's type
    r'|_\("(accepted|withdrawn)"\)'  # invitation status labels, translated text
)

# Lines that declare other vocabularies (or the column the workflow is checked against), each precisely.
DECLARATIONS = re.compile(
    r"^app/(contributions|reports)/models\.py:\d+:(STATES = |    state: Mapped)"  # the state column's CHECK and default; create_app checks both against the definition
    r"|^app/reviews/models\.py:\d+:RECOMMENDATIONS = "  # a reviewer's advice (accept, revise, reject): review vocabulary, not transitions
    r"|^app/auth/models\.py:\d+:ACCESS_REQUEST_STATES = "  # an access request's own states (pending, approved, rejected)
    r"|^app/admin/forms\.py:\d+:ACCESS_REQUEST_STATE_LABELS = "  # their labels
    r"|^app/templates/admin/_macros\.html:\d+:  \{% set tone = "  # badge colours of outbox, account and access-request states
    r'|^app/api/reports\.py:\d+: +"accepted": '  # a field of the report API's item answer (still accepted for reports), not a state
    r'|^app/admin/audit\.py:\d+:    \("access_request", "rejected"\): '  # the audit log's label for an access request's own state (ACCESS_REQUEST_STATES)
)


def hits():
    found = []
    for path in sorted((ROOT / "app").rglob("*")):
        if path.suffix not in (".py", ".html"):
            continue
        relative = path.relative_to(ROOT).as_posix()
        if relative in HOOK_MODULES:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            where = f"{relative}:{number}:{line}"
            if LITERAL.search(NOT_NAMES.sub("", line)) and not DECLARATIONS.match(where):
                found.append(where)
    return found


def test_no_workflow_name_is_written_outside_the_hooks():
    assert not hits(), "Ask the workflow definition instead of naming states or transitions:\n" + "\n".join(hits())


def test_the_search_finds_a_name(tmp_path):
    # The pattern must catch what it is there to catch, in either quote.
    assert LITERAL.search("if contribution.state == 'accepted':")
    assert LITERAL.search('apply_transition(workflow, c, "send_to_review", user)')
    assert not LITERAL.search(NOT_NAMES.sub("", '<button type="submit">'))
