"""Workshop pages: the public list and page, the editors' form, who may edit, and the calendar file."""

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from app.extensions import db
from tests.support import csrf_token
from tests.workshops.support import make_workshop


def _make(app, **options):
    with app.app_context():
        return make_workshop(**options).id


def test_the_list_shows_upcoming_or_past_workshops_by_area(app, client):
    _make(app, title="Coming BM workshop", areas=("BM",), starts_in=48)
    _make(app, title="Coming CS workshop", areas=("CS",), starts_in=24)
    _make(app, title="Past BM workshop", areas=("BM",), starts_in=-48, call=None)
    upcoming = client.get("/workshops").get_data(as_text=True)
    assert "Coming BM workshop" in upcoming and "Coming CS workshop" in upcoming and "Past BM workshop" not in upcoming
    assert upcoming.index("Coming CS workshop") < upcoming.index("Coming BM workshop")  # soonest first
    past = client.get("/workshops?when=past").get_data(as_text=True)
    assert "Past BM workshop" in past and "Coming BM workshop" not in past
    by_area = client.get("/workshops?area=CS").get_data(as_text=True)
    assert "Coming CS workshop" in by_area and "Coming BM workshop" not in by_area


def test_the_list_is_paginated(app, client):
    for number in range(22):
        _make(app, title=f"Workshop number {number:02d}", starts_in=10 + number, call=None)
    first = client.get("/workshops").get_data(as_text=True)
    second = client.get("/workshops?page=2").get_data(as_text=True)
    assert "Workshop number 00" in first and "Workshop number 21" not in first
    assert "Workshop number 21" in second and 'rel="prev"' in second


def test_the_page_offers_to_submit_an_input_only_while_the_call_is_open(app, client):
    open_id = _make(app, call=(-1, 24), types=("capability_gap", "technology"))
    closed_id = _make(app, call=(-48, -24))
    page = client.get(f"/workshops/{open_id}").get_data(as_text=True)
    assert f"/contributions/new/capability_gap?workshop={open_id}&amp;area=BM" in page
    assert f"/contributions/new/technology?workshop={open_id}" in page
    assert "/contributions/new/" not in client.get(f"/workshops/{closed_id}").get_data(as_text=True)


def test_the_page_shows_times_in_the_workshops_zone(app, client):
    workshop_id = _make(app, time_zone="Asia/Tokyo")
    with app.app_context():
        from app.workshops import services

        workshop = services.get_workshop(workshop_id)
        local = services.local(workshop.starts_at, "Asia/Tokyo")
    page = client.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert f'datetime="{local.isoformat()}"' in page
    assert "Asia/Tokyo" in page


def _form(token, **values):
    data = {
        "csrf_token": token,
        "title": "Cyber ranges for hospitals",
        "areas": ["BM"],
        "description": "<p>Why <script>alert(1)</script>it matters</p>",
        "time_zone": "Europe/Warsaw",
        "starts_at": "2031-06-10T10:00",
        "ends_at": "2031-06-10T17:30",
        "place": "Warsaw",
        "online_url": "",
        "agenda": "",
        "capacity": "40",
        "call_opens_at": "2031-05-01T09:00",
        "call_closes_at": "2031-05-31T18:00",
        "call_types": ["capability_gap", "trend"],
        "chair_id": "0",
    }
    data.update(values)
    return data


def test_an_editor_creates_a_workshop_with_its_times_in_its_zone(app, signed_in, editor):
    from app.workshops.models import Workshop

    web = signed_in(editor)
    response = web.post("/workshops/new", data=_form(csrf_token(web, "/workshops/new")))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        workshop = db.session.scalar(db.select(Workshop))
        # 10:00 in Warsaw in June (UTC+2) is 08:00 UTC.
        assert workshop.starts_at.replace(tzinfo=UTC) == datetime(2031, 6, 10, 8, 0, tzinfo=UTC)
        assert workshop.call_types == ["capability_gap", "trend"]
        assert workshop.chair_id == editor.id
        assert workshop.area_codes == ["BM"]
        assert "<script>" not in workshop.description and "it matters" in workshop.description


@pytest.mark.parametrize(
    "values, field",
    [
        ({"ends_at": "2031-06-10T09:00"}, "ends_at"),
        ({"call_closes_at": ""}, "call_closes_at"),
        ({"call_types": []}, "call_types"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"place": "", "online_url": ""}, "place"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"starts_at": "2031-03-30T02:30", "ends_at": "2031-03-30T05:00"}, "starts_at"),  # skipped by the clocks in Warsaw
        ({"areas": ["CS"]}, "areas"),  # not an area of this editor
    ],
)
def test_the_form_names_what_is_wrong_and_stores_nothing(app, signed_in, editor, values, field):
    from app.workshops.models import Workshop

    web = signed_in(editor)
    response = web.post("/workshops/new", data=_form(csrf_token(web, "/workshops/new"), **values))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Workshop)) == 0


def test_the_chair_edits_the_workshop_even_outside_their_areas(app, signed_in, make_user):
    chair = make_user(["editor"], area_codes=["CS"])
    workshop_id = _make(app, areas=("BM",), chair_id=chair.id)
    web = signed_in(chair)
    page = web.get(f"/workshops/{workshop_id}/edit")
    assert page.status_code == 200
    version = re.search(r'name="version" type="hidden" value="(\d+)"|name="version" value="(\d+)"', page.get_data(as_text=True))
    data = _form(csrf_token(web, f"/workshops/{workshop_id}/edit"), title="Renamed by the chair", areas=["BM"])
    data["version"] = next(group for group in version.groups() if group)
    response = web.post(f"/workshops/{workshop_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "Renamed by the chair" in web.get(f"/workshops/{workshop_id}").get_data(as_text=True)


@pytest.mark.parametrize("roles, areas", [(["editor"], ["CS"]), (["contributor"], []), (["reviewer"], ["BM"])])
def test_others_may_not_edit_it(app, signed_in, make_user, roles, areas):
    workshop_id = _make(app, areas=("BM",))
    web = signed_in(make_user(roles, area_codes=areas))
    assert web.get(f"/workshops/{workshop_id}/edit").status_code == 403
    token = csrf_token(web, f"/workshops/{workshop_id}")
    assert web.post(f"/workshops/{workshop_id}/edit", data=_form(token)).status_code == 403


def test_an_editor_of_its_area_and_an_admin_may_edit_it(app, signed_in, editor, admin):
    workshop_id = _make(app, areas=("BM",))
    assert signed_in(editor).get(f"/workshops/{workshop_id}/edit").status_code == 200
    assert signed_in(admin).get(f"/workshops/{workshop_id}/edit").status_code == 200


def test_the_calendar_file_parses_and_starts_at_the_right_moment_in_utc(app, client):
    workshop_id = _make(app, title="Drones: the calendar", time_zone="America/New_York", place="New York")
    with app.app_context():
        from app.workshops.models import Workshop

        starts_at = db.session.get(Workshop, workshop_id).starts_at.replace(tzinfo=UTC)
    response = client.get(f"/workshops/{workshop_id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.astimezone(UTC).replace(microsecond=0) == starts_at.replace(microsecond=0)
    assert str(start.tzinfo) in ("America/New_York", "EST", "EDT") or event["dtstart"].params.get("TZID") == "America/New_York"
    assert [zone["tzid"] for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["summary"]) == "Drones: the calendar"
    assert str(event["location"]) == "New York"
    assert str(event["uid"]).startswith(f"workshop-{workshop_id}@")
    assert "dtstamp" in event
