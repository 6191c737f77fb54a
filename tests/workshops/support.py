"""Workshops for tests, with their times relative to now (hours), committed."""

from datetime import timedelta

from app.community.models import ThematicArea
from app.extensions import db
from app.timeutil import utcnow
from app.workshops.models import Workshop

HOUR = timedelta(hours=1)


def make_workshop(
    title="Drones at the green border",
    areas=("BM",),
    starts_in=240,
    lasts=8,
    call=(-24, 48),
    types=("capability_gap",),
    chair_id=None,
    **attributes,
):
    """A workshop starting `starts_in` hours from now; its call opens and closes at `call` hours from now (None: no call)."""
    now = utcnow()
    workshop = Workshop(
        title=title,
        starts_at=now + starts_in * HOUR,
        ends_at=now + (starts_in + lasts) * HOUR,
        time_zone=attributes.pop("time_zone", "Europe/Brussels"),
        place=attributes.pop("place", "Brussels"),
        call_opens_at=now + call[0] * HOUR if call else None,
        call_closes_at=now + call[1] * HOUR if call else None,
        call_types=list(types) if call else [],
        chair_id=chair_id,
        **attributes,
    )
    workshop.areas = db.session.scalars(db.select(ThematicArea).where(ThematicArea.code.in_(list(areas)))).all()
    db.session.add(workshop)
    db.session.commit()
    return workshop
