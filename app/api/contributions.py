"""Contributions, their workflow transitions, reviewer assignment and reviews (DESIGN.md, API contract).

Thin: requests are read and answers written through app/api/shapes.py; the rules
are in the contributions and reviews services, whose refusals (service errors)
app/errors.py answers.
"""

from datetime import UTC, datetime, time, timedelta

from flask import abort, g, request

from app.api import shapes
from app.api.auth import token_required
from app.api.blueprint import bp
from app.api.schema import body_values, read_body, read_query
from app.api.views import answer, list_answer
from app.auth import services as auth_services
from app.contributions import services
from app.contributions.types import TYPES
from app.i18n import gettext as _
from app.reviews import requests as review_requests
from app.reviews import services as review_services
from app.service_errors import Invalid


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


def _summary_json(contribution):
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
        "call_topic_id": contribution.call_topic_id,
        "created_at": contribution.created_at,
        "updated_at": contribution.updated_at,
    }


def _call_topic_json(topic):
    if topic is None:
        return None
    return {"id": topic.id, "code": topic.code, "title": topic.title, "thematic_area": topic.area.code if topic.area else None}


def contribution_json(contribution, viewer):
    """The contract's shape; reviewers and reviews only for those who may see them."""
    body = {
        **_summary_json(contribution),
        "summary": contribution.summary,
        "call_topic": _call_topic_json(contribution.call_topic),
        "fields": contribution.fields,
        "references": contribution.references or [],
        "project_ids": [project.id for project in contribution.projects],
        "missing": services.still_needed(contribution),
        "allowed_transitions": services.allowed_transitions(viewer, contribution),
        "attachments": [
            {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type, "size": attachment.size}
            for attachment in contribution.attachments
            if attachment.removed_at is None
        ],
        "submitted_at": contribution.submitted_at,
        "history": [
            {
                "transition": entry.transition,
                "from": entry.from_state,
                "to": entry.to_state,
                "actor": entry.actor_id,
                "at": entry.at,
                "comment": entry.comment,
                "revision": entry.revision,
            }
            # Members reading an accepted contribution whose review they take no part in: no history (comments, who acted).
            for entry in (services.history(contribution) if services.can_follow_review(viewer, contribution) else [])
        ],
    }
    if review_services.can_see_reviewer_names(viewer, contribution):
        body["reviewers"] = [assignment.reviewer_id for assignment in review_services.assignments(contribution)]
    reviews = review_services.reviews_visible_to(viewer, contribution)
    if reviews:
        body["reviews"] = reviews
    if services.can_follow_review(viewer, contribution):
        body["responses_to_reviewers"] = [
            {"revision": number, "text": text} for number, text in services.responses_to_reviewers(contribution)
        ]
    return body


@bp.get("/contribution-types")
def contribution_types():
    items = [contribution_type_json(spec) for spec in TYPES.values()]
    return list_answer(shapes.ContributionTypePage, items, 1, len(items), len(items))


@bp.post("/contributions")
@token_required
def create_contribution():
    # Who may create is answered before what they sent is read: a reviewer learns 403, not what the body lacks.
    if not services.may_create(g.api_user):
        abort(403, _("Only contributors can create contributions."))
    body = body_values(shapes.ContributionInput)
    # Optional: a retry with the same key answers 200 with the draft the first request made.
    key = request.headers.get("Idempotency-Key")
    if key is not None and not services.valid_creation_key(key):
        raise Invalid(_("Invalid input."), {"Idempotency-Key": _("Use 1 to 64 letters, digits, or the signs _ . : -")})
    contribution, created = services.create_draft_once(g.api_user, body, key)
    return answer(shapes.Contribution, contribution_json(contribution, g.api_user), 201 if created else 200)


def _day_start(day, days_after=0):
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC) + timedelta(days=days_after)


@bp.get("/contributions")
@token_required
def list_contributions():
    query = read_query(shapes.ContributionQuery)
    items, total = services.list_visible(
        g.api_user,
        state=query.state,
        type=query.type,
        area=query.area,
        network_id=query.network,
        workshop_id=query.workshop,
        created_from=_day_start(query.created_from),
        created_to=_day_start(query.created_to, days_after=1),
        q=query.q,
        sort=query.sort,
        page=query.page,
        per_page=query.per_page,
    )
    return list_answer(shapes.ContributionSummaryPage, [_summary_json(item) for item in items], query.page, query.per_page, total)


@bp.get("/contributions/<id:contribution_id>")
@token_required
def get_contribution(contribution_id):
    return answer(shapes.Contribution, contribution_json(services.contribution_for(g.api_user, contribution_id), g.api_user))


@bp.patch("/contributions/<id:contribution_id>")
@token_required
def patch_contribution(contribution_id):
    contribution = services.contribution_for(g.api_user, contribution_id)
    body = body_values(shapes.ContributionChange)
    version = body.pop("version", None)
    response = body.pop("response_to_reviewers", None)
    if (
        response is not None
        and services.can_edit(g.api_user, contribution)
        and not services.can_respond_to_reviewers(g.api_user, contribution)
    ):
        message = _("A response to the reviewers is kept only once changes were requested.")
        raise Invalid(_("Invalid input."), {"response_to_reviewers": message})
    services.update(contribution, g.api_user, body, expected_version=version, response=response)
    return answer(shapes.Contribution, contribution_json(contribution, g.api_user))


@bp.post("/contributions/<id:contribution_id>/transitions")
@token_required
def transition_contribution(contribution_id):
    contribution = services.contribution_for(g.api_user, contribution_id)
    body = read_body(shapes.TransitionRequest)
    services.transition(contribution, body.transition, g.api_user, comment=body.comment, expected_version=body.version)
    return answer(shapes.Contribution, contribution_json(contribution, g.api_user))


@bp.post("/contributions/<id:contribution_id>/reviewers")
@token_required
def assign_reviewers(contribution_id):
    contribution = services.contribution_for(g.api_user, contribution_id)
    body = read_body(shapes.ReviewerChoice)
    automatic = body.auto is True
    reviewer = None
    if not automatic:
        if body.user_id is None:
            raise Invalid(_("Invalid input."), {"user_id": _('Give a user id, or "auto": true.')})
        reviewer = auth_services.get_user(body.user_id)
        if reviewer is None:
            raise Invalid(_("Invalid input."), {"user_id": _("No such user.")})
    created = review_services.assign_reviewers(contribution, g.api_user, reviewer=reviewer, automatic=automatic)
    response = contribution_json(contribution, g.api_user)
    response["assigned"] = [assignment.reviewer_id for assignment in created]
    return answer(shapes.ContributionWithAssignments, response, 201 if created else 200)


@bp.post("/contributions/<id:contribution_id>/reviews")
@token_required
def submit_review(contribution_id):
    contribution = services.contribution_for(g.api_user, contribution_id)
    body = body_values(shapes.ReviewInput)
    review, created = review_services.submit_review(contribution, g.api_user, body)
    shown = next(entry for entry in review_services.reviews_visible_to(g.api_user, contribution) if entry["id"] == review.id)
    return answer(shapes.Review, shown, 201 if created else 200)


def review_request_json(assignment):
    return {
        "contribution_id": assignment.contribution_id,
        "reviewer_id": assignment.reviewer_id,
        "state": assignment.request_state,
        "state_label": str(review_requests.request_label(assignment)),
        "due_at": assignment.due_at,
        "accepted_at": assignment.accepted_at,
        "declined_at": assignment.declined_at,
        "decline_reason": assignment.decline_reason or "",
    }


@bp.post("/contributions/<id:contribution_id>/review-request/accept")
@token_required
def accept_review_request(contribution_id):
    assignment = review_requests.own_request(g.api_user, contribution_id)
    review_requests.accept(g.api_user, assignment)
    return answer(shapes.ReviewRequest, review_request_json(assignment))


@bp.post("/contributions/<id:contribution_id>/review-request/decline")
@token_required
def decline_review_request(contribution_id):
    assignment = review_requests.own_request(g.api_user, contribution_id)
    body = read_body(shapes.DeclineRequest)
    review_requests.decline(g.api_user, assignment, body.reason)
    return answer(shapes.ReviewRequest, review_request_json(assignment))
