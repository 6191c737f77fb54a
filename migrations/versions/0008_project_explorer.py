"""project explorer: CORDIS facts on projects, their source and manual areas, call topics, contributions' call topic

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "call_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("opens", sa.Date(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("work_programme_year", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["thematic_areas.id"], name=op.f("fk_call_topics_area_id_thematic_areas"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_topics")),
        sa.UniqueConstraint("code", name=op.f("uq_call_topics_code")),
    )
    with op.batch_alter_table("call_topics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_topics_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_topics_deadline"), ["deadline"], unique=False)

    # SQLite rebuilds the table for the CHECK and the foreign key (projects is small before any import).
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("funding_scheme", sa.String(length=50), server_default="", nullable=False))
        batch_op.add_column(sa.Column("framework_programme", sa.String(length=50), server_default="", nullable=False))
        batch_op.add_column(sa.Column("topic_title", sa.String(length=500), server_default="", nullable=False))
        batch_op.add_column(sa.Column("legal_basis_title", sa.String(length=500), server_default="", nullable=False))
        batch_op.add_column(sa.Column("rcn", sa.String(length=20), server_default="", nullable=False))
        batch_op.add_column(sa.Column("grant_doi", sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("content_updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=16), server_default="manual", nullable=False))
        batch_op.add_column(sa.Column("areas_manual", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_projects_funding_scheme"), ["funding_scheme"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_projects_created_by_id_users"), "users", ["created_by_id"], ["id"], ondelete="SET NULL")
        batch_op.create_check_constraint(batch_op.f("ck_projects_source_known"), "source IN ('cordis', 'manual')")
    # Projects that came with a CORDIS id came from CORDIS.
    op.execute("UPDATE projects SET source = 'cordis' WHERE cordis_id IS NOT NULL")

    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_topic_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_contributions_call_topic_id"), ["call_topic_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contributions_call_topic_id_call_topics"), "call_topics", ["call_topic_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_contributions_call_topic_id_call_topics"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_contributions_call_topic_id"))
        batch_op.drop_column("call_topic_id")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_projects_source_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_projects_created_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_projects_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_projects_funding_scheme"))
        batch_op.drop_column("created_by_id")
        batch_op.drop_column("areas_manual")
        batch_op.drop_column("source")
        batch_op.drop_column("content_updated_at")
        batch_op.drop_column("grant_doi")
        batch_op.drop_column("rcn")
        batch_op.drop_column("legal_basis_title")
        batch_op.drop_column("topic_title")
        batch_op.drop_column("framework_programme")
        batch_op.drop_column("funding_scheme")

    with op.batch_alter_table("call_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_topics_deadline"))
        batch_op.drop_index(batch_op.f("ix_call_topics_area_id"))

    op.drop_table("call_topics")
