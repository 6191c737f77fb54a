import ast
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import app.timeutil as timeutil
from app.timeutil import as_utc, utcnow


def test_utcnow_is_aware_utc():
    assert utcnow().utcoffset() == timedelta(0)


def test_a_naive_moment_is_read_as_utc():
    assert as_utc(datetime(2026, 3, 1, 12, 0)) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_an_aware_moment_is_kept():
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(moment) is moment


def test_none_stays_none():
    assert as_utc(None) is None


def test_the_module_imports_nothing_of_the_app():
    # Anything may import it; it may import nothing that could import back.
    tree = ast.parse(Path(timeutil.__file__).read_text())
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name == "app" or name.startswith("app.")]


def test_every_module_takes_the_time_helpers_from_timeutil():
    # One home for them: importing utcnow from a feature's models would tie that feature to the importer.
    root = Path(timeutil.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module != "app.timeutil"
                and {"utcnow", "as_utc"} & {alias.name for alias in node.names}
            ):
                offenders.append(f"{path.relative_to(root.parent)}: from {node.module}")
    assert not offenders
