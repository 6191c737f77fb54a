"""One service error type, mapped once onto the API and once onto forms."""

from flask import Blueprint
from flask_wtf import FlaskForm
from wtforms import StringField

from app.forms import show_service_error
from app.service_errors import Conflict, Forbidden, Invalid, NotFound, ServiceError


def test_each_kind_carries_its_status():
    assert [kind("x").status for kind in (Invalid, NotFound, Forbidden, Conflict)] == [422, 404, 403, 409]
    assert ServiceError("x", status=418).status == 418


class _CommentForm(FlaskForm):
    comment = StringField("Comment")


def test_field_messages_go_beside_their_field_and_keys_are_never_shown(app):
    with app.test_request_context(method="POST"):
        form = _CommentForm(meta={"csrf": False})
        show_service_error(form, Invalid("The decision was not recorded.", {"comment": "Write a comment.", "version": "Reload the page."}))
        assert form.comment.errors == ["Write a comment."]
        assert form.form_errors == ["Reload the page.", "The decision was not recorded."]
        assert not any("version" in message or "comment:" in message for message in form.form_errors)


def test_the_api_answers_a_service_error_in_its_error_shape(make_app):
    application = make_app()
    probe = Blueprint("probe", __name__)

    @probe.get("/api/v1/_probe")
    def refuse():
        raise Conflict("The contribution changed since you read it.", {"version": "Stale."})

    @probe.get("/_probe")
    def refuse_page():
        raise Forbidden("Only the area's editors may decide.")

    application.register_blueprint(probe)
    client = application.test_client()
    response = client.get("/api/v1/_probe")
    assert response.status_code == 409
    assert response.get_json() == {"error": "The contribution changed since you read it.", "fields": {"version": "Stale."}}
    page = client.get("/_probe")
    assert page.status_code == 403
    assert "Only the area&#39;s editors may decide." in page.get_data(as_text=True)
