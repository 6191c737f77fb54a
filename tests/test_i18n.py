"""Every user-facing string is marked for translation; dates and numbers follow the locale."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support import csrf_token

TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
LITERAL_ATTRIBUTE = re.compile(r'\s(?:aria-label|title|placeholder|alt)="([^"{]*[A-Za-z][^"{]*)"')
# Words that are names, not prose, and stay as they are in every language.
NOT_TRANSLATED = {"CERIS", "CERIS Exchange"}


def _unmarked_text(source):
    without_jinja = JINJA.sub(" ", source)
    without_tags = TAG.sub("\n", without_jinja)
    pieces = [piece.strip(" \t·–-:,;()") for piece in without_tags.splitlines()]
    return [piece for piece in pieces if re.search(r"[A-Za-z]{2,}", piece) and piece not in NOT_TRANSLATED]


@pytest.mark.parametrize("template", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")), ids=str)
def test_template_text_is_marked_for_translation(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert _unmarked_text(source) == [], f"{template}: text outside _() — wrap it in {{{{ _('...') }}}}"
    assert LITERAL_ATTRIBUTE.findall(source) == [], f"{template}: attribute text outside _()"


def test_the_checker_catches_unmarked_text():
    assert _unmarked_text("<p>Hello world</p>") == ["Hello world"]
    assert _unmarked_text("<p>{{ _('Hello world') }}</p>") == []


def test_choosing_a_language_sets_the_page_language(client):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "locale": "fr", "next": "/areas/BM"})
    assert response.status_code == 302 and response.location == "/areas/BM"
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_language_choice_never_redirects_off_site(client):
    token = csrf_token(client)
    response = client.post("/language", data={"csrf_token": token, "locale": "de", "next": "//evil.example"})
    assert response.location == "/"


def test_browser_language_is_used_when_nothing_is_chosen(client):
    html = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"}).get_data(as_text=True)
    assert '<html lang="de">' in html


def test_dates_and_numbers_are_formatted_by_locale(app):
    moment = datetime(2026, 3, 5, 14, 30, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        env = app.jinja_env
        assert env.filters["date"](moment, "long") == "5. März 2026"
        assert env.filters["number"](1234567.5) == "1.234.567,5"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert app.jinja_env.filters["date"](moment, "long") == "5 mars 2026"
