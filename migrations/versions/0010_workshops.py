"""workshops: several areas, start and end times with a time zone, agenda, capacity, a timed call for inputs, outcome

The dates become moments (timestamptz): an existing workshop held on a day
becomes 09:00 to 17:00 that day in Europe/Brussels (the platform's zone); its
call opens at the start of its opening day and closes at the end of its
closing day there, asking for every contribution type (the old call asked for
any). Its one area becomes its first row in workshop_areas. A workshop with no
day takes the day it was created. Going down keeps the first area, the day
and the call's days.

SQLite changes the table by copying it, and dropping the old copy (with
foreign keys on) would empty the columns that point at workshops (ON DELETE
SET NULL) and the area links (CASCADE): those are read before and written
back after, and the area links are made once the copy is done.

Revision ID: 0010_workshops
Revises: 0009
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0010_workshops"
down_revision = "0009"
branch_labels = None
depends_on = None

ZONE = ZoneInfo("Europe/Brussels")
# The contribution types when this revision was written (app/contributions/types.py).
ALL_TYPES = ["capability_gap", "technology", "outcome", "exploitation", "standardisation", "trend"]


def _as_date(value):
    if value is None or isinstance(value, datetime):
        return value.date() if value is not None else None
    if isinstance(value, str):
        return datetime.fromisoformat(value[:10]).date()
    return value


def _aware(moment):
    """A stored moment as an aware UTC datetime (SQLite hands back naive ones, or text)."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment):
    return moment.astimezone(ZONE).date() if moment is not None else None


# Columns that point at workshops with ON DELETE SET NULL.
REFERENCES = (("contributions", "workshop_id"), ("report_sections", "workshop_id"))


def _references(bind):
    """What points at workshops, to write back after SQLite's copy of the table (PostgreSQL alters in place)."""
    if bind.dialect.name != "sqlite":
        return {}
    return {
        (table, column): [
            {"row": row_id, "workshop": workshop_id}
            for row_id, workshop_id in bind.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL"))  # noqa: S608 - names from REFERENCES
        ]
        for table, column in REFERENCES
    }


def _restore(bind, saved):
    for (table, column), rows in saved.items():
        if rows:
            bind.execute(sa.text(f"UPDATE {table} SET {column} = :workshop WHERE id = :row"), rows)  # noqa: S608 - names from REFERENCES


def _at(day, clock):
    return datetime.combine(day, clock, tzinfo=ZONE).astimezone(UTC)


def upgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), server_default="Europe/Brussels", nullable=False))
        batch_op.add_column(sa.Column("agenda", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("call_opens_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("call_closes_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("call_types", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("call_announced_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome_summary", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("outcome_published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    workshops = sa.table(
        "workshops",
        sa.column("id", sa.Integer),
        sa.column("held_on", sa.Date),
        sa.column("call_opens", sa.Date),
        sa.column("call_closes", sa.Date),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("starts_at", sa.DateTime(timezone=True)),
        sa.column("ends_at", sa.DateTime(timezone=True)),
        sa.column("call_opens_at", sa.DateTime(timezone=True)),
        sa.column("call_closes_at", sa.DateTime(timezone=True)),
        sa.column("call_types", sa.JSON),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(workshops.c.id, workshops.c.held_on, workshops.c.call_opens, workshops.c.call_closes, workshops.c.created_at)
    )
    for row in rows.all():
        day = _as_date(row.held_on) or _as_date(row.created_at) or datetime.now(UTC).date()
        opens, closes = _as_date(row.call_opens), _as_date(row.call_closes)
        has_call = opens is not None and closes is not None
        bind.execute(
            workshops.update()
            .where(workshops.c.id == row.id)
            .values(
                starts_at=_at(day, time(9)),
                ends_at=_at(day, time(17)),
                call_opens_at=_at(opens, time.min) if has_call else None,
                call_closes_at=_at(closes + timedelta(days=1), time.min) if has_call else None,
                call_types=ALL_TYPES if has_call else [],
                updated_at=datetime.now(UTC),
            )
        )

    links = [{"workshop_id": row.id, "area_id": row.area_id} for row in bind.execute(sa.text("SELECT id, area_id FROM workshops"))]
    saved = _references(bind)
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_workshops_call_window_ordered"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_workshops_area_id_thematic_areas"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_workshops_area_id"))
        batch_op.drop_column("area_id")
        batch_op.drop_column("held_on")
        batch_op.drop_column("call_opens")
        batch_op.drop_column("call_closes")
        batch_op.alter_column("starts_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("ends_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("call_types", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f("ix_workshops_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_workshops_ends_at"), ["ends_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_workshops_chair_id"), ["chair_id"], unique=False)
        batch_op.create_check_constraint(batch_op.f("ck_workshops_ends_after_start"), "ends_at >= starts_at")
        batch_op.create_check_constraint(
            batch_op.f("ck_workshops_call_window_ordered"),
            "(call_opens_at IS NULL AND call_closes_at IS NULL)"
            " OR (call_opens_at IS NOT NULL AND call_closes_at IS NOT NULL AND call_closes_at >= call_opens_at)",
        )
        batch_op.create_check_constraint(batch_op.f("ck_workshops_capacity_positive"), "capacity IS NULL OR capacity >= 1")
    _restore(bind, saved)

    op.create_table(
        "workshop_areas",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["thematic_areas.id"], name=op.f("fk_workshop_areas_area_id_thematic_areas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name=op.f("fk_workshop_areas_workshop_id_workshops"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("workshop_id", "area_id", name=op.f("pk_workshop_areas")),
    )
    with op.batch_alter_table("workshop_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_workshop_areas_area_id"), ["area_id"], unique=False)
    if links:
        op.get_bind().execute(sa.text("INSERT INTO workshop_areas (workshop_id, area_id) VALUES (:workshop_id, :area_id)"), links)


def downgrade():
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("held_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("call_opens", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("call_closes", sa.Date(), nullable=True))

    workshops = sa.table(
        "workshops",
        sa.column("id", sa.Integer),
        sa.column("area_id", sa.Integer),
        sa.column("held_on", sa.Date),
        sa.column("call_opens", sa.Date),
        sa.column("call_closes", sa.Date),
        sa.column("starts_at", sa.DateTime(timezone=True)),
        sa.column("call_opens_at", sa.DateTime(timezone=True)),
        sa.column("call_closes_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    first_area = {}
    for workshop_id, area_id in bind.execute(sa.text("SELECT workshop_id, area_id FROM workshop_areas ORDER BY workshop_id, area_id")):
        first_area.setdefault(workshop_id, area_id)
    fallback_area = bind.execute(sa.text("SELECT min(id) FROM thematic_areas")).scalar()
    rows = bind.execute(sa.select(workshops.c.id, workshops.c.starts_at, workshops.c.call_opens_at, workshops.c.call_closes_at))
    for row in rows.all():
        closes = _aware(row.call_closes_at)
        bind.execute(
            workshops.update()
            .where(workshops.c.id == row.id)
            .values(
                area_id=first_area.get(row.id, fallback_area),
                held_on=_day(_aware(row.starts_at)),
                call_opens=_day(_aware(row.call_opens_at)),
                # The last day the call was open (it closed at the start of the next, or during this one).
                call_closes=_day(closes - timedelta(microseconds=1)) if closes is not None else None,
            )
        )

    saved = _references(bind)
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_workshops_capacity_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_workshops_call_window_ordered"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_workshops_ends_after_start"), type_="check")
        batch_op.drop_index(batch_op.f("ix_workshops_chair_id"))
        batch_op.drop_index(batch_op.f("ix_workshops_ends_at"))
        batch_op.drop_index(batch_op.f("ix_workshops_starts_at"))
        for name in (
            "version",
            "updated_at",
            "outcome_published_at",
            "outcome_summary",
            "call_announced_at",
            "call_types",
            "call_closes_at",
            "call_opens_at",
            "capacity",
            "agenda",
            "time_zone",
            "ends_at",
            "starts_at",
        ):
            batch_op.drop_column(name)
        batch_op.alter_column("area_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f("ix_workshops_area_id"), ["area_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_workshops_area_id_thematic_areas"), "thematic_areas", ["area_id"], ["id"])
        batch_op.create_check_constraint(
            batch_op.f("ck_workshops_call_window_ordered"), "call_closes IS NULL OR call_opens IS NULL OR call_closes >= call_opens"
        )
    _restore(bind, saved)

    with op.batch_alter_table("workshop_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_areas_area_id"))
    op.drop_table("workshop_areas")
