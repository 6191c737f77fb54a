"""Registering to attend a workshop: places up to its capacity, then a waiting list that moves up; the attendee list and its CSV.

Every change to a workshop's registrations runs under a lock on the workshop's
row (SELECT ... FOR UPDATE on PostgreSQL; SQLite writes one at a time), so two
members taking the last place at once get one place and one waiting, and a
cancellation gives its place to the first in the waiting list in the same
transaction. Those who move up are told (in-app and by e-mail, in their
language) once it commits.
"""

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.notifications.services import notify
from app.service_errors import Conflict, Forbidden, NotFound
from app.timeutil import as_utc, utcnow
from app.unit_of_work import unit_of_work
from app.urls import external_url
from app.workshops import services
from app.workshops.models import WorkshopRegistration

# --- reading --------------------------------------------------------------------------------------


@dataclass
class MyRegistration:
    """A member's registration as they see it: a place, or their position in the waiting list (1 = next)."""

    registration: WorkshopRegistration
    position: int | None = None

    @property
    def has_place(self):
        return self.registration.has_place


def _registration_of(user, workshop):
    return db.session.scalar(
        sa.select(WorkshopRegistration).where(WorkshopRegistration.workshop_id == workshop.id, WorkshopRegistration.user_id == user.id)
    )


def _waiting_order():
    return (WorkshopRegistration.registered_at, WorkshopRegistration.id)


def my_registration(user, workshop):
    """The member's registration with their waiting-list position, or None (also for visitors)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    registration = _registration_of(user, workshop)
    if registration is None:
        return None
    if registration.has_place:
        return MyRegistration(registration)
    ahead = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(WorkshopRegistration)
        .where(
            WorkshopRegistration.workshop_id == workshop.id,
            WorkshopRegistration.place_given_at.is_(None),
            sa.or_(
                WorkshopRegistration.registered_at < registration.registered_at,
                sa.and_(WorkshopRegistration.registered_at == registration.registered_at, WorkshopRegistration.id < registration.id),
            ),
        )
    )
    return MyRegistration(registration, position=ahead + 1)


def places_taken(workshop):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(WorkshopRegistration)
        .where(WorkshopRegistration.workshop_id == workshop.id, WorkshopRegistration.place_given_at.is_not(None))
    )


def places_left(workshop):
    """Places still free (None: no limit)."""
    if workshop.capacity is None:
        return None
    return max(workshop.capacity - places_taken(workshop), 0)


@dataclass
class AttendeeLists:
    attendees: list
    waiting: list


def attendee_lists(user, workshop):
    """Those with a place (in the order they got it) and the waiting list (in its order): for those who manage it.

    Two queries whatever the number (registrations with their users, then the users' networks).
    """
    if not services.can_see_attendees(user, workshop):
        raise Forbidden(_l("Only the workshop's chair, editors of its thematic areas and admins can see who attends."))
    registrations = db.session.scalars(
        sa.select(WorkshopRegistration)
        .join(User, User.id == WorkshopRegistration.user_id)
        .options(contains_eager(WorkshopRegistration.user).selectinload(User.networks))
        .where(WorkshopRegistration.workshop_id == workshop.id)
        .order_by(*_waiting_order())
    ).all()
    attendees = [registration for registration in registrations if registration.has_place]
    attendees.sort(key=lambda registration: (as_utc(registration.place_given_at), as_utc(registration.registered_at), registration.id))
    waiting = [registration for registration in registrations if not registration.has_place]
    return AttendeeLists(attendees, waiting)


# --- changing -------------------------------------------------------------------------------------


def _lock(workshop):
    """Take the workshop's row lock for the rest of the transaction and read it afresh (its capacity, its times)."""
    db.session.refresh(workshop, with_for_update=True)


def _check_open(workshop, now):
    reason = services.registration_closed_reason(workshop, now)
    if reason is not None:
        raise Conflict(reason)


def fill_places(workshop, now=None):
    """Give the free places to the first in the waiting list (under the workshop's lock); returns those who moved up."""
    now = as_utc(now) if now is not None else utcnow()
    query = (
        sa.select(WorkshopRegistration)
        .options(selectinload(WorkshopRegistration.user))
        .where(WorkshopRegistration.workshop_id == workshop.id, WorkshopRegistration.place_given_at.is_(None))
        .order_by(*_waiting_order())
    )
    if workshop.capacity is not None:
        free = workshop.capacity - places_taken(workshop)
        if free <= 0:
            return []
        query = query.limit(free)
    moved_up = db.session.scalars(query).all()
    for registration in moved_up:
        registration.place_given_at = now
    db.session.flush()
    return moved_up


def register(user, workshop, now=None):
    """Register `user` to attend: a place while there is one and no one is waiting, else the end of the waiting list.

    Registering again changes nothing and answers the registration they have.
    """
    now = as_utc(now) if now is not None else utcnow()
    if not services.can_register(user, workshop, now):
        _check_open(workshop, now)
        raise Forbidden(_l("Sign in to register."))
    try:
        with unit_of_work():
            _lock(workshop)
            _check_open(workshop, now)  # its times may have changed while we waited for the lock
            registration = _registration_of(user, workshop)
            if registration is None:
                registration = WorkshopRegistration(workshop_id=workshop.id, user_id=user.id, registered_at=now)
                db.session.add(registration)
                db.session.flush()
                # Everyone already waiting comes first (there is none while places are free, unless the capacity grew).
                moved_up = fill_places(workshop, now)
                _tell_moved_up(workshop, [other for other in moved_up if other.id != registration.id])
    except IntegrityError:  # the same member registering twice at once, where no row lock is taken (SQLite)
        db.session.rollback()
        registration = _registration_of(user, workshop)
        if registration is None:
            raise Conflict(_l("Your registration could not be recorded. Try again.")) from None
    return my_registration(user, workshop)


def cancel(user, workshop, now=None):
    """Cancel `user`'s registration (deleted); a place it held goes to the first in the waiting list, who is told."""
    now = as_utc(now) if now is not None else utcnow()
    if not services.can_register(user, workshop, now):
        _check_open(workshop, now)
        raise Forbidden(_l("Sign in to change your registration."))
    with unit_of_work():
        _lock(workshop)
        _check_open(workshop, now)
        registration = _registration_of(user, workshop)
        if registration is None:
            raise NotFound(_l("You are not registered for this workshop."))
        had_place = registration.has_place
        db.session.delete(registration)
        db.session.flush()
        if had_place:
            _tell_moved_up(workshop, fill_places(workshop, now))


def update_workshop(actor, workshop, payload, expected_version=None, now=None):
    """Change what the workshop says (app/workshops/services.py `update_workshop`) and, in the same unit of work,
    move the waiting list up into the places a raised (or lifted) capacity gives, telling those who move up.

    Nothing moves once registration has closed.
    """
    now = as_utc(now) if now is not None else utcnow()
    with unit_of_work():
        services.update_workshop(actor, workshop, payload, expected_version=expected_version)
        _lock(workshop)
        if services.registration_closed_reason(workshop, now) is None:
            _tell_moved_up(workshop, fill_places(workshop, now))
    return workshop


def _tell_moved_up(workshop, registrations):
    """In-app notification and e-mail, in each one's language, queued to leave once the unit of work commits."""
    if not registrations:
        return
    link = external_url("workshops.detail", workshop_id=workshop.id)
    calendar_link = external_url("workshops.ics", workshop_id=workshop.id)
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    for registration in registrations:
        person = registration.user
        language = person.locale if person.locale in current_app.config["LANGUAGES"] else default
        with force_locale(language):
            notify(
                [person],
                "workshop_place",
                str(_l("A place at the workshop “%(title)s” has become free: it is yours.", title=workshop.title)),
                link=link,
                email_subject=str(_l("You have a place at the workshop “%(title)s”", title=workshop.title)),
                email_template="workshop_place",
                workshop=workshop,
                starts=services.format_moment(workshop.starts_at, workshop.time_zone),
                calendar_link=calendar_link,
            )


# --- the attendee list as CSV -----------------------------------------------------------------------

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection): such cells get a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def attendees_csv(user, workshop):
    """The attendee list then the waiting list, as CSV text with a byte order mark (so spreadsheets read it as UTF-8)."""
    lists = attendee_lists(user, workshop)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(
        [
            _cell(str(heading))
            for heading in (
                _l("Name"),
                _l("Organisation"),
                _l("Network"),
                _l("E-mail"),
                _l("Registered at"),
                _l("State"),
                _l("Waiting list position"),
            )
        ]
    )
    rows = [(registration, str(_l("Registered")), "") for registration in lists.attendees]
    rows += [(registration, str(_l("Waiting list")), position) for position, registration in enumerate(lists.waiting, start=1)]
    for registration, state, position in rows:
        person = registration.user
        writer.writerow(
            [
                _cell(person.name),
                _cell(person.organisation),
                _cell("; ".join(network.name for network in person.networks)),
                _cell(person.email),
                _cell(services.local(registration.registered_at, workshop.time_zone).isoformat(timespec="seconds")),
                _cell(state),
                _cell(position),
            ]
        )
    return "\ufeff" + output.getvalue()
