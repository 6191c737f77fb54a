"""JSON shapes of the API, one function per resource."""
from datetime import timezone


def iso_datetime(moment):
    """ISO 8601 with its offset: stored times are UTC, but SQLite hands them back without a zone."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def user_json(user):
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "roles": user.roles,
        "areas": [area.code for area in user.areas],
        "organisation": user.organisation,
        "networks": [{"id": network.id, "name": network.name, "kind": network.kind} for network in user.networks],
    }


def area_json(area):
    return {"code": area.code, "name": area.name}
