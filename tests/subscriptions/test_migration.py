"""Migration 0013_subscription_topics: subscriptions made before it keep hearing about reports (only), and keep their areas.

SQLite copies the subscriptions table to add the CHECK, and dropping the old copy with foreign keys on would
empty subscription_areas (ON DELETE CASCADE): the migration writes the links back; this test holds it to that.
"""

import sqlalchemy as sa

from tests.test_migrations import flask_db

BEFORE = "0012_project_search_speed"
REVISION = "0013_subscription_topics"


def test_existing_subscriptions_keep_reports_and_their_areas_up_and_down(tmp_path):
    url = "sqlite:///" + str(tmp_path / "topics.sqlite")
    flask_db(url, "upgrade", BEFORE)
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO thematic_areas (id, code, name, description, position) VALUES (1, 'BM', 'Border', '', 1)")
            )
            connection.execute(
                sa.text(
                    "INSERT INTO subscriptions (id, email, state, locale, created_at, confirmed_at)"
                    " VALUES (1, 'ana@example.eu', 'active', 'fr', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            connection.execute(sa.text("INSERT INTO subscription_areas (subscription_id, area_id) VALUES (1, 1)"))

        flask_db(url, "upgrade", REVISION)
        with engine.begin() as connection:
            row = connection.execute(sa.text("SELECT email, state, locale, wants_reports, wants_workshop_calls FROM subscriptions")).one()
            assert tuple(row) == ("ana@example.eu", "active", "fr", 1, 0)
            assert connection.execute(sa.text("SELECT subscription_id, area_id FROM subscription_areas")).all() == [(1, 1)]
            # One asking for workshop calls only, after the upgrade.
            connection.execute(
                sa.text(
                    "INSERT INTO subscriptions (id, email, state, locale, created_at, confirmed_at, wants_reports, wants_workshop_calls)"
                    " VALUES (2, 'ben@example.eu', 'active', '', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 0, 1)"
                )
            )
            connection.execute(sa.text("INSERT INTO subscription_areas (subscription_id, area_id) VALUES (2, 1)"))

        flask_db(url, "downgrade", BEFORE)
        with engine.begin() as connection:
            states = connection.execute(sa.text("SELECT email, state FROM subscriptions ORDER BY id")).all()
            # Without topics every subscription hears about reports: the one that never asked for them is ended.
            assert states == [("ana@example.eu", "active"), ("ben@example.eu", "unsubscribed")]
            assert connection.execute(sa.text("SELECT subscription_id, area_id FROM subscription_areas ORDER BY 1")).all() == [
                (1, 1),
                (2, 1),
            ]
    finally:
        engine.dispose()
