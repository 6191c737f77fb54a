"""The audit log: who did what and when across the platform, read from the records the features already keep.

No table of its own: one UNION ALL over the workflow history (contribution,
report and workshop steps), the published report versions, the invitations
(sent, accepted, withdrawn), the access-request decisions and the account
events (access changes, deactivations). Each source gives the same columns:
when, kind, action, actor, what it was about (type and id) and a detail.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for

from app.auth.models import ROLES, AccessRequest, AccountEvent, Invitation, User
from app.auth.permissions import can_administer
from app.contributions.models import Contribution
from app.extensions import db
from app.i18n import gettext as _
from app.i18n import lazy_gettext as _l
from app.pagination import DEFAULT_PER_PAGE, paginate
from app.reports.models import Report, ReportVersion
from app.workflow import get_workflow
from app.workflow.models import WorkflowHistory
from app.workshops.models import Workshop

# The kinds of event, as the filter offers them.
AUDIT_KINDS = {
    "contribution": _l("Contribution steps"),
    "report": _l("Report steps"),
    "workshop": _l("Workshop steps"),
    "publication": _l("Report publications"),
    "invitation": _l("Invitations"),
    "access_request": _l("Access requests"),
    "account": _l("Account changes"),
}
# The workflows whose history the log reads; each is also a kind above.
WORKFLOW_KINDS = ("contribution", "report", "workshop")

ACTION_LABELS = {
    ("publication", "version_published"): _l("Published version %(detail)s"),
    ("invitation", "sent"): _l("Invited %(detail)s"),
    ("invitation", "invitation_accepted"): _l("Accepted the invitation to %(detail)s"),
    ("invitation", "invitation_withdrawn"): _l("Invitation to %(detail)s withdrawn"),
    ("access_request", "approved"): _l("Approved the access request of %(detail)s"),
    ("access_request", "rejected"): _l("Rejected the access request of %(detail)s"),
    ("account", "access_changed"): _l("Changed the access"),
    ("account", "deactivated"): _l("Deactivated the account"),
    ("account", "reactivated"): _l("Reactivated the account"),
}

# Offset pagination, capped: past this page the filters are the way on.
MAX_PAGE = 200


def can_read_audit_log(user):
    return can_administer(user)


@dataclass
class AuditFilters:
    kind: str = ""
    person: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class AuditEntry:
    at: datetime
    kind: str
    action: str
    actor: object
    subject_label: str
    subject_url: str | None
    description: str
    details: list = field(default_factory=list)


def _text(value):
    return sa.cast(value, sa.String)


def _sources():
    """One SELECT per kind of record, all with the same columns."""
    history = sa.select(
        WorkflowHistory.at.label("at"),
        _text(WorkflowHistory.workflow).label("kind"),
        _text(WorkflowHistory.transition).label("action"),
        WorkflowHistory.actor_id.label("actor_id"),
        _text(WorkflowHistory.workflow).label("subject_type"),
        WorkflowHistory.subject_id.label("subject_id"),
        _text(WorkflowHistory.to_state).label("detail"),
        WorkflowHistory.id.label("row_id"),
    ).where(WorkflowHistory.workflow.in_(WORKFLOW_KINDS))
    publications = sa.select(
        ReportVersion.published_at,
        sa.literal("publication", sa.String),
        sa.literal("version_published", sa.String),
        ReportVersion.published_by_id,
        sa.literal("report", sa.String),
        ReportVersion.report_id,
        _text(ReportVersion.number),
        ReportVersion.id,
    )

    def invitations(moment, action, actor):
        return sa.select(
            moment,
            sa.literal("invitation", sa.String),
            sa.literal(action, sa.String),
            actor,
            sa.literal("invitation", sa.String),
            Invitation.id,
            _text(Invitation.email),
            Invitation.id,
        ).where(moment.is_not(None))

    decisions = sa.select(
        AccessRequest.decided_at,
        sa.literal("access_request", sa.String),
        _text(AccessRequest.state),
        AccessRequest.decided_by_id,
        sa.literal("access_request", sa.String),
        AccessRequest.id,
        _text(AccessRequest.email),
        AccessRequest.id,
    ).where(AccessRequest.decided_at.is_not(None))
    accounts = sa.select(
        AccountEvent.at,
        sa.literal("account", sa.String),
        _text(AccountEvent.kind),
        AccountEvent.actor_id,
        sa.literal("user", sa.String),
        AccountEvent.user_id,
        _text(AccountEvent.detail),
        AccountEvent.id,
    )
    return [
        history,
        publications,
        invitations(Invitation.created_at, "sent", Invitation.invited_by_id),
        invitations(Invitation.accepted_at, "invitation_accepted", Invitation.accepted_user_id),
        # Who withdrew an invitation is not recorded: the inviter or an administrator.
        invitations(Invitation.revoked_at, "invitation_withdrawn", sa.null()),
        decisions,
        accounts,
    ]


def _day_start(day):
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_statement(filters):
    """The log's rows, newest first, with `filters` applied (a SELECT over the UNION ALL of every source)."""
    log = sa.union_all(*_sources()).subquery("audit_log")
    statement = sa.select(log)
    if filters.kind:
        statement = statement.where(log.c.kind == filters.kind)
    if filters.person:
        pattern = "%" + filters.person.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        people = sa.select(User.id).where(
            sa.or_(sa.func.lower(User.name).like(pattern, escape="\\"), sa.func.lower(User.email).like(pattern, escape="\\"))
        )
        statement = statement.where(log.c.actor_id.in_(people))
    if filters.since:
        statement = statement.where(log.c.at >= _day_start(filters.since))
    if filters.until:
        statement = statement.where(log.c.at < _day_start(filters.until + timedelta(days=1)))
    return statement.order_by(log.c.at.desc(), log.c.kind, log.c.row_id.desc())


def audit_page(filters, page=1, per_page=DEFAULT_PER_PAGE):
    """One page of the log as AuditEntry items: a fixed number of queries whatever the page holds."""
    page = min(max(page or 1, 1), MAX_PAGE)
    result = paginate(audit_statement(filters), page, per_page, scalars=False)
    result.items = _entries(result.items)
    return result


def _by_id(model, ids):
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def _entries(rows):
    actors = _by_id(User, {row.actor_id for row in rows if row.actor_id is not None})

    def ids(subject_type):
        return {row.subject_id for row in rows if row.subject_type == subject_type and row.subject_id is not None}

    subjects = {
        "contribution": _by_id(Contribution, ids("contribution")),
        "report": _by_id(Report, ids("report")),
        "workshop": _by_id(Workshop, ids("workshop")),
        "user": _by_id(User, ids("user")),
    }
    return [_entry(row, actors.get(row.actor_id), subjects.get(row.subject_type, {}).get(row.subject_id)) for row in rows]


def _subject(row, subject):
    """(label, url) of what the event was about."""
    if row.subject_type == "contribution":
        return (subject.title if subject else _("Contribution %(id)s", id=row.subject_id)), (
            url_for("contributions.detail", contribution_id=row.subject_id) if subject else None
        )
    if row.subject_type == "report":
        return (subject.title if subject else _("Report %(id)s", id=row.subject_id)), (
            url_for("reports.read", report_id=row.subject_id) if subject else None
        )
    if row.subject_type == "workshop":
        return (subject.title if subject else _("Workshop %(id)s", id=row.subject_id)), (
            url_for("workshops.detail", workshop_id=row.subject_id) if subject else None
        )
    if row.subject_type == "user":
        return (subject.display_name if subject else _("a deleted account")), (
            url_for("admin.user", user_id=row.subject_id) if subject else None
        )
    if row.subject_type == "access_request":
        return row.detail, url_for("admin.access_request", request_id=row.subject_id)
    return row.detail, None


def _workflow_step(workflow_name, transition_name):
    try:
        transition = get_workflow(workflow_name).transitions.get(transition_name)
    except KeyError:
        transition = None
    return _(transition.history_label) if transition is not None else transition_name


def _entry(row, actor, subject):
    label, url = _subject(row, subject)
    details = []
    if row.kind in WORKFLOW_KINDS:
        description = _workflow_step(row.kind, row.action)
    else:
        template = ACTION_LABELS.get((row.kind, row.action))
        description = str(template) % {"detail": row.detail} if template is not None else row.action
        if (row.kind, row.action) == ("account", "access_changed"):
            details = _access_details(row.detail)
    return AuditEntry(
        at=row.at,
        kind=row.kind,
        action=row.action,
        actor=actor,
        subject_label=label,
        subject_url=url,
        description=description,
        details=details,
    )


def _access_details(detail):
    try:
        access = json.loads(detail or "{}")
    except ValueError:
        return []
    if not isinstance(access, dict):
        return []
    roles = ", ".join(str(ROLES.get(role, role)) for role in access.get("roles", []))
    return [
        _("Roles: %(roles)s", roles=roles or _("none")),
        _("Thematic areas: %(areas)s", areas=", ".join(access.get("areas", [])) or _("none")),
        _("Networks: %(networks)s", networks=", ".join(access.get("networks", [])) or _("none")),
    ]
