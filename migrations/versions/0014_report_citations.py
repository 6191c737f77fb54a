"""report_citations: which revision of which contribution each published report version cites

Revision ID: 0014_report_citations
Revises: 0013_subscription_topics

Versions published before this revision are read back from their JSON export
(its "sources": contribution id and revision) when the file is there; a
version whose file is missing cites nothing until it is published again.
"""

import json
import os

import sqlalchemy as sa
from alembic import op

revision = "0014_report_citations"
down_revision = "0013_subscription_topics"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_citations",
        sa.Column("report_version_id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_version_id"],
            ["report_versions.id"],
            name=op.f("fk_report_citations_report_version_id_report_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"], ["contributions.id"], name=op.f("fk_report_citations_contribution_id_contributions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("report_version_id", "contribution_id", name=op.f("pk_report_citations")),
    )
    op.create_index("ix_report_citations_contribution_revision", "report_citations", ["contribution_id", "revision"])
    _cite_published_versions()


def _reports_folder():
    try:
        from flask import current_app

        folder = current_app.config.get("REPORTS_FOLDER") or os.path.join(current_app.instance_path, "reports")
    except RuntimeError:  # no app (offline SQL): nothing to read
        return None
    return os.path.abspath(folder)


def _cite_published_versions():
    root = _reports_folder()
    if root is None or not os.path.isdir(root):
        return
    bind = op.get_bind()
    versions = bind.execute(sa.text("SELECT id, json_path FROM report_versions")).all()
    existing = {row[0] for row in bind.execute(sa.text("SELECT id FROM contributions"))} if versions else set()
    rows = []
    for version_id, json_path in versions:
        path = os.path.abspath(os.path.join(root, json_path or ""))
        if os.path.commonpath([root, path]) != root or not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8") as handle:
                sources = json.load(handle).get("sources") or []
        except (OSError, ValueError, AttributeError):
            continue
        cited = {}
        for source in sources:
            contribution_id, number = source.get("contribution_id"), source.get("revision")
            if isinstance(contribution_id, int) and isinstance(number, int) and contribution_id in existing:
                cited[contribution_id] = number
        rows.extend({"report_version_id": version_id, "contribution_id": key, "revision": value} for key, value in cited.items())
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO report_citations (report_version_id, contribution_id, revision) VALUES (:report_version_id, :contribution_id, :revision)"
            ),
            rows,
        )


def downgrade():
    op.drop_index("ix_report_citations_contribution_revision", table_name="report_citations")
    op.drop_table("report_citations")
