"""Dates, times and numbers as people read them: one set of formats for every page, e-mail and document.

European formats in every language: the locale's long date (the month in
words, so never "12/3/26") and 24-hour times: "3 December 2026, 14:05".
English is written as in the EU institutions (the en_IE patterns, day before
month), not the US way. Moments are shown in the Brussels time zone
(BABEL_DEFAULT_TIMEZONE; users have no time zone setting), or in the zone a
caller names (a workshop's own). Machine-readable values (<time datetime>,
exports, the API) stay ISO 8601 and do not come through here.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, has_app_context
from flask_babel import get_locale

from app.timeutil import as_utc

TIME = "HH:mm"
DEFAULT_ZONE = "Europe/Brussels"


def _locale(locale=None):
    """The reader's locale for formats; English takes the patterns of the EU institutions (en_IE)."""
    name = str(locale or (get_locale() if has_app_context() else None) or "en")
    return "en_IE" if name.split("_")[0] == "en" else name


def _zone(zone_name=None):
    if zone_name:
        return ZoneInfo(zone_name)
    configured = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(configured or DEFAULT_ZONE)


def _local(moment, zone_name=None):
    return as_utc(moment).astimezone(_zone(zone_name))


def format_day(value, zone_name=None, locale=None):
    """ "3 December 2026": a date, or the day of a moment where it is shown. Empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value, zone_name)
    elif not isinstance(value, date):
        return str(value)
    return babel_dates.format_date(value, "long", locale=_locale(locale))


def format_clock(moment, zone_name=None, locale=None):
    """ "14:05": the 24-hour time of a moment where it is shown."""
    if moment is None:
        return ""
    return babel_dates.format_time(_local(moment, zone_name), TIME, locale=_locale(locale))


def format_moment(moment, zone_name=None, locale=None):
    """ "3 December 2026, 14:05": a moment (stored UTC) in Brussels time or in `zone_name`. Empty for None."""
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        return format_day(moment, zone_name, locale)
    return f"{format_day(moment, zone_name, locale)}, {format_clock(moment, zone_name, locale)}"


def format_number(value, locale=None):
    """A number with the reader's separators ("12,345" in English, "12.345" in German). Empty for None."""
    if value is None:
        return ""
    return babel_numbers.format_decimal(value, locale=_locale(locale))


def iso_text_day(value, locale=None):
    """A date or moment given as ISO text (the JSON export) as `format_day` shows it; other text as it is."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return value
    return format_day(value, locale=locale)
