"""Thematic areas and networks."""

import functools
from urllib.parse import urlsplit

import sqlalchemy as sa
from babel import Locale

from app.community.models import CERIS_AREAS, NETWORK_KINDS, Network, ThematicArea, network_memberships
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import DEFAULT_PER_PAGE, paginate
from app.sanitising import remove_hidden_characters
from app.service_errors import Conflict, Invalid
from app.unit_of_work import transactional, unit_of_work


class CommunityError(Invalid):
    """A change the community rules refuse (422); `field` names the input at fault."""

    def __init__(self, message, field=None, status=None):
        super().__init__(message, fields={field: message} if field else None, status=status)
        self.field = field


class CommunityConflict(CommunityError, Conflict):
    """The name is taken (409)."""

    status = Conflict.status


@transactional
def seed_thematic_areas():
    """Create the six CERIS areas; safe to run again (existing rows keep their edits)."""
    existing = {area.code for area in db.session.scalars(sa.select(ThematicArea))}
    created = 0
    for position, (code, name) in enumerate(CERIS_AREAS, start=1):
        if code not in existing:
            db.session.add(ThematicArea(code=code, name=str(name), position=position))
            created += 1
    return created


def thematic_areas():
    return db.session.scalars(sa.select(ThematicArea).order_by(ThematicArea.position, ThematicArea.code)).all()


# --- area codes: the one way a code names an area --------------------------------


def normalise_area_codes(codes):
    """The codes as stored (upper case, trimmed), each once, blanks left out: "bm" and " BM " name one area."""
    return list(dict.fromkeys(code.strip().upper() for code in codes or [] if isinstance(code, str) and code.strip()))


def area_ids_for_codes(codes):
    """A subquery of the ids of the areas these codes name, for filters (`area_id.in_(...)`)."""
    return sa.select(ThematicArea.id).where(ThematicArea.code.in_(normalise_area_codes(codes)))


def areas_for_codes(codes):
    """(the areas these codes name, in their order on the site; the codes naming no area)."""
    wanted = normalise_area_codes(codes)
    if not wanted:
        return [], []
    areas = db.session.scalars(sa.select(ThematicArea).where(ThematicArea.code.in_(wanted))).all()
    found = {area.code for area in areas}
    return sorted(areas, key=lambda area: (area.position, area.code)), [code for code in wanted if code not in found]


def area_by_code(code):
    """The area `code` names, whatever its case; None when it names none."""
    areas, _unknown = areas_for_codes([code])
    return areas[0] if areas else None


def areas_by_ids(area_ids):
    return db.session.scalars(sa.select(ThematicArea).where(ThematicArea.id.in_(area_ids or [])).order_by(ThematicArea.position)).all()


# --- networks ---------------------------------------------------------------------


def networks():
    return db.session.scalars(sa.select(Network).order_by(Network.name)).all()


def networks_by_ids(network_ids):
    return db.session.scalars(sa.select(Network).where(Network.id.in_(network_ids or [])).order_by(Network.name)).all()


def _network_named(name):
    # Names are unique regardless of case (the admin pages refuse "ileanet" beside "ILEAnet").
    return sa.func.lower(Network.name) == remove_hidden_characters(name or "").strip().lower()


def find_network_by_name(name):
    """The network called `name`, whatever its case: "EU-HYBNET" and "eu-hybnet" are one network."""
    return db.session.scalar(sa.select(Network).where(_network_named(name)).order_by(Network.id).limit(1))


def get_or_create_network(name, kind="other"):
    """The network called `name` (see `find_network_by_name`), created if there is none; None for a blank name."""
    name = remove_hidden_characters(name or "").strip()
    if not name:
        return None
    network = find_network_by_name(name)
    if network is None:
        network = Network(name=name, kind=kind)
        db.session.add(network)
    return network


def save_network(network, name, kind, country, website, description):
    """Create (`network` None) or update a network; raises CommunityError, changing nothing, on bad input."""
    name = remove_hidden_characters(name).strip()
    try:
        with unit_of_work():
            network = _save_network(network, name, kind, country, website, description)
            db.session.flush()
    except sa.exc.IntegrityError:
        # Someone saved the same name between the check and the write (the unit has rolled back).
        raise CommunityConflict(_l("A network called “%(name)s” already exists.", name=name), "name") from None
    return network


def _save_network(network, name, kind, country, website, description):
    country = (country or "").strip().upper()
    website = (website or "").strip()
    if not name:
        raise CommunityError(_l("A network needs a name."), "name")
    if len(name) > 200:
        raise CommunityError(_l("The name can have at most %(count)d characters.", count=200), "name")
    if kind not in NETWORK_KINDS:
        raise CommunityError(_l("Choose one of the listed kinds of network."), "kind")
    if country and country not in country_codes():
        raise CommunityError(_l("Use a two-letter ISO country code, e.g. BE."), "country")
    if website and not is_web_address(website):
        raise CommunityError(_l("Enter a full web address starting with https:// or http://."), "website")
    if len(website) > 500:
        raise CommunityError(_l("The web address can have at most %(count)d characters.", count=500), "website")
    if network_name_taken(name, exclude_id=network.id if network is not None else None):
        raise CommunityConflict(_l("A network called “%(name)s” already exists.", name=name), "name")
    network = network or Network()
    network.name = name
    network.kind = kind
    network.country = country
    network.website = website
    network.description = remove_hidden_characters(description).strip()
    db.session.add(network)
    return network


@transactional
def update_area(area, name, description):
    name = remove_hidden_characters(name).strip()
    if not name:
        raise CommunityError(_l("A thematic area needs a name."), "name")
    if len(name) > 200:
        raise CommunityError(_l("The name can have at most %(count)d characters.", count=200), "name")
    area.name = name
    area.description = remove_hidden_characters(description).strip()
    return area


# --- administration --------------------------------------------------------------

# Codes Babel knows that are not ISO 3166-1 countries: unions, pseudo-locales, "unknown",
# and the exceptionally reserved codes of islands and territories (Ascension, Canaries, ...).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AC", "CP", "CQ", "DG", "EA", "IC", "TA"}


@functools.cache
def country_codes():
    """ISO 3166-1 alpha-2 codes (plus XK, Kosovo, as the EU uses it)."""
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def country_choices(locale):
    """(code, name in `locale`) for every country, sorted by name."""
    names = Locale.parse(str(locale)).territories
    return sorted(((code, names.get(code, code)) for code in country_codes()), key=lambda pair: pair[1].casefold())


def is_web_address(value):
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def network_name_taken(name, exclude_id=None):
    """Names are unique regardless of case, so "EU-HYBNET" and "eu-hybnet" are one network."""
    statement = sa.select(Network.id).where(_network_named(name))
    if exclude_id is not None:
        statement = statement.where(Network.id != exclude_id)
    return db.session.scalar(statement.limit(1)) is not None


def get_network(network_id):
    return db.session.get(Network, network_id)


def networks_with_member_counts(query="", page=1, per_page=None):
    """A page of (network, member count) rows by name, counted in the same query."""
    members = sa.func.count(network_memberships.c.user_id).label("member_count")
    statement = (
        sa.select(Network, members)
        .outerjoin(network_memberships, network_memberships.c.network_id == Network.id)
        .group_by(Network.id)
        .order_by(sa.func.lower(Network.name), Network.id)
    )
    for word in (query or "").split():
        statement = statement.where(Network.name.icontains(word, autoescape=True))
    return paginate(statement, page, per_page or DEFAULT_PER_PAGE, scalars=False)


def count_networks():
    return db.session.scalar(sa.select(sa.func.count(Network.id))) or 0
