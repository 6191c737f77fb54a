"""Hostile input: plain text is stored as typed and shown escaped; rich text is sanitised; no page carries active content."""

from html.parser import HTMLParser

import pytest

from app.contributions.types import TYPES
from tests.api.support import token_headers
from tests.contributions.hostile_corpus import HOSTILE_INPUTS, INVISIBLE_CHARACTERS, INVISIBLE_INPUTS
from tests.contributions.samples import make_project, payload

DANGEROUS_TAGS = {
    "script",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "style",
    "form",
    "meta",
    "base",
    "template",
    "img",
    "body",
    "details",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")


class ActiveContentFinder(HTMLParser):
    """Walks the markup as a browser would parse it and notes anything that could run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name == "style":
                self.problems.append(f"{tag}[style]")
            if name in ("href", "src", "xlink:href", "action", "data") and value:
                compact = "".join(value.split()).lower()
                if compact.startswith(DANGEROUS_SCHEMES):
                    self.problems.append(f"{tag}[{name}={value!r}]")


def active_content(markup):
    finder = ActiveContentFinder()
    finder.feed(markup)
    finder.close()
    return finder.problems


class TextCollector(HTMLParser):
    """The text nodes of a page, character references decoded, as a reader sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []

    def handle_data(self, data):
        if data.strip():
            self.texts.append(data.strip())


def text_nodes(markup):
    collector = TextCollector()
    collector.feed(markup)
    collector.close()
    return collector.texts


def test_the_finder_catches_what_it_looks_for():
    assert active_content('<p onclick="x()">a</p><script>1</script><a href=" javascript:x">y</a>') == [
        "p[onclick]",
        "<script>",
        "a[href=' javascript:x']",
    ]


def text_fields(contribution_type):
    return [field.name for field in TYPES[contribution_type].fields if field.kind in ("text", "long_text")]


@pytest.fixture
def author(make_user):
    return make_user(["contributor"])


@pytest.mark.parametrize("contribution_type", list(TYPES))
def test_hostile_input_is_stored_and_rendered_inert(app, client, author, signed_in, contribution_type):
    headers = token_headers(app, author.id)
    with app.app_context():
        project_id = make_project().id
    page_client = signed_in(author)
    for index, hostile in enumerate(HOSTILE_INPUTS):
        body = payload(contribution_type, project_ids=[project_id])
        body["title"] = f"Title {index} {hostile}"
        body["summary"] = hostile
        body["references"] = [{"url": "https://cordis.europa.eu/", "title": hostile}]
        for name in text_fields(contribution_type):
            body["fields"][name] = f"{name} {hostile}"
        response = client.post("/api/v1/contributions", json=body, headers=headers)
        assert response.status_code in (201, 422), response.get_json()
        if "\x00" in hostile:
            # PostgreSQL cannot store NUL: refused wherever it is, the place named.
            assert response.status_code == 422 and "summary" in response.get_json()["fields"], response.get_json()
            continue
        assert response.status_code == 201, (hostile, response.get_json())
        stored = client.get(f"/api/v1/contributions/{response.get_json()['id']}", headers=headers).get_json()
        # Plain text is kept exactly as typed, markup-looking characters included.
        plain = [("title", stored["title"], body["title"]), ("reference title", stored["references"][0]["title"], hostile)] + [
            (f"fields.{name}", stored["fields"].get(name), body["fields"][name]) for name in text_fields(contribution_type)
        ]
        for key, value, typed in plain:
            assert value == typed, f"{key} not kept as typed: {value!r} instead of {typed!r}"
        # Rich text is sanitised HTML.
        assert not active_content(stored["summary"]), f"summary stored active content for {hostile!r}: {stored['summary']!r}"
        page = page_client.get(f"/contributions/{stored['id']}").get_data(as_text=True)
        main = page[page.index("<main") : page.index("</main>")]
        # The page's own workflow picture and transition forms are ours, not the contributor's: leave them out.
        for own_section in ("workflow-heading", "actions-heading"):
            marker = f'<section aria-labelledby="{own_section}">'
            if marker in main:
                start = main.index(marker)
                main = main[:start] + main[main.index("</section>", start) :]
        assert not active_content(main), f"page shows active content for {hostile!r}: {active_content(main)}"
        # Every plain text is on the page as text (escaped markup reads back as the characters typed).
        texts = text_nodes(main)
        for key, _value, typed in plain:
            assert typed in texts, f"{key} {typed!r} is not a text node of the page"


@pytest.mark.parametrize("hidden", INVISIBLE_INPUTS)
def test_control_and_direction_characters_are_removed_on_create_and_update(app, client, author, hidden):
    headers = token_headers(app, author.id)
    body = payload("capability_gap", title=f"Title {hidden}", summary=f"<p>{hidden}</p>")
    body["fields"]["need"] = hidden
    body["references"] = [{"url": "https://cordis.europa.eu/", "title": hidden}]
    created = client.post("/api/v1/contributions", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    stored = created.get_json()
    patched = client.patch(
        f"/api/v1/contributions/{stored['id']}",
        json={"fields": {**body["fields"], "operational_context": hidden}, "version": stored["version"]},
        headers=headers,
    )
    assert patched.status_code == 200, patched.get_json()
    stored = client.get(f"/api/v1/contributions/{stored['id']}", headers=headers).get_json()
    texts = [
        stored["title"],
        stored["summary"],
        stored["fields"]["need"],
        stored["fields"]["operational_context"],
        stored["references"][0]["title"],
    ]
    for text in texts:
        assert not INVISIBLE_CHARACTERS & set(text), repr(text)
    # The words stay; only the hidden characters go.
    assert stored["fields"]["need"] == "".join(ch for ch in hidden if ch not in INVISIBLE_CHARACTERS).strip()
