"""The API's JSON request body: read once per request, never more than API_MAX_JSON_BYTES."""
import json

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

_TOO_LARGE = object()


def json_object():
    """The body as a dict, or None when it is not a JSON object; 413 when it is too large.

    Shared by the views and the sign-in throttle (which needs the e-mail
    before the view runs), so the body is read, and its size checked, once.
    """
    if "api_json_body" not in g:
        g.api_json_body = _read()
    if g.api_json_body is _TOO_LARGE:
        raise RequestEntityTooLarge()
    return g.api_json_body


def _read():
    limit = min(current_app.config["API_MAX_JSON_BYTES"], request.max_content_length or float("inf"))
    if request.content_length is not None and request.content_length > limit:
        request.max_content_length = limit  # the 413 message names this limit
        return _TOO_LARGE
    if not request.is_json:
        return None
    # A chunked body has no Content-Length: read at most one byte past the
    # limit, which tells "too large" from "just fits" without reading it all.
    request.max_content_length = limit + 1
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:
        data = None
    finally:
        request.max_content_length = limit
    if data is None or len(data) > limit:
        return _TOO_LARGE
    try:
        body = json.loads(data)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
