"""Workshop rules: who manages one, what it says (validated), its time-driven state, its call for inputs, and lists.

The state is derived from the times when read (`state_of`, by the guards of
workflows/workshop.toml); code asks its flags (`in_state(workshop, "accepts_inputs")`),
never its name. The call-for-inputs rule (`check_accepts_input`) is the one the
contribution services apply when a contribution names a workshop, from the pages
and the API alike.

This module does not import the contribution services (they import it): the
inputs collected for a workshop are app/workshops/inputs.py.
"""

import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from app import dates
from app.auth.models import User, UserRole
from app.community.services import area_ids_for_codes, areas_for_codes, is_web_address
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import paginate
from app.sanitising import clean_plain_text, clean_rich_text, rich_text_to_plain
from app.service_errors import Conflict, Forbidden, Invalid, NotFound
from app.subscriptions.services import announce_call_once_saved
from app.timeutil import as_utc, utcnow
from app.unit_of_work import unit_of_work
from app.workflow import TransitionError, get_workflow
from app.workflow.derived import derived_state
from app.workshops.models import DEFAULT_TIME_ZONE, Workshop, workshop_areas

TITLE_MAX = 300
PLACE_MAX = 300
URL_MAX = 2000
RICH_TEXT_MAX = 50_000
CAPACITY_MAX = 100_000

# --- the lifecycle ----------------------------------------------------------------------------


def lifecycle():
    """The workshop lifecycle (workflows/workshop.toml)."""
    return get_workflow("workshop")


def state_of(workshop, now=None):
    """The workshop's state at `now` (default: now), derived from its times: the one place it is worked out."""
    return derived_state(lifecycle(), workshop, now=as_utc(now) if now is not None else utcnow())


def in_state(workshop, flag, now=None):
    """Whether the workshop's state at `now` carries `flag` ("accepts_inputs", "upcoming", "is_past", "has_outcome")."""
    return lifecycle().state_has(state_of(workshop, now), flag)


def state_label(workshop, now=None):
    return lifecycle().states[state_of(workshop, now)].label


# --- times and time zones ----------------------------------------------------------------------


@functools.cache
def time_zones():
    """The IANA time zone names offered and accepted (Area/City names and UTC), sorted."""
    names = {name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))}
    return sorted(names | {"UTC"})


def is_time_zone(name):
    return isinstance(name, str) and name in time_zones()


def local(moment, zone_name):
    """`moment` (stored UTC) as the wall-clock time of `zone_name`."""
    return as_utc(moment).astimezone(ZoneInfo(zone_name)) if moment is not None else None


def local_input(moment, zone_name):
    """The naive wall-clock time a datetime-local input shows for `moment` in `zone_name`."""
    return local(moment, zone_name).replace(tzinfo=None) if moment is not None else None


def format_moment(moment, zone_name):
    """A moment as people read it, in the reader's language: "12 March 2026, 17:00 (Europe/Brussels)"."""
    if moment is None:
        return ""
    return f"{dates.format_moment(moment, zone_name)} ({zone_name})"


def _moment(value, zone, name, errors):
    """A wall-clock time typed for `zone` (naive), or an aware datetime, as UTC; None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            errors[name] = _l("Give a date and time.")
            return None
    if not isinstance(value, datetime):
        errors[name] = _l("Give a date and time.")
        return None
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    placed = value.replace(tzinfo=zone)
    # A time the clocks skip when they go forward does not exist there: say so rather than guess.
    if placed.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        errors[name] = _l("This time does not exist in the chosen time zone (the clocks change then).")
        return None
    return placed.astimezone(UTC)


# --- who may ----------------------------------------------------------------------------------


def _signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True))


def _editor_area_ids(user):
    if not _signed_in(user) or not user.has_role("editor"):
        return set()
    return {area.id for area in user.areas}


def can_create_workshop(user):
    """Editors (Commission staff chair workshops) and admins."""
    return bool(_signed_in(user) and user.has_role("editor", "admin"))


def can_manage_workshop(user, workshop):
    """Edit it, see the inputs collected for it and send them on: its chair, editors of one of its areas, admins."""
    if not _signed_in(user) or workshop is None:
        return False
    if user.has_role("admin"):
        return True
    if workshop.chair_id is not None and workshop.chair_id == user.id:
        return True
    return bool(_editor_area_ids(user) & {area.id for area in workshop.areas})


def check_manage(user, workshop):
    if not can_manage_workshop(user, workshop):
        raise Forbidden(_l("Only the workshop's chair, editors of its thematic areas and admins can change it."))


def registration_closed_reason(workshop, now=None):
    """Why no one may register for (or cancel at) `workshop` at `now`, or None while they may.

    Registration is open while the workshop is upcoming (the lifecycle's flag) and has not started yet.
    """
    now = as_utc(now) if now is not None else utcnow()
    if not in_state(workshop, "upcoming", now) or now >= as_utc(workshop.starts_at):
        return _l(
            "Registration closed when the workshop started (%(starts)s).",
            starts=format_moment(workshop.starts_at, workshop.time_zone),
        )
    return None


def can_register(user, workshop, now=None):
    """Register to attend, or cancel one's registration: signed-in members, until the workshop starts."""
    return _signed_in(user) and workshop is not None and registration_closed_reason(workshop, now) is None


def can_see_attendees(user, workshop):
    """See and export the attendee list and the waiting list (names, organisations, e-mails): those who manage it."""
    return can_manage_workshop(user, workshop)


def can_write_outcome(user, workshop, now=None):
    """Write and publish the outcome summary: those who manage it, once the lifecycle says it has been held."""
    return can_manage_workshop(user, workshop) and in_state(workshop, "is_past", now)


# --- reading ----------------------------------------------------------------------------------


def get_workshop(workshop_id):
    """The workshop (public); NotFound when there is none."""
    workshop = db.session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    if workshop is None:
        raise NotFound(_l("This workshop does not exist."))
    return workshop


def find_workshop_by_title(title):
    return db.session.scalar(sa.select(Workshop).where(Workshop.title == title).limit(1))


WHEN = {"upcoming": _l("Upcoming"), "past": _l("Past")}


def list_workshops(when="upcoming", area=None, page=1, per_page=20, now=None):
    """One page of workshops: upcoming ones (not ended yet) soonest first, or past ones latest first; by area code."""
    now = as_utc(now) if now is not None else utcnow()
    query = sa.select(Workshop)
    if when == "past":
        query = query.where(Workshop.ends_at < now).order_by(Workshop.starts_at.desc(), Workshop.id.desc())
    else:
        query = query.where(Workshop.ends_at >= now).order_by(Workshop.starts_at.asc(), Workshop.id.asc())
    if area:
        codes = area if isinstance(area, (list, tuple)) else [area]
        query = query.where(
            sa.exists().where(workshop_areas.c.workshop_id == Workshop.id, workshop_areas.c.area_id.in_(area_ids_for_codes(codes)))
        )
    return paginate(query, page=page, per_page=per_page)


def open_for_inputs(now=None, include=()):
    """Workshops whose call for inputs is open at `now`, soonest closing first, plus those of `include` (ids) that exist.

    The window is read in SQL, then each is asked by the lifecycle, so the list and the rule agree.
    """
    now = as_utc(now) if now is not None else utcnow()
    include = {item for item in include or () if item}
    window = sa.and_(Workshop.call_opens_at <= now, Workshop.call_closes_at > now)
    condition = sa.or_(window, Workshop.id.in_(include)) if include else window
    workshops = db.session.scalars(sa.select(Workshop).where(condition).order_by(Workshop.call_closes_at, Workshop.id)).all()
    return [workshop for workshop in workshops if workshop.id in include or in_state(workshop, "accepts_inputs", now)]


def chair_choices():
    """Active editors, who may chair a workshop, by name."""
    return db.session.scalars(
        sa.select(User)
        .join(UserRole, sa.and_(UserRole.user_id == User.id, UserRole.role == "editor"))
        .where(User.active.is_(True))
        .order_by(User.name, User.email)
    ).all()


def type_label(code):
    spec = TYPES.get(code)
    return spec.name if spec is not None else code


# --- the call for inputs ------------------------------------------------------------------------


class CallNotOpen(TransitionError, Invalid):
    """A contribution for a workshop whose call is not open, or of a type it does not ask for (422, on workshop_id).

    A TransitionError too, so a refused first submission reads like the workflow's other refusals.
    """

    status = 422


def call_window_text(workshop):
    """ "from 1 March 2026, 09:00 (Europe/Brussels) to 31 March 2026, 18:00 (Europe/Brussels)" """
    return _l(
        "from %(opens)s to %(closes)s",
        opens=format_moment(workshop.call_opens_at, workshop.time_zone),
        closes=format_moment(workshop.call_closes_at, workshop.time_zone),
    )


def check_accepts_input(workshop, contribution_type, now=None):
    """Refuse (CallNotOpen) a contribution of `contribution_type` for `workshop` at `now` unless its call is open and asks for it."""
    if workshop.call_opens_at is None:
        message = _l("The workshop “%(title)s” has no call for inputs.", title=workshop.title)
        raise CallNotOpen(message, {"workshop_id": message})
    if not in_state(workshop, "accepts_inputs", now):
        message = _l(
            "The call for inputs of “%(title)s” is open %(window)s; it is not open now.",
            title=workshop.title,
            window=call_window_text(workshop),
        )
        raise CallNotOpen(message, {"workshop_id": message})
    if contribution_type not in (workshop.call_types or []):
        message = _l(
            "The call for inputs of “%(title)s” asks for: %(types)s.",
            title=workshop.title,
            types=", ".join(str(type_label(code)) for code in workshop.call_types or []),
        )
        raise CallNotOpen(message, {"workshop_id": message})


# --- creating and editing -----------------------------------------------------------------------


def _text(payload, name, errors, limit, required=False):
    value = clean_plain_text(payload.get(name) if isinstance(payload.get(name), str) else "", multiline=False)
    if required and not value:
        errors[name] = _l("Required.")
    elif len(value) > limit:
        errors[name] = _l("At most %(count)d characters.", count=limit)
    return value


def _rich(payload, name, errors):
    value = payload.get(name) or ""
    if not isinstance(value, str):
        errors[name] = _l("Must be text.")
        return ""
    if len(value) > RICH_TEXT_MAX:
        errors[name] = _l("At most %(count)d characters.", count=RICH_TEXT_MAX)
        return ""
    return clean_rich_text(value)


def validate(actor, payload, workshop=None):
    """The cleaned values of a workshop form or request, or Invalid naming every field that is wrong."""
    errors = {}
    cleaned = {
        "title": _text(payload, "title", errors, TITLE_MAX, required=True),
        "description": _rich(payload, "description", errors),
        "agenda": _rich(payload, "agenda", errors),
        "place": _text(payload, "place", errors, PLACE_MAX),
    }

    areas, unknown = areas_for_codes(payload.get("areas") or [])
    if unknown:
        errors["areas"] = _l("Unknown thematic area: %(codes)s", codes=", ".join(unknown))
    elif not areas:
        errors["areas"] = _l("Choose at least one thematic area.")
    elif workshop is None and not actor.has_role("admin") and not ({area.id for area in areas} & _editor_area_ids(actor)):
        errors["areas"] = _l("Choose at least one of the thematic areas you are an editor of.")
    cleaned["areas"] = areas

    online_url = (payload.get("online_url") or "").strip() if isinstance(payload.get("online_url"), str) else ""
    if online_url and (len(online_url) > URL_MAX or not is_web_address(online_url)):
        errors["online_url"] = _l("Give a web address starting with https:// or http://.")
    cleaned["online_url"] = online_url
    if not cleaned["place"] and not online_url and "place" not in errors:
        errors["place"] = _l("Give a place, an online link, or both.")

    zone_name = payload.get("time_zone") or DEFAULT_TIME_ZONE
    if not is_time_zone(zone_name):
        errors["time_zone"] = _l("Choose a time zone from the list.")
        zone_name = DEFAULT_TIME_ZONE
    zone = ZoneInfo(zone_name)
    cleaned["time_zone"] = zone_name

    for name in ("starts_at", "ends_at", "call_opens_at", "call_closes_at"):
        cleaned[name] = _moment(payload.get(name), zone, name, errors)
    for name in ("starts_at", "ends_at"):
        if cleaned[name] is None and name not in errors:
            errors[name] = _l("Required.")
    if cleaned["starts_at"] and cleaned["ends_at"] and cleaned["ends_at"] < cleaned["starts_at"]:
        errors["ends_at"] = _l("The workshop cannot end before it starts.")

    opens, closes = cleaned["call_opens_at"], cleaned["call_closes_at"]
    types = payload.get("call_types") or []
    if not isinstance(types, list) or not all(isinstance(code, str) for code in types):
        errors["call_types"] = _l("Choose contribution types from the list.")
        types = []
    unknown_types = [code for code in types if code not in TYPES]
    if unknown_types:
        errors["call_types"] = _l("Unknown contribution type: %(codes)s", codes=", ".join(unknown_types))
    cleaned["call_types"] = [code for code in TYPES if code in types]
    if (opens is None) != (closes is None):
        name = "call_closes_at" if closes is None else "call_opens_at"
        if name not in errors:
            errors[name] = _l("A call for inputs needs both an opening and a closing time (or leave both empty).")
    elif opens is not None and closes <= opens:
        errors["call_closes_at"] = _l("The call must close after it opens.")
    elif opens is not None and cleaned["ends_at"] is not None and opens >= cleaned["ends_at"]:
        errors["call_opens_at"] = _l("The call must open before the workshop ends.")
    if opens is not None and not cleaned["call_types"] and "call_types" not in errors:
        errors["call_types"] = _l("Choose the contribution types the call asks for.")
    if opens is None and "call_types" not in errors:
        cleaned["call_types"] = []

    capacity = payload.get("capacity")
    if capacity in (None, ""):
        cleaned["capacity"] = None
    elif not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= CAPACITY_MAX:
        errors["capacity"] = _l("A whole number from 1 to %(max)d, or empty for no limit.", max=CAPACITY_MAX)
    else:
        cleaned["capacity"] = capacity

    chair_id = payload.get("chair_id")
    if chair_id in (None, "", 0):
        cleaned["chair_id"] = actor.id if workshop is None and actor.has_role("editor") else None
    elif chair_id not in {user.id for user in chair_choices()}:
        errors["chair_id"] = _l("The chair must be an active editor.")
    else:
        cleaned["chair_id"] = chair_id

    if errors:
        raise Invalid(_l("Some answers are not valid; see the messages beside them."), fields=errors)
    return cleaned


def _apply(workshop, cleaned):
    for name, value in cleaned.items():
        setattr(workshop, name, value)


def create_workshop(actor, payload):
    """A new workshop, chaired by `payload`'s chair (by default the editor creating it)."""
    if not can_create_workshop(actor):
        raise Forbidden(_l("Only editors and admins can create workshops."))
    with unit_of_work():
        cleaned = validate(actor, payload)
        workshop = Workshop()
        _apply(workshop, cleaned)
        db.session.add(workshop)
        db.session.flush()
        announce_call_once_saved(workshop)  # subscribers hear of a call already open once this commits
    return workshop


def update_workshop(actor, workshop, payload, expected_version=None):
    """Change what the workshop says; refused (Conflict) when someone changed it since `expected_version`."""
    check_manage(actor, workshop)
    if expected_version is not None and expected_version != workshop.version:
        raise Conflict(_l("Someone changed this workshop in the meantime. Reload it and make your changes again."))
    try:
        with unit_of_work():
            cleaned = validate(actor, payload, workshop)
            _apply(workshop, cleaned)
            db.session.flush()
            announce_call_once_saved(workshop)  # subscribers hear of a call already open once this commits
    except StaleDataError:
        raise Conflict(_l("Someone changed this workshop in the meantime. Reload it and make your changes again.")) from None
    return workshop


# --- the outcome -------------------------------------------------------------------------------


def outcome_can_be_published(workshop, now=None):
    """Whether the lifecycle, in the workshop's state at `now`, leads on to a state whose outcome is published."""
    definition = lifecycle()
    state = state_of(workshop, now)
    return not definition.state_has(state, "has_outcome") and any(
        state in transition.sources for transition in definition.transitions_into("has_outcome")
    )


def save_outcome(actor, workshop, summary, publish=False, expected_version=None, now=None):
    """Write the outcome summary (sanitised rich text); `publish` makes it public, which moves the lifecycle on.

    Only after the workshop is held (`can_write_outcome`); a published outcome can still be corrected.
    """
    now = as_utc(now) if now is not None else utcnow()
    check_manage(actor, workshop)
    if not can_write_outcome(actor, workshop, now):
        message = _l(
            "The outcome can be written once the workshop has been held (it ends %(ends)s).",
            ends=format_moment(workshop.ends_at, workshop.time_zone),
        )
        raise Conflict(message, {"outcome_summary": message})
    if expected_version is not None and expected_version != workshop.version:
        raise Conflict(_l("Someone changed this workshop in the meantime. Reload it and make your changes again."))
    errors = {}
    cleaned = _rich({"outcome_summary": summary}, "outcome_summary", errors)
    if not errors and publish and not rich_text_to_plain(cleaned).strip():
        errors["outcome_summary"] = _l("Write the outcome before publishing it.")
    if errors:
        raise Invalid(_l("Some answers are not valid; see the messages beside them."), fields=errors)
    try:
        with unit_of_work():
            workshop.outcome_summary = cleaned
            if publish and workshop.outcome_published_at is None:
                if not outcome_can_be_published(workshop, now):
                    raise Conflict(_l("The outcome of this workshop cannot be published now."))
                workshop.outcome_published_at = now
                if not in_state(workshop, "has_outcome", now):  # the lifecycle must agree that it is published
                    raise Conflict(_l("The outcome of this workshop cannot be published now."))
            db.session.flush()
    except StaleDataError:
        raise Conflict(_l("Someone changed this workshop in the meantime. Reload it and make your changes again.")) from None
    return workshop
