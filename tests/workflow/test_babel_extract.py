"""Workflow texts reach the translation catalogue (babel.cfg's extractor) and are shown translated."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.workflow.babel_extract import extract
from app.workflow.definition import SCHEMA, TEXT, TRANSLATED_KEYS
from tests.api.support import post_transition, token_headers
from tests.factories import PASSWORD
from tests.support import sign_in

ROOT = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).parent / "pybabel"
WORKFLOW_FILES = ("contribution.toml", "report.toml")
# Text keys that name something (a state, a hook, a policy) rather than say something to people.
NAMING_KEYS = {"name", "hooks", "initial", "to", "comment", "style"}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The project's template, extracted as a translator would: `pybabel extract -F babel.cfg`."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [str(PYBABEL), "-q", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as file:
        return read_po(file)


def _texts(definition):
    yield "top level", "title", definition.title
    yield "top level", "description", definition.description
    for state in definition.states.values():
        yield f"[states.{state.name}]", "label", state.label
        yield f"[states.{state.name}]", "description", state.description
    for transition in definition.transitions.values():
        for key in ("label", "history_label", "form_label"):
            yield f"[transitions.{transition.name}]", key, getattr(transition, key)


@pytest.mark.parametrize("file_name", WORKFLOW_FILES)
def test_every_text_of_the_loaded_workflow_is_in_the_catalogue(app, catalogue, file_name):
    definition = next(d for d in app.extensions["workflows"].values() if d.file_name == file_name)
    lines = (ROOT / "workflows" / file_name).read_text(encoding="utf-8").splitlines()
    checked = 0
    for table, key, text in _texts(definition):
        if not text:
            continue
        message = catalogue.get(text)
        assert message is not None, f"{file_name} {table} {key} {text!r} is not in the catalogue"
        assert f"workflow {file_name} {table} {key}" in message.auto_comments
        # The location points at the line of the key in the file.
        line = next(
            number
            for path, number in message.locations
            if path == f"workflows/{file_name}" and lines[number - 1].lstrip().startswith(f"{key} =")
        )
        assert f'"{text}"' in lines[line - 1]
        checked += 1
    assert checked >= len(definition.states) + len(definition.transitions)


def test_every_text_key_of_the_schema_is_either_translated_or_a_name():
    """A new key people read, added to the loader's schema, must be declared translatable too."""
    for table, keys in SCHEMA.items():
        for key, (kind, _required) in keys.items():
            if kind == TEXT:
                assert key in TRANSLATED_KEYS[table] or key in NAMING_KEYS, f"{table}: '{key}' is text: translated or a name?"


def _extract(source, name="sample.toml"):
    file = io.BytesIO(source.encode("utf-8"))
    file.name = name
    return list(extract(file, {}, [], {}))


def test_a_transition_without_labels_yields_the_label_the_loader_gives_it():
    found = _extract('name = "sample"\n\n[transitions.send_to_review]\nfrom = ["a"]\nto = "b"\n')
    assert (1, None, "sample", ["workflow sample.toml top level title (default)"]) in found
    assert (3, None, "Send to review", ["workflow sample.toml [transitions.send_to_review] label (default)"]) in found


def test_a_key_inside_a_multiline_string_is_not_taken_for_the_key():
    source = '[states.a]\ndescription = """\nlabel = "a trap"\n"""\nlabel = "A"\n'
    assert (5, None, "A", ["workflow sample.toml [states.a] label"]) in _extract(source)


def test_a_broken_file_yields_nothing_and_does_not_stop_extraction():
    assert _extract("name = \n") == []


# --- shown through gettext ---------------------------------------------------------------


@pytest.fixture
def french_app(catalogue, make_app, tmp_path, monkeypatch):
    """An app with a French catalogue translating every workflow text to "[fr] <text>" (others stay English)."""
    from app.extensions import babel

    french = Catalog(locale="fr")
    for message in catalogue:
        if message.id and any(comment.startswith("workflow ") for comment in message.auto_comments):
            french.add(message.id, f"[fr] {message.id}")
    folder = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as file:
        write_mo(file, french)
    # Flask-Babel caches loaded catalogues on the extension object, which every app of the run shares.
    monkeypatch.setattr(babel.domain_instance, "cache", {})
    return make_app(BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))


def _svg(page):
    return page[page.index("<svg") : page.index("</svg>")]


@pytest.mark.parametrize("name", ["contribution", "report"])
def test_the_help_diagram_shows_the_labels_translated(french_app, name):
    page = french_app.test_client().get(f"/help/workflows/{name}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    definition = french_app.extensions["workflows"][name]
    svg = _svg(page)
    for state in definition.states.values():
        assert f">[fr] {state.label}<" in svg
    for transition in definition.transitions.values():
        assert f">[fr] {transition.label}<" in svg
    assert f"<h1>[fr] {definition.title}</h1>" in page


def test_the_contribution_page_shows_state_steps_and_history_translated(app, client, french_app, make_user):
    from tests.contributions.samples import payload

    author = make_user(["contributor"], locale="fr")
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=token_headers(app, author.id)).get_json()
    assert post_transition(app, client, author.id, created["id"], "submit").status_code == 200
    browser = french_app.test_client()
    sign_in(browser, author.email, PASSWORD)
    page = browser.get(f"/contributions/{created['id']}").get_data(as_text=True)
    assert "[fr] Submitted ◀" in _svg(page) and "[fr] Contribution review — [fr] Submitted" in page
    assert "[fr] Submitted</span>" in page  # the state badge
    assert ">[fr] Withdraw…</a>" in page  # the step the author may take (to its confirmation page: it cannot be undone)
    assert ": [fr] Submitted · " in page  # the history entry's label
