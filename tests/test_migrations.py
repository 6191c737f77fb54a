"""The migrations build exactly the schema the models describe, and go down and up again.

Each test migrates a database of its own, empty at the start and removed at
the end, with the real command line (`flask --app wsgi db ...`) as an
operator would: upgrade, compare with the models, downgrade to base, upgrade
again, compare again. PostgreSQL (strict: types and server defaults too) on
PostgreSQL runs; SQLite (tables, columns, types) on every run.
"""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def flask_db(database_url, *args):
    """`flask --app wsgi db ARGS` against `database_url`, with nothing else configured."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "FLASK_"))}
    env.update(DATABASE_URL=database_url, REDIS_URL="", MAIL_SERVER="", RATELIMIT_STORAGE_URI="memory://")
    # Production (a database server) needs both to start.
    env.update(SECRET_KEY="test-secret-key-not-for-production", PUBLIC_BASE_URL="http://127.0.0.1:5000")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"flask db {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _engine_url(url):
    """psycopg 3 for PostgreSQL URLs, as the app does."""
    parts = sa.engine.make_url(url)
    if parts.get_backend_name() == "postgresql":
        parts = parts.set(drivername="postgresql+psycopg")
    return parts


@pytest.fixture
def empty_postgres():
    """A new, empty PostgreSQL database; dropped at the end."""
    import psycopg

    assert TEST_DATABASE_URL, "postgres_only tests run only with TEST_DATABASE_URL"
    admin_url = sa.engine.make_url(TEST_DATABASE_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"ceris_migrations_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def schema_differences(database_url, **options):
    """What Alembic's autogenerate would change to make the database match the models."""
    from app.extensions import db

    engine = sa.create_engine(_engine_url(database_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "compare_server_default": True, **options}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def assert_schema_matches_the_models(database_url, **options):
    differences = schema_differences(database_url, **options)
    assert not differences, (
        "the migrations and the models differ; add a migration (flask --app wsgi db migrate -m ...) "
        "and check it by hand:\n" + "\n".join(f"  {difference!r}" for difference in differences)
    )


def assert_down_to_base_and_up_again(database_url):
    from app.extensions import db

    model_tables = {table.name for table in db.metadata.sorted_tables}
    assert model_tables <= table_names(database_url)

    flask_db(database_url, "downgrade", "base")
    assert table_names(database_url) <= {"alembic_version"}, "downgrade base left tables behind"

    flask_db(database_url, "upgrade")
    assert model_tables <= table_names(database_url)
    assert current_revisions(database_url) == head_revisions()


@pytest.mark.postgres_only
def test_migrations_make_the_schema_of_the_models_on_postgresql(empty_postgres):
    flask_db(empty_postgres, "upgrade")
    assert_schema_matches_the_models(empty_postgres)

    assert_down_to_base_and_up_again(empty_postgres)
    assert_schema_matches_the_models(empty_postgres)


# SQLite reflects server defaults too loosely to compare them, and cannot
# reflect expression indexes; tables, columns and types it compares well.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_make_the_tables_and_columns_of_the_models_on_sqlite_and_go_down_and_up(tmp_path):
    from app.contributions.search import FTS_TABLE

    def not_full_text_search(name, type_, _parent):
        # The FTS5 table (and its shadow tables) is SQLite's search index, made by the migration alone.
        return not (type_ == "table" and name.startswith(FTS_TABLE))

    database_url = "sqlite:///" + str(tmp_path / "migrations.sqlite")
    flask_db(database_url, "upgrade")
    assert_schema_matches_the_models(database_url, compare_server_default=False, include_name=not_full_text_search)

    assert_down_to_base_and_up_again(database_url)
    assert_schema_matches_the_models(database_url, compare_server_default=False, include_name=not_full_text_search)


def table_names(database_url):
    engine = sa.create_engine(_engine_url(database_url))
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current_revisions(database_url):
    engine = sa.create_engine(_engine_url(database_url))
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sa.text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def head_revisions():
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())
