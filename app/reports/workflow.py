"""What the report lifecycle (workflows/report.toml) refers to: actor rules, guards, effects.

The rules themselves live in app/reports/access.py (who) and
app/reports/publishing.py and jobs.py (what a transition does); this module names them
for the workflow file.
"""

from app.i18n import lazy_gettext as _l
from app.reports import access, publishing
from app.reports import jobs as build_job
from app.reports.models import STATES
from app.workflow import Hooks

# The flags a state of workflows/report.toml may carry; code asks the definition instead of naming states.
FLAGS = {
    "editable": "editors change it directly",
    "building": "frozen while a background job builds and publishes its version",
    "released": "its version is published; a change starts the next version",
}

# STATES is what the CHECK on reports.state allows; the app refuses to start when the workflow's states differ.
hooks = Hooks("report", flags=FLAGS, states=STATES, state_column="reports.state")


# --- who ------------------------------------------------------------------------


@hooks.actor("editor")
def is_area_editor(report, user):
    """An editor of one of the report's thematic areas."""
    return access.is_area_editor(user, report)


@hooks.actor("admin")
def is_admin(report, user):
    return user.has_role("admin")


@hooks.actor("build")
def is_the_build(report, user):
    """The background job building the version it was asked for (never a person)."""
    return isinstance(user, publishing.BuildActor) and user.job.subject_type == "report" and user.job.subject_id == report.id


# --- guards -----------------------------------------------------------------------


@hooks.guard("has_sections")
def has_sections(context):
    if not context.subject.sections:
        return _l("A report needs at least one section to be published.")
    return None


# --- effects ----------------------------------------------------------------------


@hooks.effect("queue_build")
def queue_build(context):
    build_job.queue_build(context.subject, context.actor)


@hooks.effect("record_version")
def record_version(context):
    publishing.record_version(context.subject, context.actor.job, context.options.get("built"))


@hooks.effect("record_failure")
def record_failure(context):
    publishing.record_failure(context.subject, context.options.get("message") or context.comment)


@hooks.effect("next_version")
def next_version(context):
    publishing.start_next_version(context.subject)
