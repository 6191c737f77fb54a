"""Contributions, their workflow transitions, reviewer assignment and reviews (DESIGN.md, API contract)."""
from datetime import date, datetime, time, timezone

from flask import abort, g, jsonify, request

from app.api import bp
from app.api.auth import token_required
from app.api.serialisers import iso_datetime
from app.api.views import json_body, list_response, page_args
from app.auth.models import User
from app.contributions import services
from app.contributions.models import STATES
from app.contributions.types import TYPES
from app.contributions.validation import ContributionInputError
from app.converters import id_arg
from app.errors import api_error
from app.extensions import db
from app.i18n import gettext as _
from app.reviews import services as review_services
from app.workflow import TransitionError


_iso = iso_datetime


def contribution_type_json(spec):
    return {
        "code": spec.code,
        "name": str(spec.name),
        "description": str(spec.description),
        "requires_projects": spec.requires_projects,
        "fields": [
            {
                "name": field.name,
                "label": str(field.label),
                "help": str(field.help),
                "kind": field.kind,
                "required": field.required,
                "choices": [{"value": value, "label": str(label)} for value, label in field.choices],
                "min": field.min,
                "max": field.max,
                **({"refers_to": field.refers_to} if field.refers_to else {}),
            }
            for field in spec.fields
        ],
    }


def contribution_json(contribution, viewer):
    """The contract's shape; reviewers and reviews only for those who may see them."""
    body = {
        "id": contribution.id,
        "type": contribution.type,
        "title": contribution.title,
        "thematic_areas": contribution.area_codes,
        "summary": contribution.summary,
        "fields": contribution.fields,
        "references": contribution.references or [],
        "project_ids": [project.id for project in contribution.projects],
        "workshop_id": contribution.workshop_id,
        "network_id": contribution.network_id,
        "author_id": contribution.author_id,
        "state": contribution.state,
        "revision": contribution.revision,
        "version": contribution.version,
        "missing": services.completeness(contribution) if contribution.state in services.EDITABLE_STATES else {},
        "allowed_transitions": services.allowed_transitions(viewer, contribution),
        "attachments": [
            {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size}
            for attachment in contribution.attachments
            if attachment.removed_at is None
        ],
        "created_at": _iso(contribution.created_at),
        "updated_at": _iso(contribution.updated_at),
        "submitted_at": _iso(contribution.submitted_at),
        "history": [
            {
                "transition": entry.transition,
                "from": entry.from_state,
                "to": entry.to_state,
                "actor": entry.actor_id,
                "at": _iso(entry.at),
                "comment": entry.comment,
                "revision": entry.revision,
            }
            for entry in services.history(contribution)
        ],
    }
    if review_services.can_see_reviewer_names(viewer, contribution):
        body["reviewers"] = [assignment.reviewer_id for assignment in review_services.assignments(contribution)]
    reviews = review_services.reviews_visible_to(viewer, contribution)
    if reviews:
        body["reviews"] = [
            {key: (_iso(value) if isinstance(value, datetime) else value) for key, value in review.items()} for review in reviews
        ]
    return body


def _visible_or_404(contribution_id):
    contribution = services.get_visible(g.api_user, contribution_id)
    if contribution is None:
        abort(404, _("No such contribution."))
    return contribution


def _error(error):
    return api_error(getattr(error, "status", 409), getattr(error, "message", str(error)), getattr(error, "fields", None) or None)


@bp.get("/contribution-types")
def contribution_types():
    items = [contribution_type_json(spec) for spec in TYPES.values()]
    return list_response(items, 1, len(items), len(items))


def _wrong_types(body):
    """{field: message} for values of the wrong JSON type that the checks of their values do not expect."""
    fields = {}
    if "type" in body and not isinstance(body["type"], str):
        fields["type"] = _("Must be text: one of %(types)s.", types=", ".join(TYPES))
    references = body.get("references")
    if isinstance(references, list):
        for position, reference in enumerate(references, start=1):
            url = reference.get("url") if isinstance(reference, dict) else reference
            if not isinstance(url, (str, type(None))):
                fields["references"] = _("Reference %(n)d must be a URL.", n=position)
                break
    return fields


@bp.post("/contributions")
@token_required
def create_contribution():
    body = json_body()
    wrong = _wrong_types(body)
    if wrong:
        return api_error(422, _("Invalid input."), wrong)
    # Optional: a retry with the same key answers 200 with the draft the first request made.
    key = request.headers.get("Idempotency-Key")
    if key is not None and not services.valid_creation_key(key):
        return api_error(422, _("Invalid input."), {"Idempotency-Key": _("Use 1 to 64 letters, digits, or the signs _ . : -")})
    try:
        contribution, created = services.create_draft_once(g.api_user, body, key)
    except services.ContributionForbidden as error:
        return api_error(403, str(error))
    except ContributionInputError as error:
        return api_error(422, error.message, error.fields)
    return jsonify(contribution_json(contribution, g.api_user)), 201 if created else 200


def _date_arg(name, end=False):
    value = request.args.get(name)
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        abort(422, _("%(name)s must be a date as YYYY-MM-DD.", name=name))
    moment = datetime.combine(day, time.min, tzinfo=timezone.utc)
    if end:
        from datetime import timedelta

        moment += timedelta(days=1)
    return moment


def _int_arg(name):
    value = request.args.get(name)
    if value in (None, ""):
        return None
    try:
        return id_arg(value)
    except ValueError:
        abort(422, _("%(name)s must be an id (a positive integer).", name=name))


@bp.get("/contributions")
@token_required
def list_contributions():
    page, per_page = page_args()
    state = request.args.getlist("state") or None
    kind = request.args.getlist("type") or None
    if state and set(state) - set(STATES):
        return api_error(422, _("Invalid input."), {"state": _("Choose among: %(states)s.", states=", ".join(STATES))})
    if kind and set(kind) - set(TYPES):
        return api_error(422, _("Invalid input."), {"type": _("Choose among: %(types)s.", types=", ".join(TYPES))})
    sort = request.args.get("sort", "newest")
    if sort not in services.SORTS:
        return api_error(422, _("Invalid input."), {"sort": _("Choose among: %(sorts)s.", sorts=", ".join(services.SORTS))})
    items, total = services.list_visible(
        g.api_user,
        state=state,
        type=kind,
        area=request.args.getlist("area") or None,
        network_id=_int_arg("network"),
        workshop_id=_int_arg("workshop"),
        created_from=_date_arg("from"),
        created_to=_date_arg("to", end=True),
        q=request.args.get("q"),
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return list_response([_list_item(contribution) for contribution in items], page, per_page, total)


def _list_item(contribution):
    return {
        "id": contribution.id,
        "type": contribution.type,
        "title": contribution.title,
        "thematic_areas": contribution.area_codes,
        "state": contribution.state,
        "revision": contribution.revision,
        "version": contribution.version,
        "author_id": contribution.author_id,
        "network_id": contribution.network_id,
        "workshop_id": contribution.workshop_id,
        "created_at": _iso(contribution.created_at),
        "updated_at": _iso(contribution.updated_at),
    }


@bp.get("/contributions/<id:contribution_id>")
@token_required
def get_contribution(contribution_id):
    return jsonify(contribution_json(_visible_or_404(contribution_id), g.api_user))


@bp.patch("/contributions/<id:contribution_id>")
@token_required
def patch_contribution(contribution_id):
    contribution = _visible_or_404(contribution_id)
    body = dict(json_body())
    version = body.pop("version", None)
    wrong = _wrong_types(body)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        wrong["version"] = _("Must be an integer.")
    if wrong:
        return api_error(422, _("Invalid input."), wrong)
    try:
        services.update(contribution, g.api_user, body, expected_version=version)
    except services.ContributionForbidden as error:
        return api_error(403, str(error))
    except services.ContributionConflict as error:
        return api_error(409, str(error))
    except ContributionInputError as error:
        db.session.rollback()
        return api_error(422, error.message, error.fields)
    return jsonify(contribution_json(contribution, g.api_user))


@bp.post("/contributions/<id:contribution_id>/transitions")
@token_required
def transition_contribution(contribution_id):
    contribution = _visible_or_404(contribution_id)
    body = json_body()
    name, comment, version = body.get("transition"), body.get("comment"), body.get("version")
    fields = {}
    if not isinstance(name, str) or not name:
        fields["transition"] = _("Required.")
    if comment is not None and not isinstance(comment, str):
        fields["comment"] = _("Must be text.")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        fields["version"] = _("Must be an integer.")
    if fields:
        return api_error(422, _("Invalid input."), fields)
    try:
        services.transition(contribution, name, g.api_user, comment=comment, expected_version=version)
    except TransitionError as error:
        return _error(error)
    return jsonify(contribution_json(contribution, g.api_user))


@bp.post("/contributions/<id:contribution_id>/reviewers")
@token_required
def assign_reviewers(contribution_id):
    contribution = _visible_or_404(contribution_id)
    body = json_body()
    automatic = body.get("auto") is True
    reviewer = None
    if not automatic:
        user_id = body.get("user_id")
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return api_error(422, _("Invalid input."), {"user_id": _("Give a user id, or \"auto\": true.")})
        reviewer = db.session.get(User, user_id)
        if reviewer is None:
            return api_error(422, _("Invalid input."), {"user_id": _("No such user.")})
    try:
        created = review_services.assign_reviewers(contribution, g.api_user, reviewer=reviewer, automatic=automatic)
    except review_services.ReviewError as error:
        return _error(error)
    response = contribution_json(contribution, g.api_user)
    response["assigned"] = [assignment.reviewer_id for assignment in created]
    return jsonify(response), 201 if created else 200


@bp.post("/contributions/<id:contribution_id>/reviews")
@token_required
def submit_review(contribution_id):
    contribution = _visible_or_404(contribution_id)
    body = json_body()
    try:
        review, created = review_services.submit_review(contribution, g.api_user, body)
    except review_services.ReviewError as error:
        db.session.rollback()
        return _error(error)
    shown = next(entry for entry in review_services.reviews_visible_to(g.api_user, contribution) if entry["id"] == review.id)
    return jsonify({key: (_iso(value) if isinstance(value, datetime) else value) for key, value in shown.items()}), 201 if created else 200
