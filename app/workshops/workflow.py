"""What the workshop lifecycle (workflows/workshop.toml) refers to: its flags, the actor rule and the guards.

The lifecycle is time-driven: its guards read the workshop's times against
the moment asked about (`context.options["now"]`), and app/workshops/services.py
`state_of` follows the transitions whose guards pass. No person takes these
steps, so the one actor rule answers no for everyone.
"""

from app.i18n import lazy_gettext as _l
from app.timeutil import as_utc
from app.workflow import Hooks

# The flags a state of workflows/workshop.toml may carry; code asks the definition instead of naming states.
FLAGS = {
    "upcoming": "the event has not ended yet",
    "accepts_inputs": "the call for inputs is open",
    "is_past": "the event has ended",
    "has_outcome": "the outcome summary is published",
}

hooks = Hooks("workshop", flags=FLAGS)


def _now(context):
    return as_utc(context.options["now"])


@hooks.actor("time")
def is_time(workshop, user):
    """The clock moves a workshop on; no user takes these steps."""
    return False


@hooks.guard("call_has_opened")
def call_has_opened(context):
    opens = as_utc(context.subject.call_opens_at)
    if opens is None:
        return _l("The workshop has no call for inputs.")
    if _now(context) < opens:
        return _l("The call for inputs has not opened yet.")
    return None


@hooks.guard("call_has_closed")
def call_has_closed(context):
    closes = as_utc(context.subject.call_closes_at)
    if closes is not None and _now(context) < closes:
        return _l("The call for inputs is still open.")
    return None


@hooks.guard("has_ended")
def has_ended(context):
    if _now(context) < as_utc(context.subject.ends_at):
        return _l("The workshop has not ended yet.")
    return None


@hooks.guard("outcome_is_published")
def outcome_is_published(context):
    published = as_utc(context.subject.outcome_published_at)
    if published is None or _now(context) < published:
        return _l("The outcome has not been published yet.")
    return None
