"""project search speed: a small index on acronym and title, and narrow rows

PostgreSQL only (SQLite's FTS5 table ranks by itself):
- a GIN index on the acronym and title alone, which app/projects/search.py
  uses to find the matches that relevance ranks first (the expression must
  stay identical to its `_headline_document()`);
- toast_tuple_target on projects, so each row keeps only short values and the
  long texts live in TOAST storage: counting facets over thousands of matches
  then reads a few megabytes instead of the whole table. Rows written before
  this migration are rewritten once (VACUUM FULL) when there are any.

Revision ID: 0012_project_search_speed
Revises: 0011_contribution_call_topic
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_project_search_speed"
down_revision = "0011_contribution_call_topic"
branch_labels = None
depends_on = None

HEADLINE = "setweight(to_tsvector('simple'::regconfig, acronym), 'A') || setweight(to_tsvector('simple'::regconfig, title), 'B')"
# Kept here rather than imported: a migration must not change when the models do.
TOAST_TUPLE_TARGET = 256


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_projects_search_headline ON projects USING gin (({HEADLINE}))")
    op.execute(f"ALTER TABLE projects SET (toast_tuple_target = {TOAST_TUPLE_TARGET})")
    if op.get_bind().scalar(sa.text("SELECT EXISTS (SELECT 1 FROM projects)")):
        # The new target applies to rows as they are written: rewrite those already there.
        with op.get_context().autocommit_block():
            op.execute("VACUUM FULL projects")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE projects RESET (toast_tuple_target)")
    op.execute("DROP INDEX IF EXISTS ix_projects_search_headline")
