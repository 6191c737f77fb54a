"""Contribution rules: who sees and edits what, drafts, revisions, lists and search."""
import re

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import user_areas
from app.community.models import utcnow
from app.contributions import search
from app.contributions.models import Contribution, ContributionRevision, contribution_areas
from app.contributions.types import TYPES
from app.contributions.validation import ContributionInputError, missing_fields, validate
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.sanitising import rich_text_to_plain
from app.service_errors import Conflict, Forbidden, NotFound

EDITABLE_STATES = ("draft", "changes_requested")


class ContributionConflict(Conflict):
    """The contribution changed since the caller read it, or its state forbids the change (HTTP 409)."""


class ContributionForbidden(Forbidden):
    """The caller's role or ownership forbids the change (HTTP 403)."""


# --- visibility ------------------------------------------------------------------

def visibility_clause(user):
    """SQL condition: the contributions `user` may open.

    Never submitted (a draft, or a draft withdrawn before submission): its
    author only. Anything else: the author, editors of one of its areas,
    reviewers assigned to it, and admins.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return sa.false()
    conditions = [Contribution.author_id == user.id]
    shared = _shared_clause()
    if user.has_role("admin"):
        conditions.append(shared)
    if user.has_role("editor"):
        editor_areas = sa.select(user_areas.c.area_id).where(user_areas.c.user_id == user.id)
        in_editor_area = sa.exists().where(
            contribution_areas.c.contribution_id == Contribution.id, contribution_areas.c.area_id.in_(editor_areas)
        )
        conditions.append(sa.and_(shared, in_editor_area))
    assigned = _reviewer_assignment_clause(user)
    if assigned is not None:
        conditions.append(sa.and_(shared, assigned))
    return sa.or_(*conditions)


def _shared_clause():
    """Others may see a contribution only once its author has submitted it: withdrawing a draft does not show it to anyone."""
    return sa.and_(Contribution.state != "draft", Contribution.submitted_at.is_not(None))


def _reviewer_assignment_clause(user):
    """Reviewers see what they are assigned to (the review feature registers the assignment table)."""
    from app.contributions import reviewer_visibility

    return reviewer_visibility.clause(user)


def can_view(user, contribution):
    if contribution is None:
        return False
    return bool(db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, visibility_clause(user))))


def can_edit(user, contribution):
    return bool(user and user.is_authenticated and contribution.author_id == user.id and contribution.state in EDITABLE_STATES)


def get_visible(user, contribution_id):
    """The contribution if `user` may open it, else None (callers answer 404 either way)."""
    return db.session.scalar(sa.select(Contribution).where(Contribution.id == contribution_id, visibility_clause(user)))


def may_browse(user):
    """The contributions list is for those who work on others' contributions."""
    return bool(user and user.is_authenticated and user.has_role("editor", "reviewer", "admin"))


def may_create(user):
    return bool(user and user.is_authenticated and user.has_role("contributor"))


# --- creating and editing -----------------------------------------------------------

_CREATION_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def valid_creation_key(value):
    """A creation key (see create_draft_once): 1 to 64 letters, digits and _ . : - (a UUID fits)."""
    return isinstance(value, str) and _CREATION_KEY.fullmatch(value) is not None


def create_draft(author, payload, creation_key=None):
    """A new draft from API-shaped input; incomplete is fine, invalid is not."""
    return create_draft_once(author, payload, creation_key)[0]


def create_draft_once(author, payload, creation_key=None):
    """(draft, created): a new draft, or, when `author` already made one with `creation_key`, that one, unchanged.

    The new-contribution form carries a random key, and API clients may send
    one (Idempotency-Key), so a form posted twice or a request retried makes
    one draft, even when both arrive at once.
    """
    if not may_create(author):
        raise ContributionForbidden(str(_l("Only contributors can create contributions.")))
    if creation_key is not None and not valid_creation_key(creation_key):
        raise ContributionInputError({"creation_key": _l("Use 1 to 64 letters, digits, or the signs _ . : -")})
    if creation_key is not None:
        existing = _created_with(author, creation_key)
        if existing is not None:
            return existing, False
    cleaned = validate(payload)
    _check_referenced_contributions_visible(author, cleaned)
    try:
        # A savepoint: when the same key loses a race, only this insert is undone.
        with db.session.begin_nested():
            contribution = Contribution(author=author, type=cleaned["type"], state="draft", revision=1, creation_key=creation_key)
            _apply(contribution, cleaned)
            db.session.add(contribution)
            db.session.flush()
    except sa.exc.IntegrityError:
        existing = _created_with(author, creation_key) if creation_key is not None else None
        if existing is None:
            raise
        db.session.commit()
        return existing, False
    search.index(contribution)
    db.session.commit()
    return contribution, True


def _created_with(author, creation_key):
    return db.session.scalar(
        sa.select(Contribution).where(Contribution.author_id == author.id, Contribution.creation_key == creation_key)
    )


def check_editable(user, contribution):
    """Raise ContributionForbidden (not the author) or ContributionConflict (wrong state) unless `user` may edit."""
    if contribution.author_id != user.id:
        raise ContributionForbidden(str(_l("Only the author can edit a contribution.")))
    if contribution.state not in EDITABLE_STATES:
        raise ContributionConflict(str(_l("A contribution can be edited only as a draft or when changes are requested.")))


def update(contribution, actor, payload, expected_version=None):
    """Edit a contribution (PATCH semantics). After the first submission every edit makes a new revision."""
    check_editable(actor, contribution)
    if expected_version is not None and expected_version != contribution.version:
        raise ContributionConflict(str(_l("The contribution was changed meanwhile; reload it and try again.")))
    if "type" in payload and payload["type"] != contribution.type:
        raise ContributionInputError({"type": _l("The type of a contribution cannot change.")})
    cleaned = validate(payload, partial=True, contribution_type=contribution.type)
    _check_referenced_contributions_visible(actor, cleaned)
    _apply(contribution, cleaned)
    if contribution.submitted_at is not None:
        contribution.revision += 1
        record_revision(contribution, actor)
    search.index(contribution)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ContributionConflict(str(_l("The contribution was changed meanwhile; reload it and try again."))) from None
    return contribution


def _apply(contribution, cleaned):
    for key in ("title", "summary", "references", "network_id", "workshop_id"):
        if key in cleaned:
            setattr(contribution, key, cleaned[key])
    if "fields" in cleaned:
        contribution.fields = cleaned["fields"]
    if "areas" in cleaned:
        contribution.areas = cleaned["areas"]
    if "projects" in cleaned:
        contribution.projects = cleaned["projects"]
    if contribution.type == "technology" and "fields" in cleaned:
        gap_ids = contribution.fields.get("addresses_gaps") or []
        contribution.addressed_gaps = (
            db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(gap_ids))).all() if gap_ids else []
        )
    contribution.search_text = search_text_of(contribution)


def _check_referenced_contributions_visible(user, cleaned):
    """A contribution may point only at contributions its author can open (no probing by id)."""
    spec_fields = cleaned.get("fields") or {}
    for name, value in spec_fields.items():
        if isinstance(value, list) and value and all(isinstance(item, int) for item in value):
            visible = set(db.session.scalars(sa.select(Contribution.id).where(Contribution.id.in_(value), visibility_clause(user))))
            hidden = [str(item) for item in value if item not in visible]
            if hidden:
                raise ContributionInputError({f"fields.{name}": _l("Unknown contribution: %(ids)s", ids=", ".join(hidden))})


def search_text_of(contribution):
    spec = TYPES[contribution.type]
    parts = [contribution.title, rich_text_to_plain(contribution.summary)]
    for field in spec.fields:
        value = contribution.fields.get(field.name)
        if value in (None, "", []):
            continue
        if field.kind == "choice":
            parts.append(str(field.choice_label(value)))
        elif field.kind == "multi_choice":
            parts.extend(str(field.choice_label(item)) for item in value)
        elif field.kind in ("text", "long_text", "url"):
            parts.append(str(value))
    parts.extend(reference.get("title", "") for reference in contribution.references or [])
    return "\n".join(part for part in parts if part)


# --- revisions ----------------------------------------------------------------------

def record_revision(contribution, actor):
    """Freeze what the contribution says now as its current revision number."""
    revision = ContributionRevision(
        contribution=contribution,
        number=contribution.revision,
        title=contribution.title,
        summary=contribution.summary,
        fields=dict(contribution.fields),
        references=list(contribution.references or []),
        area_codes=contribution.area_codes,
        project_ids=[project.id for project in contribution.projects],
        network_id=contribution.network_id,
        workshop_id=contribution.workshop_id,
        attachment_ids=[attachment.id for attachment in contribution.attachments if attachment.removed_at is None],
        created_by_id=actor.id if actor else None,
    )
    db.session.add(revision)
    return revision


def ensure_revision_since_last_decision(contribution, actor, from_state):
    """On resubmit: make a new revision unless the author's edits since changes were requested already made one."""
    from app.workflow.models import WorkflowHistory

    requested_at = db.session.scalar(
        sa.select(sa.func.max(WorkflowHistory.at)).where(
            WorkflowHistory.workflow == "contribution",
            WorkflowHistory.subject_id == contribution.id,
            WorkflowHistory.transition == "request_changes",
        )
    )
    latest = revision(contribution, contribution.revision)
    if latest is None or requested_at is None or _as_utc(latest.created_at) <= _as_utc(requested_at):
        contribution.revision += 1
        record_revision(contribution, actor)


def _as_utc(moment):
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def revision(contribution, number):
    return db.session.scalar(
        sa.select(ContributionRevision).where(
            ContributionRevision.contribution_id == contribution.id, ContributionRevision.number == number
        )
    )


# --- completeness -----------------------------------------------------------------

def completeness(contribution):
    """{field: message} of what `submit` still needs; empty when the contribution is complete."""
    return missing_fields(contribution)


def mark_submitted(contribution, actor):
    """Effect of the first submission: stamp it and freeze revision 1 (later ones come from edits)."""
    if contribution.submitted_at is None:
        contribution.submitted_at = utcnow()
        record_revision(contribution, actor)


# --- lists ---------------------------------------------------------------------------

SORTS = {
    "newest": (Contribution.created_at.desc(), Contribution.id.desc()),
    "oldest": (Contribution.created_at.asc(), Contribution.id.asc()),
    "updated": (Contribution.updated_at.desc(), Contribution.id.desc()),
    "title": (Contribution.title.asc(), Contribution.id.asc()),
}


def list_visible(user, state=None, type=None, area=None, network_id=None, workshop_id=None, author_id=None,
                 created_from=None, created_to=None, q=None, sort="newest", page=1, per_page=20):
    """One page of the contributions `user` may open, filtered; returns (items, total)."""
    query = sa.select(Contribution).where(visibility_clause(user))
    if state:
        query = query.where(Contribution.state.in_(state if isinstance(state, (list, tuple)) else [state]))
    if type:
        query = query.where(Contribution.type.in_(type if isinstance(type, (list, tuple)) else [type]))
    if area:
        from app.community.models import ThematicArea

        codes = [code.upper() for code in (area if isinstance(area, (list, tuple)) else [area])]
        query = query.where(
            sa.exists()
            .where(contribution_areas.c.contribution_id == Contribution.id)
            .where(contribution_areas.c.area_id.in_(sa.select(ThematicArea.id).where(ThematicArea.code.in_(codes))))
        )
    if network_id:
        query = query.where(Contribution.network_id == network_id)
    if workshop_id:
        query = query.where(Contribution.workshop_id == workshop_id)
    if author_id:
        query = query.where(Contribution.author_id == author_id)
    if created_from:
        query = query.where(Contribution.created_at >= created_from)
    if created_to:
        query = query.where(Contribution.created_at < created_to)
    if q and q.strip():
        query = search.restrict(query, q.strip())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    order = SORTS.get(sort, SORTS["newest"])
    items = db.session.scalars(query.order_by(*order).limit(per_page).offset((page - 1) * per_page)).all()
    return items, total



# --- workflow ----------------------------------------------------------------------

def workflow():
    from app.workflow import get_workflow

    return get_workflow("contribution")


def transition(contribution, name, actor, comment=None, expected_version=None):
    """Apply a workflow transition (see workflows/contribution.toml); raises app.workflow.TransitionError."""
    from app.workflow import apply_transition

    return apply_transition(workflow(), contribution, name, actor, comment=comment, expected_version=expected_version)


def allowed_transitions(user, contribution):
    from app.workflow import allowed_transitions as allowed

    return allowed(workflow(), contribution, user)


def history(contribution):
    from app.workflow.engine import history_of

    return history_of(workflow(), contribution)
