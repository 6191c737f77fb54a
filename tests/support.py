"""Small test aids: CSRF tokens from pages, signing in, waiting for asynchronous effects."""

import re
import time

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/"):
    """The session's CSRF token, read from a page as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_form(client, path, data, token_from="/", **kwargs):
    form = dict(data)
    form.setdefault("csrf_token", csrf_token(client, token_from))
    return client.post(path, data=form, **kwargs)


def sign_in(client, email, password):
    response = post_form(client, "/login", {"email": email, "password": password}, token_from="/login")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def wait_for(condition, timeout=15.0, interval=0.05, message="condition"):
    """Poll until `condition()` is truthy (jobs on a real worker finish asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


# --- e-mails ---------------------------------------------------------------------

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"]+")


def text_body(message):
    """The plain-text part of a received e-mail."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_body(message):
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, path_prefix):
    """The path (and query) of the first link in the e-mail's text whose path starts with `path_prefix`.

    Opened with the test client, as a person would click it.
    """
    from urllib.parse import urlsplit

    for url in URL_IN_TEXT.findall(text_body(message)):
        parts = urlsplit(url)
        if parts.path.startswith(path_prefix):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no link to {path_prefix} in the e-mail:\n{text_body(message)}")


def flashes(html):
    """The flash messages on a page."""
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', html, flags=re.S)


# --- services out of reach -------------------------------------------------------

# Port 1 (tcpmux) is privileged and unused: connecting is refused at once.
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


def closed_port():
    """A local TCP port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
