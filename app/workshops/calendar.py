"""A workshop as an iCalendar file (RFC 5545): one event in the workshop's own time zone, with its VTIMEZONE."""

from urllib.parse import urlsplit

from icalendar import Calendar, Event

from app.sanitising import rich_text_to_plain
from app.timeutil import as_utc, utcnow
from app.urls import external_url
from app.workshops.services import local

PRODUCT_ID = "-//CERIS Exchange//Workshops//EN"


def ics(workshop, now=None):
    """The .ics file's bytes. The UID stays the same for the workshop; SEQUENCE follows its edits, so calendars update it."""
    page = external_url("workshops.detail", workshop_id=workshop.id)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"workshop-{workshop.id}@{urlsplit(page).hostname or 'ceris'}")
    event.add("dtstamp", as_utc(now) if now is not None else utcnow())
    event.add("dtstart", local(workshop.starts_at, workshop.time_zone))
    event.add("dtend", local(workshop.ends_at, workshop.time_zone))
    event.add("sequence", max(workshop.version - 1, 0))
    if workshop.updated_at is not None:
        event.add("last-modified", as_utc(workshop.updated_at))
    event.add("summary", workshop.title)
    if workshop.place:
        event.add("location", workshop.place)
    elif workshop.online_url:
        event.add("location", workshop.online_url)
    event.add("url", workshop.online_url or page)
    lines = [rich_text_to_plain(workshop.description)]
    if workshop.online_url:
        lines.append(workshop.online_url)
    lines.append(page)
    event.add("description", "\n\n".join(line for line in lines if line))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
