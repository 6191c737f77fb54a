"""Error responses: JSON under /api/, pages in the site's look elsewhere."""

from flask import g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError, UnprocessableEntity

from app.extensions import db
from app.i18n import gettext as _
from app.service_errors import ServiceError

PAGE_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 413: "errors/413.html", 429: "errors/429.html"}


class BadInput(UnprocessableEntity):
    """422 for input that cannot be stored; `fields` names the places, as the API's error shape does."""

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.fields = fields or None


def wants_json():
    return request.path.startswith("/api/")


def api_error(status, message, fields=None):
    body = {"error": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def register(app):
    @app.before_request
    def refuse_nul_characters():
        """NUL is never text anyone typed, and PostgreSQL cannot store it: refuse it in the query string and in forms."""
        places = [name for name, value in request.args.items(multi=True) if "\x00" in name or "\x00" in value]
        # Multipart bodies (uploads) are left unread here: their view sets its own size limit first.
        if request.mimetype == "application/x-www-form-urlencoded":
            places += [name for name, value in request.form.items(multi=True) if "\x00" in name or "\x00" in value]
        if not places:
            return None
        message = _("Text cannot contain NUL characters.")
        if wants_json():
            return api_error(422, _("Invalid input."), {name.replace("\x00", ""): message for name in places})
        return render_template("errors/400.html", message=message, status=400), 400

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if wants_json():
            return api_error(400, error.description)
        return render_template(
            "errors/400.html", message=_("Your form expired or came from elsewhere. Please reload the page and try again.")
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        status = error.code or 500
        if wants_json():
            body, status = api_error(status, _api_message(error), getattr(error, "fields", None))
            # Keep what the exception says beyond its page: Allow on 405, WWW-Authenticate on 401.
            for name, value in error.get_headers():
                if name.lower() not in ("content-type", "content-length"):
                    body.headers.add(name, value)
            return body, status
        template = PAGE_TEMPLATES.get(status)
        if template is None:
            if status >= 500:
                template = "errors/500.html"
            else:
                return render_template("errors/400.html", message=error.description, status=status), status
        # An upload view states its own limit (g.upload_limit); otherwise the request limit.
        limit = g.get("upload_limit") or app.config.get("MAX_CONTENT_LENGTH")
        if status == 413 and _form_with_files_too_large():
            return render_template("errors/413_form.html", max_bytes=limit, back=request.path), status
        return render_template(template, error=error, max_bytes=limit), status

    @app.errorhandler(ServiceError)
    def service_error(error):
        """The one mapping of a service's refusal onto the API and onto pages (forms map theirs in app/forms.py)."""
        db.session.rollback()
        if wants_json():
            return api_error(error.status, error.message, error.field_messages() or None)
        template = PAGE_TEMPLATES.get(error.status, "errors/400.html")
        return render_template(template, message=error.message, status=error.status), error.status

    @app.errorhandler(DataError)
    def unstorable_value(error):
        # Last line of defence: a value the database refuses (a number beyond
        # its range, text it cannot hold) came from the request. Each known
        # cause is refused earlier with its field named; this keeps the rest 4xx.
        app.logger.warning("Value refused by the database on %s %s: %s", request.method, request.path, error.orig)
        db.session.rollback()
        message = _("A value is out of range or cannot be stored.")
        if wants_json():
            return api_error(422, message)
        return render_template("errors/400.html", message=message, status=422), 422

    @app.errorhandler(Exception)
    def unexpected_error(error):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if wants_json():
            return api_error(500, "Internal server error")
        return render_template("errors/500.html", error=InternalServerError()), 500


def _form_with_files_too_large():
    """A form with files (the contribution form) refused for the size of the whole request (MAX_CONTENT_LENGTH).

    Werkzeug refuses such a body from its declared length before reading any of
    it, so the answers typed beside the files cannot be shown again (reading the
    oversized body to find them would undo the limit): the page says that nothing
    was saved and links back to the form, served by GET at the same address."""
    rule = request.url_rule
    return (
        request.method == "POST"
        and request.mimetype == "multipart/form-data"
        and not g.get("upload_limit")
        and rule is not None
        and "GET" in (rule.methods or ())
    )


def _api_message(error):
    if error.code == 413:
        limit = request.max_content_length
        if limit:
            return _("Request body too large (limit %(limit)d bytes).", limit=limit)
        return _("Request body too large.")
    if error.code == 429:
        return _("Too many attempts; try again in a minute.")
    return error.description or error.name
