import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import app.timeutil as timeutil
from app.timeutil import as_utc, utcnow


def test_utcnow_is_aware_utc():
    assert utcnow().utcoffset() == timedelta(0)


def test_a_naive_moment_is_read_as_utc():
    assert as_utc(datetime(2026, 3, 1, 12, 0)) == datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


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


def test_community_models_still_offers_utcnow():
    from app.community.models import utcnow as reexported

    assert reexported is utcnow
