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
