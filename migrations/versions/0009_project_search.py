"""project search: full-text index over acronym, title and objective

PostgreSQL: a GIN index on the weighted document that app/projects/search.py
queries (the expressions must stay identical, or the index goes unused).
SQLite: an FTS5 external-content table over projects, kept in step by triggers
(imports write in bulk, past the ORM), filled from the projects already there.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, acronym), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, title), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, objective), 'C')"
)

TRIGGERS = {
    "projects_fts_insert": """
        CREATE TRIGGER projects_fts_insert AFTER INSERT ON projects BEGIN
            INSERT INTO projects_fts (rowid, acronym, title, objective) VALUES (new.id, new.acronym, new.title, new.objective);
        END""",
    "projects_fts_delete": """
        CREATE TRIGGER projects_fts_delete AFTER DELETE ON projects BEGIN
            INSERT INTO projects_fts (projects_fts, rowid, acronym, title, objective)
            VALUES ('delete', old.id, old.acronym, old.title, old.objective);
        END""",
    "projects_fts_update": """
        CREATE TRIGGER projects_fts_update AFTER UPDATE OF acronym, title, objective ON projects BEGIN
            INSERT INTO projects_fts (projects_fts, rowid, acronym, title, objective)
            VALUES ('delete', old.id, old.acronym, old.title, old.objective);
            INSERT INTO projects_fts (rowid, acronym, title, objective) VALUES (new.id, new.acronym, new.title, new.objective);
        END""",
}


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_projects_search ON projects USING gin (({DOCUMENT}))")
        return
    op.execute(
        "CREATE VIRTUAL TABLE projects_fts USING fts5(acronym, title, objective, content='projects', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    for statement in TRIGGERS.values():
        op.execute(statement)
    op.execute("INSERT INTO projects_fts (projects_fts) VALUES ('rebuild')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_projects_search")
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS projects_fts")
