"""Sanitising user input on the way in (bleach), against a documented allow-list.

Rich text (contribution summaries, report syntheses) may use only:
  p, br, strong, em, b, i, u, s, sub, sup, blockquote, code, pre,
  ul, ol, li, h3, h4, a (href with http, https or mailto; title)
Everything else is removed with its attributes: no script, style, iframe,
object, svg, math, form, img, event handlers, style attributes or
javascript:/data: URLs. Links get rel="nofollow noopener noreferrer".

Plain text fields keep their text but lose any markup, so a value never
carries a tag whatever page or API client shows it.
"""
import html
import re

import bleach

RICH_TEXT_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre", "ul", "ol", "li", "h3", "h4", "a"}
)
RICH_TEXT_ATTRIBUTES = {"a": ["href", "title"]}
RICH_TEXT_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Elements whose content is code or styling, never text a reader wrote.
DROPPED_WITH_CONTENT = ("script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript", "textarea", "select", "title")

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DROPPED_BLOCKS = re.compile(
    r"<\s*(" + "|".join(DROPPED_WITH_CONTENT) + r")\b[^>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL
)


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


def clean_rich_text(value):
    """Sanitised HTML for a rich-text field."""
    if not value:
        return ""
    text = _CONTROL_CHARACTERS.sub("", str(value))
    text = _DROPPED_BLOCKS.sub("", text)
    cleaned = _rich_cleaner.clean(text)
    cleaned = bleach.linkify(cleaned, callbacks=[_set_link_rel], skip_tags=["pre", "code"], parse_email=False)
    return cleaned.strip()


def clean_plain_text(value, multiline=True):
    """Text without any markup: tags (even entity-encoded ones) are removed, the words kept."""
    if value is None:
        return ""
    text = _CONTROL_CHARACTERS.sub("", str(value))
    if not multiline:
        text = " ".join(text.split())
    # Repeat until stable so "&lt;script&gt;" cannot turn into a tag after unescaping.
    for _ in range(5):
        stripped = _DROPPED_BLOCKS.sub("", text)
        stripped = html.unescape(bleach.clean(stripped, tags=set(), strip=True, strip_comments=True))
        if stripped == text:
            break
        text = stripped
    return text.strip()


def rich_text_to_plain(value):
    """The words of a sanitised rich text, for search and for diffs."""
    return clean_plain_text(re.sub(r"<\s*(br|/p|/li|/h[34]|/blockquote)\s*/?>", "\n", value or "", flags=re.IGNORECASE))
