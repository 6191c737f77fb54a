"""Workshops over the API (public): the list, upcoming or past and by area, and one workshop with its call for inputs."""

from app.api import shapes
from app.api.blueprint import bp
from app.api.schema import read_query
from app.api.views import answer, list_answer
from app.urls import external_url
from app.workshops import services


def workshop_json(workshop):
    state = services.state_of(workshop)
    call = None
    if workshop.call_opens_at is not None:
        call = {
            "opens_at": workshop.call_opens_at,
            "closes_at": workshop.call_closes_at,
            "types": list(workshop.call_types or []),
            "open": services.lifecycle().state_has(state, "accepts_inputs"),
        }
    return {
        "id": workshop.id,
        "title": workshop.title,
        "thematic_areas": workshop.area_codes,
        "description": workshop.description,
        "starts_at": workshop.starts_at,
        "ends_at": workshop.ends_at,
        "time_zone": workshop.time_zone,
        "starts_at_local": services.local(workshop.starts_at, workshop.time_zone).isoformat(),
        "ends_at_local": services.local(workshop.ends_at, workshop.time_zone).isoformat(),
        "place": workshop.place,
        "online_url": workshop.online_url or None,
        "agenda": workshop.agenda,
        "capacity": workshop.capacity,
        "chair": workshop.chair.display_name if workshop.chair is not None else None,
        "call": call,
        "state": state,
        "state_label": str(services.lifecycle().states[state].label),
        "outcome_summary": workshop.outcome_summary if services.lifecycle().state_has(state, "has_outcome") else None,
        "url": external_url("workshops.detail", workshop_id=workshop.id),
        "ics_url": external_url("workshops.ics", workshop_id=workshop.id),
    }


@bp.get("/workshops")
def list_workshops():
    query = read_query(shapes.WorkshopQuery)
    result = services.list_workshops("upcoming" if query.upcoming else "past", query.area, page=query.page, per_page=query.per_page)
    return list_answer(
        shapes.WorkshopPage, [workshop_json(workshop) for workshop in result.items], result.page, result.per_page, result.total
    )


@bp.get("/workshops/<id:workshop_id>")
def get_workshop(workshop_id):
    return answer(shapes.Workshop, workshop_json(services.get_workshop(workshop_id)))
