"""Sanitising user input on the way in (bleach), against a documented allow-list.

Rich text (contribution summaries, report syntheses) may use only:
  p, br, strong, em, b, i, u, s, sub, sup, blockquote, code, pre,
  ul, ol, li, h3, h4, a (href with http, https or mailto; title)
Everything else is removed with its attributes: no script, style, iframe,
object, svg, math, form, img, event handlers, style attributes or
javascript:/data: URLs. Links get rel="nofollow noopener noreferrer".

Plain text (titles, type-specific text answers, comments, names, headings)
is kept exactly as typed, markup-looking characters included: a gap titled
"Stored <script> injection in dispatch consoles" keeps its title. Plain text
is never HTML; every output escapes it (Jinja autoescape on pages, the HTML
part of e-mails and the report's HTML and PDF; JSON carries it as is).

Every text that comes in (plain or rich) also loses the characters a reader
cannot see but that change what they read: control characters (C0 and C1,
NUL included; tab and newline stay, a carriage return becomes a newline),
the bidirectional embedding, override and isolate controls (U+202A–U+202E,
U+2066–U+2069: "Trojan Source" spoofing, e.g. a title that displays as
"gnp.exe" but is "exe.png") and lone surrogates (not text; unstorable in
PostgreSQL). The left-to-right and right-to-left marks (U+200E, U+200F) and
the zero-width joiners stay: ordinary writing needs them and they cannot
reorder the text around them.
"""

import html
import re
import unicodedata

import bleach

RICH_TEXT_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre", "ul", "ol", "li", "h3", "h4", "a"}
)
RICH_TEXT_ATTRIBUTES = {"a": ["href", "title"]}
RICH_TEXT_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Elements whose content is code or styling, never text a reader wrote.
DROPPED_WITH_CONTENT = (
    "script",
    "style",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "noscript",
    "textarea",
    "select",
    "title",
)

_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile("\r\n?")
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_DROPPED_BLOCKS = re.compile(r"<\s*(" + "|".join(DROPPED_WITH_CONTENT) + r")\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)


def _set_link_rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


_rich_cleaner = bleach.Cleaner(
    tags=RICH_TEXT_TAGS,
    attributes=RICH_TEXT_ATTRIBUTES,
    protocols=RICH_TEXT_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def remove_hidden_characters(value):
    """`value` as text without the invisible controls listed above; markup and everything else untouched."""
    if value is None:
        return ""
    return _CONTROL_CHARACTERS.sub("", _LINE_BREAKS.sub("\n", str(value)))


def has_visible_text(value):
    """Whether `value` shows anything: spaces and invisible format marks (RLM, zero-width joiners) alone do not count."""
    return any(not character.isspace() and unicodedata.category(character) not in ("Cf", "Zs", "Zl", "Zp") for character in value or "")


def _drop_hidden_references(html_text):
    """Character references (&#x202E;) to hidden characters: in HTML they are the characters themselves."""

    def replace(match):
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        if 0x80 <= code <= 0x9F:  # browsers read these as Windows-1252 letters and signs, not controls
            return match.group(0)
        if code > 0x10FFFF or _CONTROL_CHARACTERS.fullmatch(chr(code)) or code == 0x0D:
            return ""
        return match.group(0)

    return _CHARACTER_REFERENCE.sub(replace, html_text)


def clean_rich_text(value):
    """Sanitised HTML for a rich-text field."""
    if not value:
        return ""
    text = _drop_hidden_references(remove_hidden_characters(value))
    text = _DROPPED_BLOCKS.sub("", text)
    cleaned = _rich_cleaner.clean(text)
    cleaned = bleach.linkify(cleaned, callbacks=[_set_link_rel], skip_tags=["pre", "code"], parse_email=False)
    return cleaned.strip()


def clean_plain_text(value, multiline=True):
    """Text as typed, less hidden characters and surrounding whitespace; one line unless `multiline`.

    Markup is left alone on purpose: plain text is escaped wherever it is shown, so stripping
    tags would only lose what the user wrote.
    """
    text = remove_hidden_characters(value)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


_BLANK_LINES = re.compile(r"[ \t]*\n\s*")  # bleach adds line breaks where it strips a block: one is enough
_BLOCK_ENDS = re.compile(r"<\s*(br|/p|/li|/h[34]|/blockquote|/pre)\s*/?>", re.IGNORECASE)


def rich_text_to_plain(value):
    """The words of a sanitised rich text, for search and for diffs: plain text, so escaped wherever shown.

    Entities are decoded once ("&lt;script&gt;" becomes the text "<script>" the writer typed), which is
    safe because the result is never treated as HTML again.
    """
    if not value:
        return ""
    text = _BLOCK_ENDS.sub("\n", value)
    text = bleach.clean(_DROPPED_BLOCKS.sub("", text), tags=set(), strip=True, strip_comments=True)
    return _BLANK_LINES.sub("\n", remove_hidden_characters(html.unescape(text))).strip()
