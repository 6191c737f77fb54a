from flask import abort, g, jsonify, request

from app.api import bp
from app.api.auth import token_required
from app.api.body import json_object
from app.api.openapi import openapi_document
from app.api.serialisers import area_json, user_json
from app.auth import services as auth_services
from app.auth.limits import mark_sign_in_failed, throttle_sign_in
from app.community import services as community_services
from app.converters import MAX_ID
from app.errors import api_error
from app.i18n import gettext as _


def json_body():
    """The request's JSON object, or a 4xx: 413 when too large, 422 when not an object."""
    body = json_object()
    if body is None:
        abort(422, _("The body must be a JSON object."))
    return body


MAX_PER_PAGE = 100


def page_args():
    """page and per_page from the query string: 422 when not integers; out of range, the nearest allowed value."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        abort(422, _("page and per_page must be integers."))
    # Clamped so that the row offset, (page - 1) * per_page, fits the database's integers.
    return min(max(page, 1), MAX_ID), min(max(per_page, 1), MAX_PER_PAGE)


def list_response(items, page, per_page, total):
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@bp.post("/tokens")
@throttle_sign_in
def create_token():
    body = json_body()
    email, password = body.get("email"), body.get("password")
    fields = {}
    if not isinstance(email, str) or not email.strip():
        fields["email"] = _("An e-mail address is required.")
    if not isinstance(password, str) or not password:
        fields["password"] = _("A password is required.")
    if fields:
        return api_error(422, _("Invalid input."), fields)
    user = auth_services.authenticate(email, password)
    if user is None:
        mark_sign_in_failed()
        return api_error(401, _("The e-mail address or password is not correct, or the account is deactivated."))
    name = body.get("name") if isinstance(body.get("name"), str) else "API"
    _token, plaintext = auth_services.issue_api_token(user, name)
    return jsonify({"token": plaintext}), 201


@bp.get("/me")
@token_required
def me():
    return jsonify(user_json(g.api_user))


@bp.get("/thematic-areas")
def thematic_areas():
    areas = [area_json(area) for area in community_services.thematic_areas()]
    return list_response(areas, 1, max(len(areas), 1), len(areas))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
