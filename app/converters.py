"""Record ids as they appear in URLs and query strings: only what the database's integer columns can hold.

PostgreSQL refuses a comparison with an integer beyond 2^31 - 1 (and SQLite one
beyond 2^63), so an id out of that range names nothing: URLs answer 404 and
query-string filters are ignored, rather than the database raising.
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def is_storable_integer(value):
    """True for an int (not a bool) that fits the database's integer columns."""
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID - 1 <= value <= MAX_ID


def _positive_up_to(limit):
    """A regular expression for the integers 1..limit without leading zeros."""
    digits = str(limit)
    # Any number with fewer digits, then, digit by digit, a smaller digit after the limit's own prefix.
    choices = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            choices.append(rf"{digits[:position]}[{lowest}-{int(digit) - 1}]\d{{{rest}}}")
    choices.append(digits)
    return "(?:" + "|".join(choices) + ")"


class IdConverter(IntegerConverter):
    """`<id:name>`: a positive integer that a row id can have; anything else matches no route (404).

    The range is in the pattern, not only checked after matching: Werkzeug
    checks methods before converting, so a PATCH to /things/99999999999 would
    otherwise answer 405 instead of 404.
    """

    regex = _positive_up_to(MAX_ID)

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=MAX_ID)


def id_arg(value):
    """For `request.args.get(name, type=id_arg)`: an id, or ValueError (the default is used) when none can exist."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError("not a record id")
    return number


def optional_number(value):
    """A form's hidden version number as an int, or None when it is not one a row can have."""
    try:
        return id_arg(value)
    except (TypeError, ValueError):
        return None


def register(app):
    app.url_map.converters["id"] = IdConverter
