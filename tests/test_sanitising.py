"""Hidden characters leave every text on the way in; ordinary characters and the existing markup rules stay."""

import pytest

from app.sanitising import clean_plain_text, clean_rich_text, remove_hidden_characters, rich_text_to_plain

DIRECTION_CONTROLS = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
CONTROLS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80", "\x85", "\x9f"]


@pytest.mark.parametrize("character", DIRECTION_CONTROLS, ids=[f"U+{ord(c):04X}" for c in DIRECTION_CONTROLS])
def test_direction_controls_are_removed(character):
    assert remove_hidden_characters(f"invoice{character}fdp.exe") == "invoicefdp.exe"
    assert clean_plain_text(f"invoice{character}fdp.exe", multiline=False) == "invoicefdp.exe"
    assert clean_rich_text(f"<p>invoice{character}fdp.exe</p>") == "<p>invoicefdp.exe</p>"


@pytest.mark.parametrize("character", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_are_removed(character):
    assert clean_plain_text(f"a{character}b") == "ab"
    assert clean_rich_text(f"<p>a{character}b</p>") == "<p>ab</p>"


def test_lone_surrogates_are_removed():
    assert clean_plain_text("a\ud800b\udfffc") == "abc"


def test_tab_and_newline_stay_and_a_carriage_return_becomes_a_newline():
    assert clean_plain_text("one\ttwo\nthree\r\nfour\rfive") == "one\ttwo\nthree\nfour\nfive"


def test_ordinary_characters_stay():
    text = "Ζώνη – Grenze · granica ‎ עברית‏ العربية 👩‍🚒 ½ € « » ‌x"
    assert remove_hidden_characters(text) == text
    assert clean_plain_text(text) == text


def test_a_character_reference_cannot_bring_a_direction_control_back_into_rich_text():
    assert clean_rich_text("<p>invoice&#x202e;fdp.exe &#8294;x</p>") == "<p>invoicefdp.exe x</p>"
    assert rich_text_to_plain("<p>invoice&#x202e;fdp.exe</p>") == "invoicefdp.exe"


def test_a_character_reference_in_plain_text_is_text_not_a_character():
    # Plain text is never read as HTML (it is escaped wherever shown), so "&#x202E;" displays as those eight characters.
    assert clean_plain_text("invoice&#x202E;fdp.exe") == "invoice&#x202E;fdp.exe"


@pytest.mark.parametrize(
    "typed",
    [
        "Stored <script> injection in dispatch consoles",
        "<b>bold</b> &amp; &lt;i&gt; <!-- note --> </textarea>",
        "a < b && c > d; x=\"1\" 'y'",
    ],
)
def test_plain_text_is_kept_as_typed(typed):
    assert clean_plain_text(typed) == typed
    assert clean_plain_text(typed, multiline=False) == typed


def test_plain_text_loses_surrounding_whitespace_and_one_line_text_its_line_breaks():
    assert clean_plain_text("  <b>x</b>\n\n") == "<b>x</b>"
    assert clean_plain_text(" one\n two  <i> ", multiline=False) == "one two <i>"


def test_rich_text_keeps_only_allowed_markup():
    assert clean_rich_text("<p><strong>bold</strong><script>x</script></p>") == "<p><strong>bold</strong></p>"
    assert remove_hidden_characters("<b>kept as typed</b> & more") == "<b>kept as typed</b> & more"


def test_rich_text_as_plain_text_gives_the_words_as_the_reader_saw_them():
    # The escaped "<script>" a writer typed into a summary is text again: whoever shows it must escape it.
    assert rich_text_to_plain("<p>Stored &lt;script&gt; &amp; <strong>more</strong></p><ul><li>one</li><li>two</li></ul>") == (
        "Stored <script> & more\none\ntwo"
    )
    assert rich_text_to_plain("") == ""


def test_a_title_sent_to_the_api_is_stored_without_direction_controls(app, client, contributor):
    from tests.api.support import token_headers
    from tests.contributions.samples import payload

    headers = token_headers(app, contributor.id)
    body = payload("capability_gap", title="Drone report\u202egpj.exe\u2066")
    body["fields"]["need"] = "Night\u202e detection\x1b"
    response = client.post("/api/v1/contributions", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    stored = client.get(f"/api/v1/contributions/{response.get_json()['id']}", headers=headers).get_json()
    assert stored["title"] == "Drone reportgpj.exe"
    assert stored["fields"]["need"] == "Night detection"


def test_a_workflow_comment_sent_to_the_api_is_stored_without_direction_controls(app, client, contributor):
    from tests.api.support import token_headers
    from tests.contributions.samples import payload

    headers = token_headers(app, contributor.id)
    created = client.post("/api/v1/contributions", json=payload("trend"), headers=headers).get_json()
    response = client.post(
        f"/api/v1/contributions/{created['id']}/transitions",
        json={"transition": "withdraw", "comment": "Sent\u2067 by mistake\u202c"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    assert [entry["comment"] for entry in response.get_json()["history"]] == ["Sent by mistake"]


def test_visible_text_is_more_than_spaces_and_invisible_marks():
    from app.sanitising import has_visible_text

    assert not has_visible_text("\u200f \u200b\u00a0\u2028")
    assert has_visible_text("\u200fنعم")
    assert has_visible_text("<b>")
