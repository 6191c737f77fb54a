"""Thematic areas and networks."""
import sqlalchemy as sa

from app.community.models import CERIS_AREAS, NETWORK_KINDS, Network, ThematicArea
from app.extensions import db


def seed_thematic_areas():
    """Create the six CERIS areas; safe to run again (existing rows keep their edits)."""
    existing = {area.code for area in db.session.scalars(sa.select(ThematicArea))}
    created = 0
    for position, (code, name) in enumerate(CERIS_AREAS, start=1):
        if code not in existing:
            db.session.add(ThematicArea(code=code, name=str(name), position=position))
            created += 1
    db.session.commit()
    return created


def thematic_areas():
    return db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position, ThematicArea.code)).all()


def area_by_code(code):
    return db.session.scalar(sa.select(ThematicArea).where(ThematicArea.code == (code or "").upper()))


def networks():
    return db.session.scalars(sa.select(Network).order_by(Network.name)).all()


def save_network(network, name, kind, country, website, description):
    if kind not in NETWORK_KINDS:
        raise ValueError(f"unknown network kind {kind!r}")
    network = network or Network()
    network.name = name.strip()
    network.kind = kind
    network.country = (country or "").strip().upper()
    network.website = (website or "").strip()
    network.description = (description or "").strip()
    db.session.add(network)
    db.session.commit()
    return network


def update_area(area, name, description):
    area.name = name.strip()
    area.description = (description or "").strip()
    db.session.commit()
    return area
