"""workshop_registrations: members registered to attend a workshop, and its waiting list

One row per member and workshop; `place_given_at` NULL means waiting (in
`registered_at` order). A cancelled registration is deleted.

Revision ID: 0015_workshop_registrations
Revises: 0014_report_citations
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_workshop_registrations"
down_revision = "0014_report_citations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "workshop_registrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_workshop_registrations_workshop_id_workshops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_workshop_registrations_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_registrations")),
        sa.UniqueConstraint("workshop_id", "user_id", name=op.f("uq_workshop_registrations_workshop_id")),
    )
    op.create_index(
        "ix_workshop_registrations_list", "workshop_registrations", ["workshop_id", "place_given_at", "registered_at"], unique=False
    )
    op.create_index(op.f("ix_workshop_registrations_user_id"), "workshop_registrations", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_workshop_registrations_user_id"), table_name="workshop_registrations")
    op.drop_index("ix_workshop_registrations_list", table_name="workshop_registrations")
    op.drop_table("workshop_registrations")
