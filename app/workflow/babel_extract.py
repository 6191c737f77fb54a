"""Babel extraction for workflow files (workflows/*.toml): their titles, labels and descriptions.

Registered in babel.cfg, so `pybabel extract -F babel.cfg` puts every text a
person reads from a workflow file into the catalogue, each with a comment
naming the file, the table and the key ("contribution.toml [transitions.submit]
history_label"). Which keys are text for people is declared once, beside the
loader's schema (definition.TRANSLATED_KEYS); a transition without a label gets
the label the loader gives it, so what is shown is what is extracted.

The file is read with tomllib, not loaded as a workflow: extraction must not
import the hooks modules (nor need an app), and a file the loader refuses
still yields its texts.
"""

import re
import tomllib
from pathlib import Path

from app.workflow.definition import TRANSLATED_KEYS, default_transition_label

_HEADER = re.compile(r"^\s*\[(?!\[)(?P<path>[^\]]+)\]\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?P<quote>["']?)(?P<key>[A-Za-z0-9_-]+)(?P=quote)\s*=""")
_MULTILINE = re.compile(r'"""|\'\'\'')


def _table_path(text):
    """`states.under_way` or `states."under_way"` -> ("states", "under_way")."""
    return tuple(part.strip().strip("\"'") for part in text.split("."))


def _key_lines(text):
    """{(table path, key): line number} and {table path: header line number}, 1-based.

    Lines inside multi-line strings are skipped, so a value that looks like `key =` is not taken for a key.
    """
    keys, headers = {}, {(): 1}
    table, in_multiline = (), False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = len(_MULTILINE.findall(line))
        if in_multiline:
            in_multiline = quotes % 2 == 0
            continue
        header = _HEADER.match(line)
        if header:
            table = _table_path(header.group("path"))
            headers.setdefault(table, number)
        else:
            key = _KEY.match(line)
            if key:
                keys.setdefault((table, key.group("key")), number)
        in_multiline = quotes % 2 == 1
    return keys, headers


def workflow_texts(raw):
    """(table path, key, text) of every text for people in a parsed workflow file, in file order.

    A transition without `label` or `history_label` yields the label the loader gives it instead (key marked
    "(default)"); a file without `title` yields its name, which the loader uses as the title.
    """
    texts = []
    for key in TRANSLATED_KEYS["top level"]:
        if isinstance(raw.get(key), str):
            texts.append(((), key, raw[key]))
    if "title" not in raw and isinstance(raw.get("name"), str):
        texts.append(((), "title (default)", raw["name"]))
    for state_name, table in _tables(raw, "states"):
        for key in TRANSLATED_KEYS["state"]:
            if isinstance(table.get(key), str):
                texts.append((("states", state_name), key, table[key]))
    for transition_name, table in _tables(raw, "transitions"):
        path = ("transitions", transition_name)
        for key in TRANSLATED_KEYS["transition"]:
            if isinstance(table.get(key), str):
                texts.append((path, key, table[key]))
        if "label" not in table:
            texts.append((path, "label (default)", default_transition_label(transition_name)))
    return texts


def _tables(raw, name):
    tables = raw.get(name)
    if not isinstance(tables, dict):
        return []
    return [(key, table) for key, table in tables.items() if isinstance(table, dict)]


def extract(fileobj, keywords, comment_tags, options):
    """Babel's extraction method: yields (line number, None, message, [comment]) for each text of the file."""
    text = fileobj.read()
    if isinstance(text, bytes):
        text = text.decode(options.get("encoding", "utf-8") if options else "utf-8")
    file_name = Path(getattr(fileobj, "name", "") or "workflow.toml").name
    # A broken file is the loader's to refuse, with a message naming it; extraction does not stop on it.
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    keys, headers = _key_lines(text)
    for path, key, message in workflow_texts(raw):
        if not message.strip():
            continue
        plain_key = key.removesuffix(" (default)")
        line = keys.get((path, plain_key)) or headers.get(path) or 1
        table = f"[{'.'.join(path)}]" if path else "top level"
        yield line, None, message, [f"workflow {file_name} {table} {key}"]
