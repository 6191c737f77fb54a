"""Readable differences between two revisions of a contribution, field by field."""

import difflib
from dataclasses import dataclass

from app.contributions.types import TYPES
from app.i18n import lazy_gettext as _l
from app.sanitising import rich_text_to_plain


@dataclass
class FieldChange:
    label: str
    pieces: list  # (kind, text) with kind in "same", "added", "removed"

    @property
    def changed(self):
        return any(kind != "same" for kind, _text in self.pieces)


def _as_text(spec_field, value):
    if value in (None, "", []):
        return ""
    if spec_field is not None and spec_field.kind == "multi_choice":
        return ", ".join(str(spec_field.choice_label(item)) for item in value)
    if spec_field is not None and spec_field.kind == "choice":
        return str(spec_field.choice_label(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _word_diff(old, new):
    old_words, new_words = old.split(" "), new.split(" ")
    pieces = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(old_words[i1:i2])))
            continue
        if tag in ("replace", "delete"):
            pieces.append(("removed", " ".join(old_words[i1:i2])))
        if tag in ("replace", "insert"):
            pieces.append(("added", " ".join(new_words[j1:j2])))
    return pieces


def compare(old, new):
    """FieldChange list between two ContributionRevision rows of the same contribution."""
    spec = TYPES[new.contribution.type]
    rows = [
        (_l("Title"), None, old.title, new.title),
        (_l("Summary"), None, rich_text_to_plain(old.summary), rich_text_to_plain(new.summary)),
        (_l("Thematic areas"), None, old.area_codes, new.area_codes),
        (_l("Linked projects"), None, old.project_ids, new.project_ids),
        (_l("References"), None, [ref["url"] for ref in old.references], [ref["url"] for ref in new.references]),
    ] + [(field.label, field, old.fields.get(field.name), new.fields.get(field.name)) for field in spec.fields]
    return [FieldChange(str(label), _word_diff(_as_text(field, before), _as_text(field, after))) for label, field, before, after in rows]
