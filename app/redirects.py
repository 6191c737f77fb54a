"""Where a redirect may go when the target comes from the request (`next=`, the language switch).

Only a path on this site: browsers drop tabs and newlines anywhere in a URL,
read a backslash as a slash and ignore leading spaces, so `/%09/evil.example`,
`/\\evil.example` or ` //evil.example` would leave the site. We look at the
target as a browser would and refuse anything that could name another host.
"""

import re
from urllib.parse import unquote, urlsplit

# C0 and C1 control characters (tab, newline, NUL ...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Enough to see through double or triple percent-encoding.
_DECODE_ROUNDS = 4


def safe_target(target, fallback):
    """`target` if it is a relative path on this site, else `fallback`."""
    if not isinstance(target, str):
        return fallback
    candidate = target.strip()
    if not candidate or _CONTROL.search(candidate) or not _is_encodable(candidate):
        return fallback
    for view in _browser_views(candidate):
        if not _is_local_path(view):
            return fallback
    return candidate


def _browser_views(target):
    """The target, then as a browser (or a proxy decoding it again) might read it."""
    decoded = target
    for _ in range(_DECODE_ROUNDS):
        yield _CONTROL.sub("", decoded).replace("\\", "/").strip()
        again = unquote(decoded)
        if again == decoded:
            return
        decoded = again
    yield _CONTROL.sub("", decoded).replace("\\", "/").strip()


def _is_local_path(view):
    if not view.startswith("/") or view.startswith("//"):
        return False
    parts = urlsplit(view)
    return not parts.scheme and not parts.netloc


def _is_encodable(text):
    # Lone surrogates cannot go into a Location header.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
