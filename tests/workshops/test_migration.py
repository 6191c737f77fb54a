"""Revision 0010_workshops on a database that holds workshops: the rows come through, up and down again."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.test_migrations import _engine_url, flask_db, new_postgres_database


def _insert_old_workshops(url):
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO thematic_areas (id, code, name, description, position) VALUES (7, 'BM', 'Border', '', 1)")
            )
            created = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
            connection.execute(
                sa.text(
                    "INSERT INTO workshops (id, area_id, title, description, held_on, place, online_url, call_opens, call_closes, created_at)"
                    " VALUES (:id, 7, :title, '', :held_on, 'Brussels', '', :opens, :closes, :created)"
                ),
                [
                    {
                        "id": 1,
                        "title": "With a call",
                        "held_on": date(2026, 6, 10),
                        "opens": date(2026, 3, 1),
                        "closes": date(2026, 3, 31),
                        "created": created,
                    },
                    {"id": 2, "title": "No day, no call", "held_on": None, "opens": None, "closes": None, "created": created},
                ],
            )
            # A contribution made for the first one: it must keep pointing at it.
            connection.execute(
                sa.text("INSERT INTO users (id, email, name, created_at) VALUES (3, 'a@example.eu', 'A', :at)"), {"at": created}
            )
            connection.execute(
                sa.text(
                    'INSERT INTO contributions (id, type, title, fields, "references", author_id, workshop_id, created_at, updated_at)'
                    " VALUES (5, 'trend', 'T', '{}', '[]', 3, 1, :at, :at)"
                ),
                {"at": created},
            )
    finally:
        engine.dispose()


def _rows(url, sql):
    engine = sa.create_engine(_engine_url(url))
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _check_up_and_down(url):
    flask_db(url, "upgrade", "0009")
    _insert_old_workshops(url)
    flask_db(url, "upgrade", "0010_workshops")

    rows = {row["id"]: row for row in _rows(url, "SELECT * FROM workshops ORDER BY id")}
    # 09:00 to 17:00 in Brussels (summer time, UTC+2); the call from the first day's start to the last day's end.
    assert _utc(rows[1]["starts_at"]) == datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
    assert _utc(rows[1]["ends_at"]) == datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
    assert _utc(rows[1]["call_opens_at"]) == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert _utc(rows[1]["call_closes_at"]) == datetime(2026, 3, 31, 22, 0, tzinfo=UTC)
    assert rows[1]["time_zone"] == "Europe/Brussels"
    # No day: the day it was created; no call: no window and no types.
    assert _utc(rows[2]["starts_at"]) == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    assert rows[2]["call_opens_at"] is None and rows[2]["call_closes_at"] is None
    assert _rows(url, "SELECT workshop_id, area_id FROM workshop_areas ORDER BY workshop_id") == [
        {"workshop_id": 1, "area_id": 7},
        {"workshop_id": 2, "area_id": 7},
    ]

    assert _rows(url, "SELECT workshop_id FROM contributions") == [{"workshop_id": 1}]

    flask_db(url, "downgrade", "0009")
    assert _rows(url, "SELECT workshop_id FROM contributions") == [{"workshop_id": 1}]
    rows = {row["id"]: row for row in _rows(url, "SELECT * FROM workshops ORDER BY id")}
    assert rows[1]["area_id"] == 7
    assert str(rows[1]["held_on"]) == "2026-06-10"
    assert str(rows[1]["call_opens"]) == "2026-03-01"
    assert str(rows[1]["call_closes"]) == "2026-03-31"
    assert rows[2]["call_opens"] is None


def test_workshops_come_through_the_migration_on_sqlite(tmp_path):
    _check_up_and_down("sqlite:///" + str(tmp_path / "rows.sqlite"))


@pytest.mark.postgres_only
def test_workshops_come_through_the_migration_on_postgresql():
    with new_postgres_database() as url:
        _check_up_and_down(url)
