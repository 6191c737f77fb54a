"""Who may see and change reports, written once; and what the report and contribution workflows say about states.

Views, templates (through the answers views pass them), the API, the build
job and the workflow's actor rules all ask these.
"""

import sqlalchemy as sa

from app.background.services import followers_of
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.reports.errors import ReportForbidden
from app.reports.models import Report, report_areas
from app.service_errors import NotFound
from app.workflow import get_workflow


def _signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True))


# --- the workflows ----------------------------------------------------------------------


def lifecycle():
    """The report lifecycle (workflows/report.toml)."""
    return get_workflow("report")


def feeding_states():
    """The contribution states that may feed report sections (the contribution workflow's `feeds_reports` flag)."""
    return get_workflow("contribution").states_flagged("feeds_reports")


def feeds_reports(contribution):
    return get_workflow("contribution").state_has(contribution.state, "feeds_reports")


def report_state_has(report, flag):
    return lifecycle().state_has(report.state, flag)


def released_state():
    """The state a published version is shown in to readers."""
    return lifecycle().states_flagged("released")[0]


# --- who ------------------------------------------------------------------------------


def can_manage_reports(user):
    """Editors and admins have a reports workspace."""
    return _signed_in(user) and user.has_role("editor", "admin")


def is_area_editor(user, report):
    """An editor of one of the report's thematic areas (the one place this rule is written)."""
    return user.has_role("editor") and bool({area.id for area in user.areas} & {area.id for area in report.areas})


def area_editor_clause(user):
    """SQL for `is_area_editor(user, Report)`."""
    if not user.has_role("editor"):
        return sa.false()
    return sa.exists().where(report_areas.c.report_id == Report.id, report_areas.c.area_id.in_([area.id for area in user.areas]))


def can_edit(user, report):
    """Admins edit every report; editors the reports of an area they cover."""
    if not _signed_in(user) or report is None:
        return False
    return user.has_role("admin") or is_area_editor(user, report)


@followers_of("report")
def can_follow_build(user, report_id):
    """The editors of a report follow its builds (whoever asked for them)."""
    return can_edit(user, get_report(report_id))


def is_public(report):
    """A report is public once a version of it is published (later drafts stay with the editors)."""
    return report is not None and bool(report.versions)


def can_view(user, report):
    return is_public(report) or can_edit(user, report)


def editable_reports_clause(user):
    if not can_manage_reports(user):
        return sa.false()
    if user.has_role("admin"):
        return sa.true()
    return area_editor_clause(user)


def require_edit(actor, report):
    if not can_edit(actor, report):
        raise ReportForbidden(_l("Only editors of the report's thematic areas can change it."))


# --- finding reports --------------------------------------------------------------------


def get_report(report_id):
    return db.session.get(Report, report_id)


def get_viewable(user, report_id):
    report = get_report(report_id)
    return report if can_view(user, report) else None


def get_editable(user, report_id):
    """The report if `user` may edit it; None when it does not exist or they may not even see it;
    raises ReportForbidden when they see it (published) but may not edit it."""
    report = get_report(report_id)
    if report is None or not can_view(user, report):
        return None
    require_edit(user, report)
    return report


def find_viewable(user, report_id):
    """The report if `user` may see it; NotFound otherwise (absent and hidden alike)."""
    report = get_viewable(user, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    return report


def find_editable(user, report_id):
    """The report if `user` may edit it; NotFound when it does not exist or they may not see it, Forbidden when
    they see it (published) but may not edit it."""
    report = get_editable(user, report_id)
    if report is None:
        raise NotFound(_l("No such report."))
    return report
