"""Contribution rules: who sees and edits what, drafts, revisions, lists and search, and its workflow."""

import re
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import User, UserRole, user_areas
from app.community.services import area_ids_for_codes
from app.contributions import reviewer_visibility, search
from app.contributions.models import Contribution, ContributionRevision, contribution_areas
from app.contributions.types import TYPES
from app.contributions.validation import ANSWERS_NOT_VALID, missing_fields, validate
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.projects import services as project_services
from app.projects.models import Project
from app.sanitising import clean_plain_text, clean_rich_text, rich_text_to_plain
from app.service_errors import Conflict, Forbidden, Invalid, NotFound
from app.timeutil import as_utc, utcnow
from app.unit_of_work import unit_of_work
from app.workflow import allowed_transitions as _allowed_by_engine
from app.workflow import apply_transition, get_workflow, history_of
from app.workflow.models import WorkflowHistory
from app.workshops import services as workshop_services
from app.workshops.models import Workshop


class ContributionConflict(Conflict):
    """The contribution changed since the caller read it, or its state forbids the change (HTTP 409)."""


class ContributionForbidden(Forbidden):
    """The caller's role or ownership forbids the change (HTTP 403)."""


# --- the workflow ---------------------------------------------------------------


def workflow():
    """The contribution workflow (workflows/contribution.toml)."""
    return get_workflow("contribution")


def _states(flag):
    return workflow().states_flagged(flag)


def in_state(contribution, flag):
    """Whether the contribution's state carries `flag` in the workflow (e.g. "editable")."""
    return workflow().state_has(contribution.state, flag)


# --- who: "editor of one of its areas", written once --------------------------------


def _signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True))


def editor_area_ids(user):
    """The areas whose contributions `user` handles as an editor (none unless an editor).

    The one definition of "an editor of one of its areas": the Python check
    (`is_area_editor`) and the SQL of visibility and of `area_editors` all use it.
    """
    if not _signed_in(user) or not user.has_role("editor"):
        return set()
    return {area.id for area in user.areas}


def is_area_editor(user, contribution):
    """Whether `user` is an editor of one of the contribution's thematic areas."""
    return bool(editor_area_ids(user) & {area.id for area in contribution.areas})


def area_editor_clause(user):
    """SQL: the contribution (Contribution.id) is in one of `user`'s editor areas."""
    area_ids = editor_area_ids(user)
    if not area_ids:
        return sa.false()
    return sa.exists().where(contribution_areas.c.contribution_id == Contribution.id, contribution_areas.c.area_id.in_(area_ids))


def area_editors(contribution):
    """The active editors of one of the contribution's areas (the same rule, asked from the contribution's side)."""
    area_ids = sa.select(contribution_areas.c.area_id).where(contribution_areas.c.contribution_id == contribution.id)
    return db.session.scalars(
        sa.select(User)
        .join(UserRole, sa.and_(UserRole.user_id == User.id, UserRole.role == "editor"))
        .where(User.active.is_(True), sa.exists().where(user_areas.c.user_id == User.id, user_areas.c.area_id.in_(area_ids)))
        .order_by(User.id)
    ).all()


# --- visibility ------------------------------------------------------------------


def visibility_clause(user):
    """SQL condition: the contributions `user` may open.

    Those whose review they take part in (participant_clause), and accepted
    ones (the workflow's `feeds_reports` states) for every signed-in member, so
    networks can build on each other's inputs. What a member who is not a
    participant sees of one is narrower: see can_follow_review. (The revision a
    published report cites is readable by everyone: app/contributions/public.py.)
    """
    if not _signed_in(user):
        return sa.false()
    return sa.or_(participant_clause(user), _members_clause())


def _members_clause():
    return sa.and_(Contribution.state.in_(_states("feeds_reports")), Contribution.submitted_at.is_not(None))


def participant_clause(user):
    """SQL condition: the contributions whose review `user` takes part in.

    Never submitted (a draft, or a draft withdrawn before submission): its
    author only. Anything else: the author, editors of one of its areas,
    reviewers assigned to it, and admins.
    """
    if not _signed_in(user):
        return sa.false()
    conditions = [Contribution.author_id == user.id]
    shared = _shared_clause()
    if user.has_role("admin"):
        conditions.append(shared)
    if user.has_role("editor"):
        conditions.append(sa.and_(shared, area_editor_clause(user)))
    assigned = reviewer_visibility.clause(user)
    if assigned is not None:
        conditions.append(sa.and_(shared, assigned))
    return sa.or_(*conditions)


def _shared_clause():
    """Others may see a contribution only once its author has submitted it: withdrawing a draft does not show it to anyone."""
    return sa.and_(Contribution.state.not_in(_states("private")), Contribution.submitted_at.is_not(None))


def can_view(user, contribution):
    if contribution is None:
        return False
    return bool(db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, visibility_clause(user))))


def can_follow_review(user, contribution):
    """Whether `user` takes part in the contribution's review (participant_clause): they see its history, with its
    comments and who acted, and its earlier revisions; other members reading an accepted contribution do not."""
    if contribution is None or not _signed_in(user):
        return False
    return bool(db.session.scalar(sa.select(sa.literal(True)).where(Contribution.id == contribution.id, participant_clause(user))))


def can_edit(user, contribution):
    """The author edits while the workflow's state is `editable`."""
    return bool(_signed_in(user) and contribution.author_id == user.id and in_state(contribution, "editable"))


def get_visible(user, contribution_id):
    """The contribution if `user` may open it, else None (callers answer 404 either way)."""
    return db.session.scalar(sa.select(Contribution).where(Contribution.id == contribution_id, visibility_clause(user)))


def contribution_for(user, contribution_id):
    """The contribution if `user` may open it; NotFound otherwise (absent and hidden read the same)."""
    contribution = get_visible(user, contribution_id)
    if contribution is None:
        raise NotFound(_l("This contribution does not exist, or you may not open it."))
    return contribution


def visible_among(user, contributions):
    """Those of `contributions` that `user` may open (one query), in the same order."""
    ids = [item.id for item in contributions]
    if not ids:
        return []
    visible = set(db.session.scalars(sa.select(Contribution.id).where(Contribution.id.in_(ids), visibility_clause(user))))
    return [item for item in contributions if item.id in visible]


def may_browse(user):
    """The contributions list is for those who work on others' contributions."""
    return bool(_signed_in(user) and user.has_role("editor", "reviewer", "admin"))


def may_create(user):
    return bool(_signed_in(user) and user.has_role("contributor"))


can_browse = may_browse
can_create = may_create


# --- creating and editing -----------------------------------------------------------

_CREATION_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def valid_creation_key(value):
    """A creation key (see create_draft_once): 1 to 64 letters, digits and _ . : - (a UUID fits)."""
    return isinstance(value, str) and _CREATION_KEY.fullmatch(value) is not None


def create_draft(author, payload, creation_key=None):
    """A new draft from API-shaped input; incomplete is fine, invalid is not."""
    return create_draft_once(author, payload, creation_key)[0]


def create_draft_once(author, payload, creation_key=None, then=None, attach=None):
    """(draft, created): a new draft, or, when `author` already made one with `creation_key`, that one, unchanged.

    The new-contribution form carries a random key, and API clients may send
    one (Idempotency-Key), so a form posted twice or a request retried makes
    one draft, even when both arrive at once.

    `then` names a step of the edit form (a transition with a `form_label`,
    e.g. "Save and submit") taken in the same transaction: when the step is
    refused, nothing is stored.

    `attach(contribution)` (attachments.with_files) stores the files chosen on
    the form in the same transaction, before the step.
    """
    if not may_create(author):
        raise ContributionForbidden(_l("Only contributors can create contributions."))
    if creation_key is not None and not valid_creation_key(creation_key):
        raise Invalid(ANSWERS_NOT_VALID, fields={"creation_key": _l("Use 1 to 64 letters, digits, or the signs _ . : -")})
    if creation_key is not None:
        existing = _created_with(author, creation_key)
        if existing is not None:
            return existing, False
    try:
        with unit_of_work():
            cleaned = _validate_for(payload, then)
            _check_referenced_contributions_visible(author, cleaned)
            _check_workshop_call(cleaned["type"], cleaned.get("workshop_id"))
            contribution = Contribution(
                author=author, type=cleaned["type"], state=workflow().initial, revision=1, creation_key=creation_key
            )
            _apply(contribution, cleaned)
            db.session.add(contribution)
            db.session.flush()
            search.index(contribution)
            if attach is not None:
                attach(contribution)
            if then is not None:
                _take_form_step(contribution, then, author)
    except sa.exc.IntegrityError:
        # The same key lost a race (the unit rolled back): answer with the winner's draft.
        # (No savepoint: SQLite would commit the whole transaction when releasing one opened first.)
        existing = _created_with(author, creation_key) if creation_key is not None else None
        if existing is None:
            raise
        return existing, False
    return contribution, True


def _created_with(author, creation_key):
    return db.session.scalar(sa.select(Contribution).where(Contribution.author_id == author.id, Contribution.creation_key == creation_key))


def check_editable(user, contribution):
    """Raise ContributionForbidden (not the author) or ContributionConflict (wrong state) unless `user` may edit."""
    if not _signed_in(user) or contribution.author_id != user.id:
        raise ContributionForbidden(_l("Only the author can edit a contribution."))
    if not in_state(contribution, "editable"):
        raise ContributionConflict(_l("This contribution cannot be edited in its current state."))


def update(contribution, actor, payload, expected_version=None, then=None, attach=None, response=None):
    """Edit a contribution (PATCH semantics). After the first submission every edit makes a new revision.

    `then` names a step of the edit form taken in the same transaction (see
    create_draft_once): when the step is refused, the edit is not stored either.
    `attach(contribution)` stores the files chosen on the form with the edit.
    `response`: what the author says to the reviewers, kept with the new
    revision (only once changes were requested: see can_respond_to_reviewers).
    """
    check_editable(actor, contribution)
    if expected_version is not None and expected_version != contribution.version:
        raise ContributionConflict(_l("The contribution was changed meanwhile; reload it and try again."))
    if "type" in payload and payload["type"] != contribution.type:
        raise Invalid(ANSWERS_NOT_VALID, fields={"type": _l("The type of a contribution cannot change.")})
    try:
        with unit_of_work():
            cleaned = _validate_for(payload, then, contribution=contribution)
            _check_referenced_contributions_visible(actor, cleaned)
            if cleaned.get("workshop_id") != contribution.workshop_id:
                _check_workshop_call(contribution.type, cleaned.get("workshop_id"))
            _apply(contribution, cleaned)
            if attach is not None:
                attach(contribution)
            if contribution.submitted_at is not None:
                contribution.revision += 1
                revision = record_revision(contribution, actor)
                if response is not None and can_respond_to_reviewers(actor, contribution):
                    revision.response_to_reviewers = clean_plain_text(response, multiline=True)[:RESPONSE_MAX]
            search.index(contribution)
            db.session.flush()
            if then is not None:
                _take_form_step(contribution, then, actor)
    except StaleDataError:
        raise ContributionConflict(_l("The contribution was changed meanwhile; reload it and try again.")) from None
    return contribution


RESPONSE_MAX = 20_000


def _validate_for(payload, then, contribution=None):
    """validate(payload); when the form also takes a step that needs every required answer (a `complete` guard),
    a refusal names the missing answers too, so the author reads every problem at once."""
    try:
        if contribution is None:
            return validate(payload)
        return validate(payload, partial=True, contribution_type=contribution.type)
    except Invalid as error:
        step = workflow().transitions.get(then) if then is not None else None
        if step is None or "complete" not in step.guards:
            raise
        type_code = contribution.type if contribution is not None else payload.get("type")
        if type_code not in TYPES:
            raise
        missing = missing_in_payload(payload, type_code, contribution)
        raise Invalid(error.message, fields={**missing, **(error.fields or {})}) from None


def answer_problems(payload, then=None, contribution=None):
    """Every problem saving `payload` (and taking the form's step `then`) would meet, as {key: message}, storing
    nothing: for a form that already found some, so the author reads them all at once."""
    try:
        _validate_for(payload, then, contribution=contribution)
    except Invalid as error:
        return dict(error.fields or {})
    step = workflow().transitions.get(then) if then is not None else None
    if step is None or "complete" not in step.guards:
        return {}
    return missing_in_payload(payload, contribution.type if contribution is not None else payload.get("type"), contribution)


def missing_in_payload(payload, type_code, contribution=None):
    """What submitting would still miss if `payload` (API-shaped, as the form posts it) were saved:
    {field: message}, the same rule as completeness()."""

    def given(key, default):
        if key in payload:
            return payload[key]
        return getattr(contribution, key, default) if contribution is not None else default

    fields = payload.get("fields") if isinstance(payload.get("fields"), dict) else None
    answers = SimpleNamespace(
        type=type_code,
        title=(given("title", "") or "").strip() if isinstance(given("title", ""), str) else "x",
        summary=clean_rich_text(given("summary", "") or "") if isinstance(given("summary", ""), str) else "x",
        areas=(payload.get("thematic_areas") if "thematic_areas" in payload else (contribution.areas if contribution else [])) or [],
        fields=fields if fields is not None else (dict(contribution.fields) if contribution is not None else {}),
        projects=(payload.get("project_ids") if "project_ids" in payload else (contribution.projects if contribution else [])) or [],
    )
    return missing_fields(answers)


def required_to_submit(spec):
    """The answers submitting a contribution of type `spec` needs, as service keys ("title", "fields.need"),
    the same rule as completeness(): the form marks them as required from the start."""
    return list(missing_in_payload({}, spec.code))


# --- deleting a draft ------------------------------------------------------------------


def can_delete(user, contribution):
    """The author deletes a draft that was never submitted (nobody else ever saw it); anything submitted stays,
    and is withdrawn instead."""
    return bool(can_edit(user, contribution) and contribution.submitted_at is None and in_state(contribution, "private"))


def delete_draft(contribution, user):
    """Delete a never-submitted draft with its attachments; returns the stored files' keys, for the caller to
    remove once the deletion is committed."""
    if not can_delete(user, contribution):
        if not _signed_in(user) or contribution.author_id != user.id:
            raise ContributionForbidden(_l("Only the author can delete a contribution."))
        raise ContributionConflict(_l("Only a draft that was never submitted can be deleted; withdraw it instead."))
    keys = [attachment.storage_key for attachment in contribution.attachments]
    with unit_of_work():
        search.forget(contribution)
        db.session.delete(contribution)
    return keys


def needs_confirmation(step):
    """Whether taking `step` (a transition definition) asks the user to confirm first: it cannot be undone (it
    leads into a terminal state, such as withdrawing)."""
    return step.target in workflow().terminal


def _apply(contribution, cleaned):
    for key in ("title", "summary", "references", "network_id", "workshop_id", "call_topic_id"):
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


def _check_workshop_call(contribution_type, workshop_id):
    """A contribution made for a workshop: its call must be open now and ask for the type (app/workshops/services.py)."""
    workshop = db.session.get(Workshop, workshop_id) if workshop_id else None
    if workshop is not None:
        workshop_services.check_accepts_input(workshop, contribution_type, utcnow())


def _check_referenced_contributions_visible(user, cleaned):
    """A contribution may point only at contributions its author can open (no probing by id)."""
    spec_fields = cleaned.get("fields") or {}
    for name, value in spec_fields.items():
        if isinstance(value, list) and value and all(isinstance(item, int) for item in value):
            visible = set(db.session.scalars(sa.select(Contribution.id).where(Contribution.id.in_(value), visibility_clause(user))))
            hidden = [str(item) for item in value if item not in visible]
            if hidden:
                raise Invalid(ANSWERS_NOT_VALID, fields={f"fields.{name}": _l("Unknown contribution: %(ids)s", ids=", ".join(hidden))})


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
        call_topic_id=contribution.call_topic_id,
        attachment_ids=[attachment.id for attachment in contribution.attachments if attachment.removed_at is None],
        created_by_id=actor.id if actor else None,
    )
    db.session.add(revision)
    return revision


def ensure_revision_since_last_decision(contribution, actor):
    """On resubmit: make a new revision unless the author's edits since it was last sent back for changes made one.

    "Sent back for changes" is the last transition into an `editable` state (the workflow's flag, not a name).
    """
    sent_back = last_sent_back(contribution)
    latest = revision(contribution, contribution.revision)
    if latest is None or sent_back is None or as_utc(latest.created_at) <= as_utc(sent_back.at):
        contribution.revision += 1
        record_revision(contribution, actor)


def last_sent_back(contribution):
    """The history entry of the last time the contribution was sent back to its author for changes (the last
    transition into an `editable` state after submission: its comment is the editor's letter), or None."""
    if contribution.id is None or contribution.submitted_at is None:
        return None
    back_to_editable = [transition.name for transition in workflow().transitions_into("editable")]
    return db.session.scalar(
        sa.select(WorkflowHistory)
        .where(
            WorkflowHistory.workflow == workflow().name,
            WorkflowHistory.subject_id == contribution.id,
            WorkflowHistory.transition.in_(back_to_editable),
        )
        .order_by(WorkflowHistory.id.desc())
        .limit(1)
    )


def changes_requested(user, contribution):
    """While the author revises a contribution sent back for changes: the history entry that sent it back (its
    comment is the editor's letter, its revision the one reviewed); None otherwise or for anyone but the author."""
    if not can_respond_to_reviewers(user, contribution):
        return None
    return last_sent_back(contribution)


def can_respond_to_reviewers(user, contribution):
    """The author answers the reviewers while revising a contribution that was sent back to them after submission."""
    return can_edit(user, contribution) and contribution.submitted_at is not None


def response_being_written(contribution):
    """The response to the reviewers saved with a revision since the contribution was last sent back ("" if none),
    so the edit form shows what the author wrote before saving a draft."""
    sent_back = last_sent_back(contribution)
    latest = revision(contribution, contribution.revision)
    if sent_back is None or latest is None or as_utc(latest.created_at) <= as_utc(sent_back.at):
        return ""
    return latest.response_to_reviewers or ""


def responses_to_reviewers(contribution, after=0, up_to=None):
    """[(revision number, response)] the author wrote with the revisions after `after` up to `up_to` (all by
    default), those with a response only: reviewers read them next to the changes."""
    query = sa.select(ContributionRevision.number, ContributionRevision.response_to_reviewers).where(
        ContributionRevision.contribution_id == contribution.id,
        ContributionRevision.number > after,
        ContributionRevision.response_to_reviewers != "",
    )
    if up_to is not None:
        query = query.where(ContributionRevision.number <= up_to)
    return [tuple(row) for row in db.session.execute(query.order_by(ContributionRevision.number))]


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
        _check_workshop_call(contribution.type, contribution.workshop_id)
        contribution.submitted_at = utcnow()
        record_revision(contribution, actor)


# --- lists ---------------------------------------------------------------------------

SORTS = {
    "newest": (Contribution.created_at.desc(), Contribution.id.desc()),
    "oldest": (Contribution.created_at.asc(), Contribution.id.asc()),
    "updated": (Contribution.updated_at.desc(), Contribution.id.desc()),
    "title": (Contribution.title.asc(), Contribution.id.asc()),
}


def list_visible(
    user,
    state=None,
    type=None,
    area=None,
    network_id=None,
    workshop_id=None,
    author_id=None,
    created_from=None,
    created_to=None,
    q=None,
    sort="newest",
    page=1,
    per_page=20,
):
    """One page of the contributions `user` may open, filtered; returns (items, total)."""
    query = sa.select(Contribution).where(visibility_clause(user))
    if state:
        query = query.where(Contribution.state.in_(state if isinstance(state, (list, tuple)) else [state]))
    if type:
        query = query.where(Contribution.type.in_(type if isinstance(type, (list, tuple)) else [type]))
    if area:
        codes = area if isinstance(area, (list, tuple)) else [area]
        query = query.where(
            sa.exists()
            .where(contribution_areas.c.contribution_id == Contribution.id)
            .where(contribution_areas.c.area_id.in_(area_ids_for_codes(codes)))
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


# --- what the forms offer ------------------------------------------------------------


def projects_for_picker(linked_ids, query=None):
    """Projects already linked plus up to 20 matching the picker's search (never the whole database), by acronym."""
    projects = {}
    if linked_ids:
        projects.update((project.id, project) for project in db.session.scalars(sa.select(Project).where(Project.id.in_(linked_ids))))
    query = (query or "").strip()
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        for project in db.session.scalars(
            sa.select(Project)
            .where(sa.or_(Project.acronym.ilike(pattern), Project.title.ilike(pattern)))
            .order_by(Project.acronym)
            .limit(20)
        ):
            projects.setdefault(project.id, project)
    return sorted(projects.values(), key=lambda project: project.acronym)


def workshops_for_choice(limit=200):
    """The most recent workshops, for the list's filter."""
    return db.session.scalars(sa.select(Workshop).order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(limit)).all()


def workshops_for_form(contribution=None, chosen=None):
    """The workshops a contribution's form offers: those whose call for inputs is open, the one it names already,
    and the one chosen on the form (so a call that closed meanwhile is refused with its dates, not as an unknown choice)."""
    return workshop_services.open_for_inputs(include=(contribution.workshop_id if contribution is not None else None, chosen))


def call_topics_for_choice(area_codes=()):
    """The call topics a contribution may name, grouped by thematic area: [(area or None, [topics])].

    The groups of `area_codes` (the contribution's areas) come first, then the
    other areas in their usual order, then topics of no area; each by code.
    Closed topics stay: a contribution may inform a call whose deadline has passed.
    """
    groups = {}
    for topic in project_services.call_topics():
        groups.setdefault(topic.area, []).append(topic)
    chosen = set(area_codes or ())

    def order(area):
        if area is None:
            return (2, 0, "")
        return (0 if area.code in chosen else 1, area.position, area.code)

    return [(area, groups[area]) for area in sorted(groups, key=order)]


def informing_counts(topic_ids):
    """{call topic id: how many accepted contributions (those that may feed reports) name it}; topics with none are absent.

    One query. Only accepted contributions count: a public page may say how
    many there are, never that drafts or contributions in review exist.
    """
    if not topic_ids:
        return {}
    rows = db.session.execute(
        sa.select(Contribution.call_topic_id, sa.func.count())
        .where(Contribution.call_topic_id.in_(list(topic_ids)), Contribution.state.in_(_states("feeds_reports")))
        .group_by(Contribution.call_topic_id)
    )
    return dict(rows.all())


def call_topic_is_open(topic):
    """Whether the topic is among its area's open topics (those the area page lists)."""
    return project_services.call_topic_is_open(topic)


def refs_for_picker(user, refers_to, linked_ids=(), query=None, contribution=None, limit=20):
    """The contributions of type `refers_to` a form's reference field offers `user` (a technology's capability gaps):
    (id, title) of those already linked that they may open, plus up to `limit` of all those they may open matching
    the picker's search (every word, as prefixes), by title; never the contribution itself."""
    if refers_to not in TYPES:
        return []
    base = sa.select(Contribution.id, Contribution.title).where(Contribution.type == refers_to, visibility_clause(user))
    if contribution is not None and contribution.id is not None:
        base = base.where(Contribution.id != contribution.id)
    found = {}
    linked = [item for item in linked_ids or () if isinstance(item, int)]
    if linked:
        found.update((item_id, title) for item_id, title in db.session.execute(base.where(Contribution.id.in_(linked))))
    words = (query or "").strip()
    if words:
        matching = search.restrict(base, words).order_by(Contribution.title, Contribution.id).limit(limit)
        found.update((item_id, title) for item_id, title in db.session.execute(matching))
    return sorted(found.items(), key=lambda item: (item[1].casefold(), item[0]))


# --- taking workflow steps ------------------------------------------------------


def transition(contribution, name, actor, comment=None, expected_version=None):
    """Apply a workflow transition (see workflows/contribution.toml) in one unit of work; raises a TransitionError."""
    return apply_transition(workflow(), contribution, name, actor, comment=comment, expected_version=expected_version)


def allowed_transitions(user, contribution):
    """Names of the steps `user` may take from the contribution's state (their guards are checked when taken)."""
    return _allowed_by_engine(workflow(), contribution, user)


def allowed_steps(user, contribution):
    """The transitions (definitions) `user` may take, for pages offering them as buttons."""
    definition = workflow()
    return [definition.transitions[name] for name in allowed_transitions(user, contribution)]


def form_steps(user, contribution=None):
    """The steps the edit form offers beside "Save draft" (transitions with a `form_label`) that `user` may take.

    A new contribution (None) is asked about as the draft it would become.
    """
    subject = contribution if contribution is not None else Contribution(author_id=getattr(user, "id", None), state=workflow().initial)
    return [step for step in allowed_steps(user, subject) if step.form_label]


def form_step_names():
    """Names of the steps any edit form may offer (transitions with a `form_label`)."""
    return {step.name for step in workflow().transitions.values() if step.form_label}


def _take_form_step(contribution, name, actor):
    if name not in form_step_names():
        raise Invalid(_l("The edit form cannot take this step."), {"action": _l("Not a valid choice.")})
    transition(contribution, name, actor, expected_version=contribution.version)


def history(contribution):
    return history_of(workflow(), contribution)


def still_needed(contribution):
    """What is still needed before submitting, while the contribution is editable; else {}."""
    return completeness(contribution) if in_state(contribution, "editable") else {}
