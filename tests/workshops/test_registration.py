"""Registering to attend: places up to the capacity, then a waiting list that moves up on cancellation (with an e-mail),
registration closing when the workshop starts, and two members taking the last place at once on PostgreSQL."""

import threading

import pytest

from app.extensions import db
from tests.support import csrf_token, flashes
from tests.workshops.support import make_workshop


def _workshop(app, **options):
    with app.app_context():
        return make_workshop(**options).id


def _register(web, workshop_id):
    token = csrf_token(web, f"/workshops/{workshop_id}")
    return web.post(f"/workshops/{workshop_id}/registration", data={"csrf_token": token}, follow_redirects=True)


def _cancel(web, workshop_id):
    token = csrf_token(web, f"/workshops/{workshop_id}")
    return web.post(f"/workshops/{workshop_id}/registration/cancel", data={"csrf_token": token}, follow_redirects=True)


def _states(app, workshop_id):
    """{user_id: True (place) / False (waiting)}"""
    from app.workshops.models import WorkshopRegistration

    with app.app_context():
        rows = db.session.scalars(db.select(WorkshopRegistration).where(WorkshopRegistration.workshop_id == workshop_id)).all()
        return {row.user_id: row.has_place for row in rows}


def _place_emails(app):
    from app.mail.models import OutboxMessage

    with app.app_context():
        return [
            (message.recipient, message.body_text)
            for message in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "workshop_place")).all()
        ]


def test_members_get_places_up_to_the_capacity_then_join_the_waiting_list_in_order(app, signed_in, make_user):
    workshop_id = _workshop(app, capacity=2)
    members = [make_user(["contributor"]) for _ in range(4)]
    pages = [_register(signed_in(member), workshop_id).get_data(as_text=True) for member in members]
    assert _states(app, workshop_id) == {members[0].id: True, members[1].id: True, members[2].id: False, members[3].id: False}
    assert "You are registered for this workshop." in pages[1]
    assert any("waiting list, number 1" in message for message in flashes(pages[2]))
    assert any("waiting list, number 2" in message for message in flashes(pages[3]))


def test_a_workshop_without_capacity_gives_everyone_a_place(app, signed_in, make_user):
    workshop_id = _workshop(app, capacity=None)
    members = [make_user(["contributor"]) for _ in range(3)]
    for member in members:
        _register(signed_in(member), workshop_id)
    assert set(_states(app, workshop_id).values()) == {True}


def test_registering_twice_keeps_one_registration(app, signed_in, contributor):
    workshop_id = _workshop(app, capacity=5)
    web = signed_in(contributor)
    _register(web, workshop_id)
    page = _register(web, workshop_id).get_data(as_text=True)
    assert _states(app, workshop_id) == {contributor.id: True}
    assert "You are registered for this workshop." in page


def test_the_member_sees_their_waiting_position_and_can_leave(app, signed_in, make_user):
    workshop_id = _workshop(app, capacity=1)
    first, second = make_user(["contributor"]), make_user(["reviewer"], area_codes=["BM"])
    _register(signed_in(first), workshop_id)
    web = signed_in(second)
    _register(web, workshop_id)
    page = web.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert "You are on the waiting list, number 1." in page and "Leave the waiting list" in page
    _cancel(web, workshop_id)
    assert _states(app, workshop_id) == {first.id: True}
    assert _place_emails(app) == []  # leaving the waiting list frees no place


def test_cancelling_a_place_moves_the_first_waiting_up_and_tells_them_by_email_in_their_language(app, signed_in, make_user):
    workshop_id = _workshop(app, capacity=1)
    holder = make_user(["contributor"])
    first_waiting = make_user(["contributor"], locale="fr", name="Camille Martin")
    second_waiting = make_user(["contributor"])
    for member in (holder, first_waiting, second_waiting):
        _register(signed_in(member), workshop_id)
    page = _cancel(signed_in(holder), workshop_id).get_data(as_text=True)
    assert "Your registration is cancelled." in flashes(page)
    assert _states(app, workshop_id) == {first_waiting.id: True, second_waiting.id: False}
    ((recipient, body),) = _place_emails(app)
    assert recipient == first_waiting.email
    assert "Camille Martin" in body and f"/workshops/{workshop_id}" in body
    with app.app_context():
        from flask_babel import force_locale

        from app.workshops import services

        workshop = services.get_workshop(workshop_id)
        with force_locale("fr"):
            starts_in_french = services.format_moment(workshop.starts_at, workshop.time_zone)
    assert starts_in_french in body  # the date as a French reader writes it
    assert "You are registered for this workshop." in signed_in(first_waiting).get(f"/workshops/{workshop_id}").get_data(as_text=True)


def test_the_move_up_is_undone_with_a_cancellation_that_fails(app, make_user, monkeypatch):
    """The place, the move up and the e-mail are one unit of work: a failure leaves the holder registered and sends nothing."""
    from app.auth.models import User
    from app.workshops import registrations, services

    workshop_id = _workshop(app, capacity=1)
    holder, waiting = make_user(["contributor"]), make_user(["contributor"])
    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        registrations.register(db.session.get(User, holder.id), workshop)
        registrations.register(db.session.get(User, waiting.id), workshop)

        def broken(*args, **kwargs):
            raise RuntimeError("mail template broke")

        monkeypatch.setattr(registrations, "notify", broken)
        with pytest.raises(RuntimeError):
            registrations.cancel(db.session.get(User, holder.id), workshop)
    assert _states(app, workshop_id) == {holder.id: True, waiting.id: False}
    assert _place_emails(app) == []


def test_raising_the_capacity_moves_the_waiting_list_up(app, make_user):
    from app.auth.models import User
    from app.timeutil import as_utc
    from app.workshops import registrations, services

    workshop_id = _workshop(app, capacity=1)
    holder, waiting = make_user(["contributor"]), make_user(["contributor"])
    chair = make_user(["admin"])
    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        registrations.register(db.session.get(User, holder.id), workshop)
        registrations.register(db.session.get(User, waiting.id), workshop)
        values = {
            "title": workshop.title,
            "areas": workshop.area_codes,
            "time_zone": workshop.time_zone,
            "starts_at": as_utc(workshop.starts_at),
            "ends_at": as_utc(workshop.ends_at),
            "place": workshop.place,
            "capacity": 2,
        }
        registrations.update_workshop(db.session.get(User, chair.id), workshop, values)
    assert _states(app, workshop_id) == {holder.id: True, waiting.id: True}
    assert [recipient for recipient, _body in _place_emails(app)] == [waiting.email]


@pytest.mark.parametrize("starts_in", [-1, -48])
def test_registration_closes_when_the_workshop_starts(app, signed_in, contributor, starts_in):
    workshop_id = _workshop(app, starts_in=starts_in, call=None)
    web = signed_in(contributor)
    page = web.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert "Registration closed when the workshop started" in page and "Register to attend" not in page
    response = _register(web, workshop_id)
    assert any("Registration closed" in message for message in flashes(response.get_data(as_text=True)))
    assert _states(app, workshop_id) == {}


def test_cancelling_after_the_start_is_refused(app, make_user):
    from app.auth.models import User
    from app.service_errors import Conflict
    from app.timeutil import utcnow
    from app.workshops import registrations, services
    from tests.workshops.support import HOUR

    workshop_id = _workshop(app, starts_in=2, call=None)
    member = make_user(["contributor"])
    with app.app_context():
        workshop = services.get_workshop(workshop_id)
        registrations.register(db.session.get(User, member.id), workshop)
        with pytest.raises(Conflict):
            registrations.cancel(db.session.get(User, member.id), workshop, now=utcnow() + 3 * HOUR)
    assert _states(app, workshop_id) == {member.id: True}


def test_visitors_are_asked_to_sign_in(app, client):
    workshop_id = _workshop(app)
    page = client.get(f"/workshops/{workshop_id}").get_data(as_text=True)
    assert "Sign in to register" in page
    token = csrf_token(client, f"/workshops/{workshop_id}")
    response = client.post(f"/workshops/{workshop_id}/registration", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert _states(app, workshop_id) == {}


def test_registering_needs_the_csrf_token(app, signed_in, contributor):
    workshop_id = _workshop(app)
    response = signed_in(contributor).post(f"/workshops/{workshop_id}/registration", data={})
    assert response.status_code == 400
    assert _states(app, workshop_id) == {}


def test_cancelling_without_a_registration_says_so(app, signed_in, contributor):
    workshop_id = _workshop(app)
    page = _cancel(signed_in(contributor), workshop_id).get_data(as_text=True)
    assert any("You are not registered" in message for message in flashes(page))


@pytest.mark.postgres_only
@pytest.mark.parametrize("attempt", range(3))
def test_two_members_taking_the_last_place_at_once_get_one_place_and_one_waiting(app, make_user, attempt):
    """Both registrations are in flight at the same moment on two connections.

    A third connection holds the workshop's row lock until both are waiting for it
    (so each has read nothing yet that the other would change), then lets them go.
    """
    import time

    import psycopg
    import sqlalchemy as sa

    from app.auth.models import User
    from app.workshops import registrations, services

    workshop_id = _workshop(app, capacity=1)
    members = [make_user(["contributor"]), make_user(["contributor"])]
    errors = []

    def take(member_id):
        try:
            with app.app_context():
                registrations.register(db.session.get(User, member_id), services.get_workshop(workshop_id))
        except Exception as error:  # reported below
            errors.append(error)

    database_url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    with psycopg.connect(database_url.render_as_string(hide_password=False)) as holder:
        holder.execute("SELECT id FROM workshops WHERE id = %s FOR UPDATE", (workshop_id,))
        threads = [threading.Thread(target=take, args=(member.id,)) for member in members]
        for thread in threads:
            thread.start()
        with psycopg.connect(database_url.render_as_string(hide_password=False), autocommit=True) as observer:
            deadline = time.monotonic() + 20
            waiting = 0
            while time.monotonic() < deadline:
                waiting = observer.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                ).fetchone()[0]
                if waiting == 2:
                    break
                time.sleep(0.02)
            assert waiting == 2, "both registrations should be waiting for the workshop's lock"
        holder.rollback()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(_states(app, workshop_id).values()) == [False, True]
