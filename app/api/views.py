"""Accounts and reference data over the API; the shapes are in app/api/shapes.py."""

from flask import g, jsonify

from app.api import shapes
from app.api.auth import token_required
from app.api.blueprint import bp
from app.api.openapi import openapi_document
from app.api.schema import dump, read_body
from app.auth import services as auth_services
from app.auth.limits import mark_sign_in_failed, throttle_sign_in
from app.community import services as community_services
from app.errors import api_error
from app.i18n import gettext as _


def answer(model, data, status=200):
    """`data` sent as `model` says (app/api/schema.py `dump`)."""
    return jsonify(dump(model, data)), status


def list_answer(model, items, page, per_page, total):
    return answer(model, {"items": items, "page": page, "per_page": per_page, "total": total})


def user_json(user):
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": user.roles,
        "areas": [area.code for area in user.areas],
        "organisation": user.organisation,
        "networks": [{"id": network.id, "name": network.name, "kind": network.kind} for network in user.networks],
    }


@bp.post("/tokens")
@throttle_sign_in
def create_token():
    body = read_body(shapes.TokenRequest)
    user = auth_services.authenticate(body.email, body.password)
    if user is None:
        mark_sign_in_failed()
        return api_error(401, _("The e-mail address or password is not correct, or the account is deactivated."))
    _token, plaintext = auth_services.issue_api_token(user, body.name if body.name is not None else "API")
    return answer(shapes.Token, {"token": plaintext}, 201)


@bp.get("/me")
@token_required
def me():
    return answer(shapes.User, user_json(g.api_user))


@bp.get("/thematic-areas")
def thematic_areas():
    areas = [{"code": area.code, "name": area.name} for area in community_services.thematic_areas()]
    return list_answer(shapes.ThematicAreaPage, areas, 1, max(len(areas), 1), len(areas))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
