"""Countries, the same everywhere: one select (names from Babel in the reader's language) and one way to name a code.

Every form with a country uses `country_select_choices`; every page showing a
stored code uses `country_name`. The codes are ISO 3166-1 alpha-2
(app/community/services.py `country_codes`).
"""

from babel import Locale
from flask_babel import get_locale

from app.community.services import country_choices, country_codes
from app.forms import select_choices

# The EU's own codes for Greece and the United Kingdom (CORDIS writes them), read as their ISO names.
EU_CODES = {"EL": "GR", "UK": "GB"}


def _reader_locale():
    return str(get_locale() or "en")


def country_select_choices(blank_label, current=""):
    """The choices of a country select: `blank_label` for none, then every country by name in the reader's language.

    A `current` code that is not in the list (stored before the list was
    enforced) is kept as a choice, so saving a form does not lose it silently.
    """
    choices = [("", blank_label), *country_choices(_reader_locale())]
    current = (current or "").strip().upper()
    if current and current not in country_codes():
        choices.insert(1, (current, country_name(current)))
    return select_choices(choices)


def country_name(code, locale=None):
    """The country `code` names, in `locale` (the reader's language by default); the code itself if Babel knows none."""
    if not code:
        return ""
    try:
        names = Locale.parse(str(locale or _reader_locale())).territories
    except (ValueError, TypeError):
        names = Locale("en").territories
    return names.get(EU_CODES.get(code, code), code)


def is_country_code(code):
    return code in country_codes()
