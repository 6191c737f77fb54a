"""The API's JSON request body: read once per request, never more than API_MAX_JSON_BYTES.

What no endpoint can store is refused here, for every endpoint at once, with
422 naming the place in the body: nesting deeper than any request needs (a
deep enough document makes Python's parser itself fail), text with NUL
characters (PostgreSQL refuses them) or lone surrogates (not encodable as
UTF-8), and integers beyond the database's integer columns.
"""

import json

from flask import current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.converters import is_storable_integer
from app.errors import BadInput
from app.i18n import gettext as _

_TOO_LARGE = object()
# No request of this API nests deeper than a handful of levels.
MAX_DEPTH = 32


def json_object():
    """The body as a dict, or None when it is not a JSON object; 413 when it is too large, 422 when it cannot be stored.

    Shared by the views and the sign-in throttle (which needs the e-mail
    before the view runs), so the body is read, and its size checked, once.
    """
    if "api_json_body" not in g:
        g.api_json_body = _read()
    if g.api_json_body is _TOO_LARGE:
        raise RequestEntityTooLarge()
    if isinstance(g.api_json_body, BadInput):
        raise g.api_json_body
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
    except RecursionError:
        return BadInput(_("The JSON body is nested too deeply (at most %(depth)d levels).", depth=MAX_DEPTH))
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    problems = unstorable_values(body)
    if problems:
        return BadInput(_("Invalid input."), problems)
    return body


def unstorable_values(body):
    """{place in the body: what is wrong} for values no endpoint can store; empty when all is well.

    Walks the document without recursion, so depth is checked before it can hurt.
    """
    problems = {}
    pending = [(body, "", 1)]
    while pending:
        value, place, depth = pending.pop()
        if depth > MAX_DEPTH:
            problems[place or "body"] = _("Nested too deeply (at most %(depth)d levels).", depth=MAX_DEPTH)
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                key_problem = _text_problem(key)
                if key_problem:
                    problems[place or "body"] = key_problem
                    continue
                pending.append((item, f"{place}.{key}" if place else key, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, f"{place}.{index}" if place else str(index), depth + 1) for index, item in enumerate(value))
        elif isinstance(value, str):
            text_problem = _text_problem(value)
            if text_problem:
                problems[place] = text_problem
        elif isinstance(value, int) and not isinstance(value, bool) and not is_storable_integer(value):
            problems[place] = _("Number out of range.")
    return problems


def _text_problem(text):
    if "\x00" in text:
        return _("Text cannot contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("Text must be valid Unicode (it contains a lone surrogate).")
    return None
