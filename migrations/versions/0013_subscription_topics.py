"""subscription topics (published reports, workshop calls opening); extra header lines on outbox messages

A subscriber chooses what to hear about: published reports and/or workshop
calls for inputs opening, at least one (CHECK topic_chosen). Subscriptions
made before this revision heard about published reports only, and still do
(server defaults: reports true, workshop calls false).

Outbox messages gain `headers` (JSON, NULL for none): the extra header lines
an e-mail carries, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058).

SQLite changes the subscriptions table by copying it, and dropping the old
copy (with foreign keys on) would empty its area links (ON DELETE CASCADE):
they are read before and written back after. Going down, a subscription that
asked for workshop calls only is ended (it would otherwise hear about reports).

Revision ID: 0013_subscription_topics
Revises: 0012_project_search_speed
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_subscription_topics"
down_revision = "0012_project_search_speed"
branch_labels = None
depends_on = None


def _area_links(bind):
    """The subscriptions' area links, to write back after SQLite's copy of the table (PostgreSQL alters in place)."""
    if bind.dialect.name != "sqlite":
        return []
    return [
        {"subscription_id": subscription_id, "area_id": area_id}
        for subscription_id, area_id in bind.execute(sa.text("SELECT subscription_id, area_id FROM subscription_areas"))
    ]


def _restore(bind, links):
    if links:
        bind.execute(sa.text("DELETE FROM subscription_areas"))
        bind.execute(sa.text("INSERT INTO subscription_areas (subscription_id, area_id) VALUES (:subscription_id, :area_id)"), links)


def upgrade():
    bind = op.get_bind()
    links = _area_links(bind)
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wants_reports", sa.Boolean(), server_default=sa.text("true"), nullable=False))
        batch_op.add_column(sa.Column("wants_workshop_calls", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch_op.create_check_constraint(batch_op.f("ck_subscriptions_topic_chosen"), "wants_reports OR wants_workshop_calls")
    _restore(bind, links)

    # A nullable column: a plain ALTER TABLE on both databases.
    op.add_column("outbox_messages", sa.Column("headers", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("outbox_messages", "headers")

    bind = op.get_bind()
    # Without topics every subscription hears about reports: one that asked for workshop calls only never asked for them.
    bind.execute(
        sa.text(
            "UPDATE subscriptions SET state = 'unsubscribed', unsubscribed_at = CURRENT_TIMESTAMP WHERE NOT wants_reports AND state = 'active'"
        )
    )
    links = _area_links(bind)
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_subscriptions_topic_chosen"), type_="check")
        batch_op.drop_column("wants_workshop_calls")
        batch_op.drop_column("wants_reports")
    _restore(bind, links)
