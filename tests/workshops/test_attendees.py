"""The attendee list and its CSV: who may see them (chair, editors of its areas, admins), what the CSV holds, formula injection."""

import csv
import io

import pytest

from app.extensions import db
from tests.workshops.support import make_workshop


def _registered(app, workshop_id, people):
    """Register `people` (identities or user ids) in order."""
    from app.auth.models import User
    from app.workshops import registrations, services

    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        for person in people:
            registrations.register(db.session.get(User, getattr(person, "id", person)), workshop)


def _rows(response):
    assert response.data.startswith("\ufeff".encode()), "a byte order mark, so spreadsheets read UTF-8"
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def workshop_id(app, make_user):
    chair = make_user(["editor"], area_codes=["CS"])
    with app.app_context():
        return make_workshop(areas=("BM",), chair_id=chair.id, capacity=1).id, chair


def test_the_csv_lists_attendees_then_the_waiting_list_with_their_details(app, signed_in, make_user, workshop_id):
    from tests.factories import NetworkFactory, UserFactory

    workshop, chair = workshop_id
    with app.app_context():
        network = NetworkFactory(name="ENLETS")
        first = UserFactory(name="Zoë Ångström", organisation="Politie Nederland", email="zoe@example.eu", networks=[network])
        second = UserFactory(name="Jan Novák", organisation="Policie ČR", email="jan@example.eu")
        people = [first.id, second.id]
    _registered(app, workshop, people)
    response = signed_in(chair).get(f"/workshops/{workshop}/attendees.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _rows(response)
    assert header[:6] == ["Name", "Organisation", "Network", "E-mail", "Registered at", "State"]
    assert [row[:4] for row in rows] == [
        ["Zoë Ångström", "Politie Nederland", "ENLETS", "zoe@example.eu"],
        ["Jan Novák", "Policie ČR", "", "jan@example.eu"],
    ]
    assert [row[5] for row in rows] == ["Registered", "Waiting list"]
    assert rows[1][6] == "1"
    assert rows[0][4][:4].isdigit() and ("+" in rows[0][4][10:] or "-" in rows[0][4][10:])  # ISO 8601 with its offset


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("https://evil.example")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_defused(app, signed_in, workshop_id, dangerous):
    from tests.factories import NetworkFactory, UserFactory

    workshop, chair = workshop_id
    with app.app_context():
        network = NetworkFactory(name=dangerous)
        person = UserFactory(name=dangerous, organisation=dangerous, networks=[network])
        person_id = person.id
    _registered(app, workshop, [person_id])
    _header, row = _rows(signed_in(chair).get(f"/workshops/{workshop}/attendees.csv"))
    assert row[:3] == ["'" + dangerous] * 3


def test_the_attendee_page_shows_both_lists(app, signed_in, make_user, workshop_id):
    workshop, chair = workshop_id
    attending, waiting = make_user(["contributor"], name="Ada Attending"), make_user(["contributor"], name="Wim Waiting")
    _registered(app, workshop, [attending, waiting])
    page = signed_in(chair).get(f"/workshops/{workshop}/attendees").get_data(as_text=True)
    registered_part, waiting_part = page.split('id="waiting-heading"')
    assert "Ada Attending" in registered_part and "Wim Waiting" not in registered_part
    assert "Wim Waiting" in waiting_part and waiting.email in waiting_part


def test_the_page_links_the_list_for_those_who_manage_it_only(app, signed_in, make_user, workshop_id):
    workshop, chair = workshop_id
    link = f"/workshops/{workshop}/attendees"
    assert link in signed_in(chair).get(f"/workshops/{workshop}").get_data(as_text=True)
    assert link not in signed_in(make_user(["contributor"])).get(f"/workshops/{workshop}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["attendees", "attendees.csv"])
@pytest.mark.parametrize(
    "roles, areas, status",
    [
        (["editor"], ["BM"], 200),  # an editor of its area
        (["admin"], [], 200),
        (["editor"], ["CS"], 403),  # an editor of another area, not its chair
        (["contributor"], [], 403),
        (["reviewer"], ["BM"], 403),
    ],
)
def test_who_may_see_the_attendees(app, signed_in, make_user, workshop_id, path, roles, areas, status):
    workshop, _chair = workshop_id
    assert signed_in(make_user(roles, area_codes=areas)).get(f"/workshops/{workshop}/{path}").status_code == status


@pytest.mark.parametrize("path", ["attendees", "attendees.csv"])
def test_visitors_are_sent_to_sign_in(client, workshop_id, path):
    workshop, _chair = workshop_id
    response = client.get(f"/workshops/{workshop}/{path}")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_attendee_page_runs_the_same_queries_for_few_or_many(app, signed_in, make_user, count_queries, workshop_id):
    from tests.factories import NetworkFactory

    workshop, chair = workshop_id
    web = signed_in(chair)
    with app.app_context():
        network_ids = [NetworkFactory().id, NetworkFactory().id]

    def add(count):
        from app.community.models import Network

        people = []
        for _ in range(count):
            person = make_user(["contributor"])
            with app.app_context():
                from app.auth.models import User

                user = db.session.get(User, person.id)
                user.networks = [db.session.get(Network, network_id) for network_id in network_ids]
                db.session.commit()
            people.append(person)
        _registered(app, workshop, people)

    add(2)
    with count_queries() as few:
        assert web.get(f"/workshops/{workshop}/attendees").status_code == 200
    add(8)
    with count_queries() as many:
        assert web.get(f"/workshops/{workshop}/attendees").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 12
