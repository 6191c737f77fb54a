"""The report lifecycle on the workflow engine (workflows/report.toml): publishing, the published version, the next version.

The build job itself (queuing, running, retrying) is app/reports/jobs.py; the published files, app/reports/files.py.

No state or transition is named here: a transition is found by the flag of
the state it leads to (`building`, `released`, `editable`), and the engine
checks who may take it, from where, and its guards.
"""

from dataclasses import dataclass

from app.background import services as jobs
from app.contributions import public as public_contributions
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.mail import services as mail
from app.reports.access import lifecycle, report_state_has, require_edit
from app.reports.errors import ReportConflict, ReportForbidden, ReportInputError, changed_meanwhile, transactional
from app.reports.models import FILE_FORMATS, ReportVersion
from app.subscriptions import services as subscriptions
from app.timeutil import utcnow
from app.unit_of_work import after_commit
from app.workflow import StaleVersion, TransitionError, allowed_transitions, apply_transition

BUILD_JOB_KIND = "report_build"


class BuildActor:
    """Who takes the build's own transitions (published, or back to draft): the background job, not a person.

    Never a user: no request can act as it. History entries record no actor for it.
    """

    id = None
    is_authenticated = True
    active = True
    display_name = "CERIS"

    def __init__(self, job):
        self.job = job

    def has_role(self, *roles):
        return False


# --- the engine ------------------------------------------------------------------------------


def _transition_into(report, flag):
    """The transition leading from the report's state into a state carrying `flag`, or None."""
    definition = lifecycle()
    return next(
        (transition.name for transition in definition.transitions_from(report.state) if definition.state_has(transition.target, flag)),
        None,
    )


def apply_into(report, flag, actor, comment=None, **options):
    """Take the transition into a `flag` state as `actor`; engine refusals become report errors (403/409/422)."""
    name = _transition_into(report, flag)
    if name is None:
        raise changed_meanwhile()
    try:
        return apply_transition(lifecycle(), report, name, actor, comment=comment, **options)
    except StaleVersion:
        raise changed_meanwhile() from None
    except TransitionError as error:
        # The engine's errors are not service errors (yet): the report API catches ReportError.
        if error.status == 403:
            raise ReportForbidden(error.message, error.fields) from None
        if error.status == 422:
            raise ReportInputError(error.fields, error.message) from None
        raise ReportConflict(error.message, error.fields) from None


@dataclass(frozen=True)
class Lifecycle:
    """What the editor's pages say about where a report is in its lifecycle (templates never compare states)."""

    label: str
    building: bool
    released: bool
    may_publish: bool


def lifecycle_of(report, user):
    definition = lifecycle()
    publish = _transition_into(report, "building")
    return Lifecycle(
        label=report.state_label,
        building=definition.state_has(report.state, "building"),
        released=definition.state_has(report.state, "released"),
        may_publish=publish is not None and publish in allowed_transitions(definition, report, user),
    )


def begin_change(report, actor):
    """Every change goes through here: refused while a build runs; a published report becomes the draft of its
    next version (a transition of the lifecycle: two editors starting at once make one next version)."""
    if report_state_has(report, "building"):
        raise ReportConflict(_l("The report is being built and published; wait until that finishes."))
    if report_state_has(report, "released"):
        apply_into(report, "editable", actor)
    report.updated_at = utcnow()


@transactional
def publish(report, actor):
    """Freeze the report and queue the build of its next version; returns the BackgroundJob (202)."""
    require_edit(actor, report)
    if report_state_has(report, "building"):
        raise ReportConflict(_l("The report is being built and published already."))
    if report_state_has(report, "released"):
        raise ReportConflict(
            _l(
                "Version %(version)d is published. Change the report to prepare version %(next)d.",
                version=report.version,
                next=report.version + 1,
            )
        )
    apply_into(report, "building", actor)
    return report.build_job


def build_job(report):
    return report.build_job


# --- the lifecycle's effects (named in workflows/report.toml, registered in app/reports/workflow.py) --------


def start_next_version(report):
    report.version += 1


def record_version(report, job, built):
    """The build's result becomes the published version (`built` None: an earlier run recorded it already)."""
    number = (job.params or {}).get("version")
    if built is not None:
        version = ReportVersion(
            report_id=report.id,
            number=number,
            title=report.title,
            published_at=built["published_at"],
            published_by_id=job.created_by_id,
            area_codes=report.area_codes,
            **{f"{fmt}_path": built["files"][fmt]["path"] for fmt in FILE_FORMATS},
            **{f"{fmt}_sha256": built["files"][fmt]["sha256"] for fmt in FILE_FORMATS},
        )
        db.session.add(version)
        db.session.flush()
        public_contributions.record_citations(version, built.get("citations") or {})
        report.published_at = built["published_at"]
        report.build_error = ""
        db.session.flush()
        messages = subscriptions.notify_report_published(report, version)
        if messages:
            after_commit(lambda: _dispatch(messages))
    jobs.mark_finished(job, version=number)


def _dispatch(messages):
    mail.dispatch(*messages)


def record_failure(report, message):
    report.build_error = message
