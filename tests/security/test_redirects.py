"""Open redirects: `next=` after sign-in and the language switch only ever lead to a page of this site."""

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest

from tests.factories import PASSWORD
from tests.support import csrf_token

HOST = "localhost"  # the test client's host

OFF_SITE = [
    "/%09/evil.example/",
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "/%5Cevil.example",
    "\t//evil.example",
    " //evil.example",
    "http://evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "\\\\evil.example",
    "/%252F%252Fevil.example",
    "https://evil.example/%2F..",
    "data:text/html,<script>alert(1)</script>",
]
GOOD = "/contributions?area=BM"


def where_a_browser_goes(location, page=f"http://{HOST}/login"):
    """The absolute URL a browser opens for this Location header (WHATWG URL parsing, in short)."""
    cleaned = re.sub(r"[\t\n\r]", "", location.strip("".join(map(chr, range(0x21)))))
    return urljoin(page, cleaned.replace("\\", "/"))


def assert_stays_on_site(response):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", HOST), location
    destination = urlsplit(where_a_browser_goes(location))
    assert destination.scheme == "http" and destination.netloc == HOST, location
    assert not destination.path.startswith("//"), location


def sign_in_with_next(client, user, query):
    token = csrf_token(client, "/login")
    return client.post(f"/login?next={query}", data={"csrf_token": token, "email": user.email, "password": PASSWORD})


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_the_site_with_next_as_typed(client, contributor, target):
    # As typed in the address bar: %09 reaches the app as a tab.
    assert_stays_on_site(sign_in_with_next(client, contributor, target.replace(" ", "%20").replace("\t", "%09").replace("\n", "%0A")))


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_the_site_with_next_encoded(client, contributor, target):
    # Encoded once more: the app sees the percent signs themselves.
    assert_stays_on_site(sign_in_with_next(client, contributor, quote(target, safe="")))


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_redirects_off_the_site(client, target):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "locale": "fr", "next": target})
    assert_stays_on_site(response)
    assert response.headers["Location"] == "/"


def test_sign_in_goes_to_a_good_next_page(client, contributor):
    response = sign_in_with_next(client, contributor, quote(GOOD, safe="/"))
    assert_stays_on_site(response)
    assert response.headers["Location"] == GOOD


def test_the_language_switch_goes_back_to_a_good_page(client):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "locale": "fr", "next": GOOD})
    assert response.headers["Location"] == GOOD
