"""The hostile corpus through every HTML form: a 4xx with a message, or a clean store, and nothing else changed.

One test per form and category of hostile input. A refusal must leave every
table as it was; a store must hold the text cleaned as the field's kind says
(hidden characters gone; markup kept as typed in plain text, which is escaped
where shown, and sanitised in rich text) and change nothing outside the form's rows.
Run on PostgreSQL too (TEST_DATABASE_URL): ids and numbers have other limits there.
"""

import itertools
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from app.timeutil import utcnow
from tests.contributions.hostile_corpus import (
    FORM_LONG_TEXT,
    FORM_MARKUP,
    FORM_NUMBERS,
    FORM_SURROGATE_ESCAPES,
    FORM_WRONG_CHOICES,
    INVISIBLE_CHARACTERS,
    INVISIBLE_INPUTS,
)
from tests.contributions.samples import TYPE_FIELDS
from tests.contributions.test_hostile_input import active_content
from tests.support import CSRF_INPUT

HUGE = 2**64  # beyond SQLite's integers too

# Rows that bookkeeping may add on a successful post (e-mails and notifications about it, history).
BOOKKEEPING = {"outbox_messages", "notifications", "background_jobs", "workflow_history", "contribution_revisions"}
# Columns that change on any signed-in request or on every save, whatever was posted.
VOLATILE = {"last_seen_at", "last_login_at", "updated_at", "session_version"}

DIRECTION_INPUTS = [text for text in INVISIBLE_INPUTS if any(ch >= "\u2000" for ch in text)]
CONTROL_INPUTS = [text for text in INVISIBLE_INPUTS if text not in DIRECTION_INPUTS]


# --- reading the database ------------------------------------------------------------------------


def snapshot(app):
    """Every row of every table (volatile columns left out), by table."""
    from app.extensions import db

    with app.app_context():
        db.session.expire_all()
        state = {}
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in VOLATILE]
            rows = db.session.execute(sa.select(*columns)).all()
            state[table.name] = sorted(tuple(map(repr, row)) for row in rows)
        return state


def changed_tables(before, after):
    return {name for name in before if before[name] != after[name]}


def _one(app, statement):
    from app.extensions import db

    with app.app_context():
        db.session.expire_all()
        return db.session.execute(statement).mappings().first()


# --- the forms -----------------------------------------------------------------------------------


@dataclass
class Form:
    """One HTML form: who posts it where, a valid filling, and how to read back what it stored."""

    name: str
    role: str | None
    path: str
    token_from: str
    valid: object  # (app, ids, n) -> dict of form data, n counting posts in a test
    texts: dict = field(default_factory=dict)  # form field -> "kept" | "plain" | "rich" | "secret"
    read: object = None  # (app, ids) -> {form field: stored text} of the row the last post stored
    numbers: tuple = ()  # fields carrying numbers, ids or dates
    choices: tuple = ()  # fields whose values come from a fixed list
    touches: frozenset = frozenset()  # tables a successful post may change
    setup: object = None  # (app, make_user, ids) -> None, adding to ids
    fresh_per_post: bool = False  # each post needs its own target (e.g. a transition changes the state)

    def __repr__(self):
        return self.name


def _people(app, make_user, ids):
    ids["people"] = {
        "contributor": make_user(["contributor"], organisation="Guardia Civil"),
        "reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Politie"),
        "reviewer_two": make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei"),
        "spare_reviewer": make_user(["reviewer"], area_codes=["BM"], organisation="Carabinieri"),
        "editor": make_user(["editor"], area_codes=["BM"], organisation="European Commission"),
        "admin": make_user(["admin"]),
    }


def _in_review(app, ids, count=1):
    """`count` capability gaps in review, reviewed by nobody yet, with the two reviewers assigned."""
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review
    from tests.contributions.samples import payload, put_in_state, user

    made = []
    with app.app_context():
        author = user(ids["people"]["contributor"].id)
        reviewers = [user(ids["people"]["reviewer"].id), user(ids["people"]["reviewer_two"].id)]
        for number in range(count):
            contribution = services.create_draft(author, payload("capability_gap", title=f"In review {number}"))
            put_in_state(contribution, "in_review", reviewers, author)
            db.session.execute(sa.delete(Review).where(Review.contribution_id == contribution.id))
            made.append(contribution.id)
        db.session.commit()
    return made


# contributions ------------------------------------------------------------------------------------


def _contribution_data(app, ids, n, type_code, version=None):
    data = {
        "title": f"A {type_code} from the field",
        "thematic_areas": ["BM"],
        "summary": "<p>Why it matters.</p>",
        "network_id": "0",
        "workshop_id": "0",
        "reference_url_0": "https://cordis.europa.eu/",
        "reference_title_0": "CORDIS",
    }
    for name, value in TYPE_FIELDS[type_code].items():
        data[f"field_{name}"] = value if isinstance(value, list) else str(value)
    if type_code == "outcome":
        data["project_ids"] = [str(ids["project"])]
    if version is None:
        data["creation_key"] = uuid.uuid4().hex  # each post is a new draft, not the same one posted twice
    else:
        data["version"] = str(_one(app, sa.text("SELECT version FROM contributions WHERE id = :id").bindparams(id=ids["draft"]))["version"])
    return data


def _contribution_texts(type_code):
    from app.contributions.types import TYPES

    texts = {"title": "plain", "summary": "rich", "reference_title_0": "plain"}
    for spec in TYPES[type_code].fields:
        if spec.kind in ("text", "long_text"):
            texts[f"field_{spec.name}"] = "plain"
    return texts


def _contribution_fields(type_code):
    from app.contributions.types import TYPES

    specs = TYPES[type_code].fields
    # The fields every type shares are tried on one type; each type's own fields on that type.
    shared = type_code == "capability_gap"
    numbers = (("network_id", "workshop_id") if shared else ()) + tuple(
        f"field_{spec.name}" for spec in specs if spec.kind in ("integer", "date")
    )
    if type_code == "outcome":
        numbers += ("project_ids",)
    choices = (("thematic_areas",) if shared else ()) + tuple(
        f"field_{spec.name}" for spec in specs if spec.kind in ("choice", "multi_choice")
    )
    return numbers, choices


def _read_contribution(app, contribution_id):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        db.session.expire_all()
        contribution = db.session.get(Contribution, contribution_id)
        stored = {"title": contribution.title, "summary": contribution.summary}
        stored.update({f"field_{name}": value for name, value in contribution.fields.items() if isinstance(value, str)})
        if contribution.references:
            stored["reference_title_0"] = contribution.references[0]["title"]
        return stored


def _newest_contribution(app, ids):
    row = _one(app, sa.text("SELECT max(id) AS id FROM contributions WHERE author_id = :a").bindparams(a=ids["people"]["contributor"].id))
    return _read_contribution(app, row["id"])


def _setup_project(app, make_user, ids):
    from tests.contributions.samples import make_project

    with app.app_context():
        ids["project"] = make_project().id


def _setup_draft(type_code):
    def setup(app, make_user, ids):
        from app.contributions import services
        from tests.contributions.samples import payload, user

        _setup_project(app, make_user, ids)
        with app.app_context():
            body = payload(type_code, project_ids=[ids["project"]] if type_code == "outcome" else [])
            ids["draft"] = services.create_draft(user(ids["people"]["contributor"].id), body).id

    return setup


CONTRIBUTION_TABLES = frozenset({"contributions", "contribution_areas", "contribution_projects", "contribution_revisions"})


def _contribution_forms():
    from app.contributions.types import TYPES

    forms = []
    for code in TYPES:
        numbers, choices = _contribution_fields(code)
        forms.append(
            Form(
                f"new {code}",
                "contributor",
                f"/contributions/new/{code}",
                f"/contributions/new/{code}",
                valid=lambda app, ids, n, code=code: _contribution_data(app, ids, n, code),
                texts=_contribution_texts(code),
                read=_newest_contribution,
                numbers=numbers,
                choices=choices,
                touches=CONTRIBUTION_TABLES,
                setup=_setup_project,
            )
        )
        forms.append(
            Form(
                f"edit {code}",
                "contributor",
                "/contributions/{draft}/edit",
                "/contributions/{draft}/edit",
                valid=lambda app, ids, n, code=code: _contribution_data(app, ids, n, code, version=True),
                texts=_contribution_texts(code),
                read=lambda app, ids: _read_contribution(app, ids["draft"]),
                numbers=numbers,
                choices=choices,
                touches=CONTRIBUTION_TABLES,
                setup=_setup_draft(code),
            )
        )
    return forms


# reviews and the editors' desk ------------------------------------------------------------------------


def _setup_review(app, make_user, ids):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    (ids["in_review"],) = _in_review(app, ids)
    with app.app_context():
        assignment = db.session.scalar(
            sa.select(ReviewerAssignment).where(
                ReviewerAssignment.contribution_id == ids["in_review"], ReviewerAssignment.reviewer_id == ids["people"]["reviewer"].id
            )
        )
        # The reviewer has accepted the request: the review form is open.
        assignment.accepted_at = utcnow()
        ids["assignment"] = assignment.id
        db.session.commit()


def _read_review(app, ids):
    return dict(
        _one(
            app,
            sa.text(
                "SELECT comment_to_author, confidential_comment FROM reviews WHERE contribution_id = :c AND reviewer_id = :r"
            ).bindparams(c=ids["in_review"], r=ids["people"]["reviewer"].id),
        )
    )


def _setup_transitions(app, make_user, ids):
    # A transition changes the state: each post gets a contribution of its own.
    ids["targets"] = _in_review(app, ids, count=8)
    ids["target"] = ids["targets"][0]


def _transition_data(app, ids, n):
    ids["target"] = ids["targets"][n]
    return {
        "transition": "request_changes",
        "comment": "Please say more.",
        "version": str(_one(app, sa.text("SELECT version FROM contributions WHERE id = :id").bindparams(id=ids["target"]))["version"]),
    }


def _read_transition(app, ids):
    row = _one(
        app,
        sa.text("SELECT comment FROM workflow_history WHERE subject_id = :s AND transition = 'request_changes'").bindparams(
            s=ids["target"]
        ),
    )
    return {"comment": row["comment"]} if row else {}


def _setup_desk(app, make_user, ids):
    (ids["in_review"],) = _in_review(app, ids)


# reports -------------------------------------------------------------------------------------------


def _setup_report(app, make_user, ids):
    from app.reports import services
    from tests.contributions.samples import user
    from tests.reports.support import make_contribution

    with app.app_context():
        report = services.create_report(
            user(ids["people"]["editor"].id), {"kind": "state_of_the_art", "title": "SoA", "thematic_areas": ["BM"]}
        )
        ids["report"], ids["section"] = report.id, report.sections[0].id
    ids["accepted"] = make_contribution(app, "Accepted one")
    ids["accepted_two"] = make_contribution(app, "Accepted two")


def _setup_report_items(app, make_user, ids):
    from app.extensions import db
    from app.reports import services
    from app.reports.models import Report
    from tests.contributions.samples import user

    _setup_report(app, make_user, ids)
    with app.app_context():
        report = db.session.get(Report, ids["report"])
        section = services.get_section(report, ids["section"])
        editor = user(ids["people"]["editor"].id)
        for contribution_id in (ids["accepted"], ids["accepted_two"]):
            services.set_item(report, section, editor, contribution_id, "included")
        db.session.commit()


def _read_report(app, ids):
    return {"title": _one(app, sa.text("SELECT title FROM reports WHERE id = :id").bindparams(id=ids["report"]))["title"]}


def _read_newest_report(app, ids):
    return {"title": _one(app, sa.text("SELECT title FROM reports ORDER BY id DESC"))["title"]}


def _read_section(app, ids):
    return dict(_one(app, sa.text("SELECT heading, synthesis FROM report_sections WHERE id = :id").bindparams(id=ids["section"])))


def _read_newest_section(app, ids):
    return {"heading": _one(app, sa.text("SELECT heading FROM report_sections ORDER BY id DESC"))["heading"]}


REPORT_TABLES = frozenset({"reports", "report_sections", "report_areas", "report_items"})


# people, accounts and administration ----------------------------------------------------------------


def _read_user(who):
    def read(app, ids):
        row = _one(app, sa.text("SELECT name, organisation FROM users WHERE id = :id").bindparams(id=ids["people"][who].id))
        return {"profile-name": row["name"], "profile-organisation": row["organisation"]}

    return read


def _password_data(app, ids, n):
    from tests.factories import PASSWORD

    current = ids.setdefault("password", PASSWORD)
    return {
        "form": "password",
        "password-current_password": current,
        "password-password": f"new passphrase {n} ok",
        "password-confirm": f"new passphrase {n} ok",
    }


def _read_password(app, ids):
    """The typed password is the one that now works (kept as typed: never cleaned)."""
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        user = db.session.get(User, ids["people"]["contributor"].id)
        typed = ids["last_sent"]["password-password"]
        typed = typed[0] if isinstance(typed, list) else typed
        if user.check_password(typed):
            ids["password"] = typed
            return {"password-password": typed}
        return {"password-password": "(another password)"}


def _read_invitation(app, ids):
    row = _one(app, sa.text("SELECT name, organisation FROM invitations ORDER BY id DESC"))
    return dict(row) if row else {}


def _read_access_request(app, ids):
    row = _one(app, sa.text("SELECT name, organisation, network_name, motivation FROM access_requests ORDER BY id DESC"))
    return dict(row) if row else {}


def _setup_network(app, make_user, ids):
    from tests.reports.support import make_network

    ids["network"] = make_network(app, "Existing network")


def _read_network(app, ids, newest=False):
    where = "ORDER BY id DESC" if newest else f"WHERE id = {int(ids['network'])}"
    return dict(_one(app, sa.text(f"SELECT name, description FROM networks {where}")))


def _read_area(app, ids):
    return dict(_one(app, sa.text("SELECT name, description FROM thematic_areas WHERE code = 'BM'")))


def _email(n):
    return f"person{n}.{uuid.uuid4().hex[:6]}@example.eu"


FORMS = [
    *_contribution_forms(),
    Form(
        "review",
        "reviewer",
        "/reviews/{assignment}",
        "/reviews/{assignment}",
        valid=lambda app, ids, n: {
            "recommendation": "revise",
            "relevance": "3",
            "evidence": "4",
            "urgency": "2",
            "comment_to_author": "Say more.",
            "confidential_comment": "Fine.",
        },
        texts={"comment_to_author": "plain", "confidential_comment": "plain"},
        read=_read_review,
        numbers=("relevance", "evidence", "urgency"),
        choices=("recommendation", "relevance"),
        touches=frozenset({"reviews"}),
        setup=_setup_review,
    ),
    Form(
        "transition comment",
        "editor",
        "/contributions/{target}/transitions",
        "/contributions/{target}",
        valid=_transition_data,
        texts={"comment": "kept"},
        read=_read_transition,
        numbers=("version",),
        choices=("transition",),
        touches=frozenset({"contributions"}),
        setup=_setup_transitions,
        fresh_per_post=True,
    ),
    Form(
        "assign reviewer",
        "editor",
        "/desk/contributions/{in_review}/reviewers",
        "/desk/contributions/{in_review}",
        valid=lambda app, ids, n: {"reviewer_id": str(ids["people"]["spare_reviewer"].id)},
        numbers=("reviewer_id",),
        choices=("reviewer_id",),
        touches=frozenset({"reviewer_assignments"}),
        setup=_setup_desk,
    ),
    Form(
        "new report",
        "editor",
        "/reports/new",
        "/reports/new",
        valid=lambda app, ids, n: {"kind": "state_of_the_art", "title": "A new report", "areas": ["BM"]},
        texts={"title": "plain"},
        read=_read_newest_report,
        numbers=("period_start", "period_end"),
        choices=("kind", "areas"),
        touches=REPORT_TABLES,
    ),
    Form(
        "edit report",
        "editor",
        "/reports/{report}/edit",
        "/reports/{report}/edit",
        valid=lambda app, ids, n: {"title": "Renamed report", "areas": ["BM"], "period_start": "2025-01-01"},
        texts={"title": "plain"},
        read=_read_report,
        numbers=("period_start", "period_end"),
        choices=("areas",),
        touches=REPORT_TABLES,
        setup=_setup_report,
    ),
    Form(
        "add section",
        "editor",
        "/reports/{report}/sections",
        "/reports/{report}/edit",
        valid=lambda app, ids, n: {"heading": "A new section", "draws_contributions": "y"},
        texts={"heading": "plain"},
        read=_read_newest_section,
        touches=REPORT_TABLES,
        setup=_setup_report,
    ),
    Form(
        "section heading and synthesis",
        "editor",
        "/reports/{report}/sections/{section}",
        "/reports/{report}/sections/{section}",
        valid=lambda app, ids, n: {
            "heading": "Heading",
            "synthesis": "<p>Synthesis.</p>",
            "draws_contributions": "y",
            "workshop_id": "0",
            "network_id": "0",
        },
        texts={"heading": "plain", "synthesis": "rich"},
        read=_read_section,
        numbers=("workshop_id", "network_id", "period_start"),
        choices=("areas", "types"),
        touches=REPORT_TABLES,
        setup=_setup_report,
    ),
    Form(
        "include or exclude item",
        "editor",
        "/reports/{report}/sections/{section}/items",
        "/reports/{report}/sections/{section}",
        valid=lambda app, ids, n: {"contribution_id": str(ids["accepted"]), "status": "excluded"},
        numbers=("contribution_id",),
        choices=("status",),
        touches=REPORT_TABLES,
        setup=_setup_report_items,
    ),
    Form(
        "move item",
        "editor",
        "/reports/{report}/sections/{section}/items/{accepted_two}/move",
        "/reports/{report}/sections/{section}",
        valid=lambda app, ids, n: {"direction": "up"},
        choices=("direction",),
        touches=REPORT_TABLES,
        setup=_setup_report_items,
    ),
    Form(
        "subscription",
        None,
        "/subscribe",
        "/subscribe",
        valid=lambda app, ids, n: {"email": _email(n), "areas": ["BM"], "topics": ["reports", "workshop_calls"]},
        choices=("areas", "topics"),
    ),
    Form(
        "profile",
        "contributor",
        "/profile",
        "/profile",
        valid=lambda app, ids, n: {
            "form": "profile",
            "profile-name": "Ana Pérez",
            "profile-organisation": "Guardia Civil",
            "profile-country": "ES",
            "profile-locale": "",
        },
        texts={"profile-name": "kept", "profile-organisation": "kept"},
        read=_read_user("contributor"),
        choices=("profile-locale", "profile-country"),
        touches=frozenset({"users"}),
    ),
    Form(
        "change password",
        "contributor",
        "/profile",
        "/profile",
        valid=_password_data,
        texts={"password-password": "secret"},
        read=_read_password,
        touches=frozenset({"users", "api_tokens"}),
    ),
    Form(
        "invitation",
        "admin",
        "/invitations",
        "/invitations",
        valid=lambda app, ids, n: {
            "email": _email(n),
            "name": "Invited Person",
            "organisation": "Politie",
            "roles": ["contributor"],
            "network_id": "0",
        },
        texts={"name": "kept", "organisation": "kept"},
        read=_read_invitation,
        numbers=("network_id",),
        choices=("roles", "areas"),
        touches=frozenset({"invitations", "invitation_areas"}),
    ),
    Form(
        "request access",
        None,
        "/request-access",
        "/request-access",
        valid=lambda app, ids, n: {
            "email": _email(n),
            "name": "Ana Pérez",
            "organisation": "Guardia Civil",
            "country": "ES",
            "network_name": "ILEAnet",
            "motivation": "To share needs.",
        },
        texts={"name": "kept", "organisation": "kept", "network_name": "kept", "motivation": "kept"},
        read=_read_access_request,
        choices=("country",),
        touches=frozenset({"access_requests"}),
    ),
    Form(
        "admin user access",
        "admin",
        "/admin/users/{contributor_id}",
        "/admin/users/{contributor_id}",
        valid=lambda app, ids, n: {"roles": ["contributor", "reviewer"], "areas": [str(ids["bm_area"])]},
        numbers=("areas", "networks"),
        choices=("roles",),
        touches=frozenset({"users", "user_roles", "user_areas", "user_networks", "account_events"}),
    ),
    Form(
        "admin new network",
        "admin",
        "/admin/networks/new",
        "/admin/networks/new",
        valid=lambda app, ids, n: {
            "name": f"Network {n} {uuid.uuid4().hex[:4]}",
            "kind": "practitioners",
            "country": "BE",
            "website": "https://ilean.net/",
            "description": "A network.",
        },
        texts={"name": "kept", "description": "kept"},
        read=lambda app, ids: _read_network(app, ids, newest=True),
        choices=("kind", "country"),
        touches=frozenset({"networks"}),
    ),
    Form(
        "admin edit network",
        "admin",
        "/admin/networks/{network}",
        "/admin/networks/{network}",
        valid=lambda app, ids, n: {
            "name": f"Renamed network {n}",
            "kind": "practitioners",
            "country": "BE",
            "website": "",
            "description": "A network.",
        },
        texts={"name": "kept", "description": "kept"},
        read=_read_network,
        choices=("kind", "country"),
        touches=frozenset({"networks"}),
        setup=_setup_network,
    ),
    Form(
        "admin area",
        "admin",
        "/admin/areas/BM",
        "/admin/areas/BM",
        valid=lambda app, ids, n: {"name": "Border management", "description": "Borders."},
        texts={"name": "kept", "description": "kept"},
        read=_read_area,
        touches=frozenset({"thematic_areas"}),
    ),
]


# --- posting ------------------------------------------------------------------------------------------


class Poster:
    """Posts one form as its user would, counting posts, with the session's CSRF token read once from a page."""

    def __init__(self, app, form, ids, web):
        self.app, self.form, self.ids, self.web = app, form, ids, web
        self.count = itertools.count()
        page = web.get(self._fill(form.token_from)).get_data(as_text=True)
        match = CSRF_INPUT.search(page)
        assert match, f"no CSRF token on {form.token_from}"
        self.token = match.group(1)

    def _fill(self, path):
        return path.format(**self.ids)

    def valid(self):
        self.n = next(self.count)
        return self.form.valid(self.app, self.ids, self.n)

    def post(self, data, raw_replacements=None):
        """Post `data`; `raw_replacements` put bytes a browser could send but Python text cannot hold (%ED%A0%80)."""
        self.ids["last_sent"] = data
        path = self._fill(self.form.path)
        body = urlencode({**data, "csrf_token": self.token}, doseq=True)
        for marker, escape in (raw_replacements or {}).items():
            body = body.replace(marker, escape)
        return self.web.post(path, data=body, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def prepare(app, make_user, signed_in, client):
    def make(form):
        ids = {}
        _people(app, make_user, ids)
        ids["contributor_id"] = ids["people"]["contributor"].id
        with app.app_context():
            from app.community.models import ThematicArea
            from app.extensions import db

            ids["bm_area"] = db.session.scalar(sa.select(ThematicArea.id).where(ThematicArea.code == "BM"))
        if form.setup:
            form.setup(app, make_user, ids)
        web = signed_in(ids["people"][form.role]) if form.role else client
        return Poster(app, form, ids, web)

    return make


def assert_refused_with_a_message(response):
    body = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, body[:800])
    assert re.search(r'class="error|class="error-summary|<p class="lead">|class="flash flash-error', body), body[:2000]


def assert_stored_only_where_it_should(form, before, after):
    unexpected = changed_tables(before, after) - form.touches - BOOKKEEPING
    assert not unexpected, f"{form.name} changed {unexpected}"


def check(app, poster, response, before, expect):
    """The one rule: a 4xx with a message and nothing changed, or a clean store (`expect(stored)`) and nothing else changed."""
    assert response.status_code < 500, response.get_data(as_text=True)[:800]
    after = snapshot(app)
    if response.status_code >= 400:
        assert_refused_with_a_message(response)
        assert after == before, f"refused but changed {changed_tables(before, after)}"
        return "refused"
    if after == before:
        # Some buttons answer a refusal with a redirect and a flashed message: nothing stored is what counts.
        return "unchanged"
    assert_stored_only_where_it_should(poster.form, before, after)
    if poster.form.read is not None:
        expect(poster.form.read(app, poster.ids))
    return "stored"


def _words(text):
    return " ".join(text.split())


def _text_forms():
    return [form for form in FORMS if form.texts]


def _cases(forms, category):
    return [pytest.param(form, id=f"{form.name}-{category}") for form in forms]


def _run_texts(app, poster, entries, make_value, expect_value, raw=None):
    outcomes = []
    for entry in entries:
        data = poster.valid()
        typed = {}
        for name, kind in poster.form.texts.items():
            typed[name] = make_value(name, entry)
            data[name] = typed[name]
            if kind == "secret" and name.endswith("-password"):
                data[name.replace("-password", "-confirm")] = typed[name]
        before = snapshot(app)
        response = poster.post(data, raw)

        def expect(stored, typed=typed, entry=entry):
            for name, kind in poster.form.texts.items():
                assert name in stored, f"{name} not stored"
                expect_value(kind, typed[name], stored[name], name, entry)

        outcomes.append(check(app, poster, response, before, expect))
    return outcomes


def _no_hidden(value):
    assert not INVISIBLE_CHARACTERS & set(value), repr(value)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", value), repr(value)


# --- markup -------------------------------------------------------------------------------------------


def _expect_markup(kind, typed, stored, name, entry):
    if kind in ("kept", "secret"):
        assert stored == typed.strip(), (name, typed, stored)
    elif kind == "plain":
        # Kept as typed and escaped where shown (app/sanitising.py); a one-line field joins its lines.
        assert _words(stored) == _words(typed), (name, typed, stored)
    else:
        assert not active_content(stored), f"{name}: active content: {stored!r}"


@pytest.mark.parametrize("form", _cases(_text_forms(), "markup"))
def test_markup_in_every_text_field(app, prepare, form):
    poster = prepare(form)
    entries = FORM_MARKUP[: 8 if form.fresh_per_post else None][:8]
    outcomes = _run_texts(app, poster, entries, lambda name, entry: f"{name} {entry}", _expect_markup)
    assert "stored" in outcomes, f"{form.name}: nothing was ever stored, so the cleaning was never checked: {outcomes}"


# --- control and direction characters ----------------------------------------------------------------------


def _expect_hidden_removed(kind, typed, stored, name, entry):
    _no_hidden(stored)
    visible = "".join(ch for ch in typed if ch not in INVISIBLE_CHARACTERS)
    if kind == "rich":
        stored = re.sub(r"<[^>]+>", " ", stored)
    assert _words(stored) == _words(visible), (name, typed, stored)


@pytest.mark.parametrize("form", _cases([form for form in _text_forms() if "secret" not in form.texts.values()], "control"))
def test_control_characters_are_removed(app, prepare, form):
    poster = prepare(form)
    outcomes = _run_texts(app, poster, CONTROL_INPUTS, lambda name, entry: f"{name} {entry}", _expect_hidden_removed)
    assert "stored" in outcomes, outcomes


@pytest.mark.parametrize("form", _cases([form for form in _text_forms() if "secret" not in form.texts.values()], "direction"))
def test_direction_overrides_are_removed(app, prepare, form):
    poster = prepare(form)
    outcomes = _run_texts(app, poster, DIRECTION_INPUTS, lambda name, entry: f"{name} {entry}", _expect_hidden_removed)
    assert "stored" in outcomes, outcomes


def test_passwords_are_kept_as_typed_even_with_control_characters(app, prepare):
    """A password is never cleaned: what is typed is what signs in (or it is refused)."""
    form = next(form for form in FORMS if form.name == "change password")
    poster = prepare(form)
    outcomes = _run_texts(app, poster, INVISIBLE_INPUTS, lambda name, entry: f"pass {entry} phrase", _expect_markup)
    assert set(outcomes) <= {"stored", "refused"}, outcomes


# --- lone surrogates, as a browser sends them: invalid UTF-8 percent-escapes ---------------------------------


def _expect_no_surrogate(kind, typed, stored, name, entry):
    _no_hidden(stored)
    stored.encode("utf-8")  # storable and showable text
    if kind == "secret":
        return
    words = typed.replace("SURROGATE", "")
    if kind == "rich":
        stored = re.sub(r"<[^>]+>", "", stored)
    # The undecodable bytes may arrive as U+FFFD, or kept as the literal escape text (Werkzeug): text either way.
    shown = re.sub(r"(%[0-9A-Fa-f]{2})+", "", stored.replace("\ufffd", ""))
    assert _words(shown) == _words(words), (name, typed, stored)


@pytest.mark.parametrize("form", _cases(_text_forms(), "surrogates"))
def test_lone_surrogates_as_percent_escapes(app, prepare, form):
    poster = prepare(form)
    for escape in FORM_SURROGATE_ESCAPES:
        outcomes = _run_texts(
            app, poster, ["x"], lambda name, entry: f"{name} beforeSURROGATEafter", _expect_no_surrogate, raw={"SURROGATE": escape}
        )
        assert outcomes != ["unchanged"], (escape, outcomes)


# --- over-long text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", _cases([form for form in _text_forms() if "secret" not in form.texts.values()], "long"))
def test_over_long_text_is_refused_or_kept_whole(app, prepare, form):
    poster = prepare(form)
    for name in form.texts:
        if name == "reference_title_0":
            continue  # cut to 300 characters, not refused: test_an_over_long_reference_title_is_refused_not_cut
        data = poster.valid()
        data[name] = FORM_LONG_TEXT
        before = snapshot(app)
        response = poster.post(data)
        # Stored only whole: a silently cut text is a changed text.
        outcome = check(app, poster, response, before, lambda stored, name=name: _assert_whole(stored, name))
        assert outcome != "unchanged" or not form.read, (name, outcome)


def test_an_over_long_reference_title_is_refused_not_cut(app, prepare):
    poster = prepare(next(form for form in FORMS if form.name == "new capability_gap"))
    data = poster.valid()
    data["reference_title_0"] = FORM_LONG_TEXT
    before = snapshot(app)
    check(app, poster, poster.post(data), before, lambda stored: _assert_whole(stored, "reference_title_0"))


def _assert_whole(stored, name):
    assert stored[name] == FORM_LONG_TEXT, f"{name} stored {len(stored[name])} of {len(FORM_LONG_TEXT)} characters"


# --- huge and negative numbers, ids out of range ------------------------------------------------------------


@pytest.mark.parametrize("form", _cases([form for form in FORMS if form.numbers], "numbers"))
def test_huge_and_negative_numbers_change_nothing(app, prepare, form):
    poster = prepare(form)
    for name in form.numbers:
        for number in FORM_NUMBERS:
            data = poster.valid()
            data[name] = [number] if isinstance(data.get(name), list) else number
            before = snapshot(app)
            response = poster.post(data)
            assert response.status_code < 500, (name, number, response.get_data(as_text=True)[:500])
            if name == "version":
                continue  # a version that names no saved state is not checked against (tests/security/test_bad_input.py)
            assert snapshot(app) == before, (name, number, response.status_code)
            if response.status_code >= 400:
                assert_refused_with_a_message(response)


@pytest.mark.parametrize(
    "path, data",
    [
        ("/desk/contributions/{in_review}/reviewers", {"reviewer_id": str(HUGE)}),
        ("/desk/contributions/{in_review}/reviewers", {"reviewer_id": str(2**63)}),
        ("/desk/contributions/{in_review}/reviewers", {"reviewer_id": str(2**31)}),
        ("/reports/{report}/sections/{section}/items", {"contribution_id": str(HUGE), "status": "included"}),
        ("/reports/{report}/sections/{section}/items", {"contribution_id": str(2**63), "status": "included"}),
        ("/reports/{report}/sections/{section}/items", {"contribution_id": str(2**31), "status": "included"}),
    ],
)
def test_ids_beyond_the_database_integers_in_forms_are_a_4xx(app, prepare, path, data):
    """On SQLite an id above 2^63 used to reach the driver (OverflowError, a 500); PostgreSQL refuses above 2^31."""
    form = Form(
        "ids",
        "editor",
        path,
        path.split("/reviewers")[0].split("/items")[0],
        valid=None,
        setup=lambda app, make_user, ids: (_setup_desk(app, make_user, ids), _setup_report(app, make_user, ids)),
    )
    poster = prepare(form)
    before = snapshot(app)
    response = poster.post(data)
    assert_refused_with_a_message(response)
    assert snapshot(app) == before


# --- wrong choices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", _cases([form for form in FORMS if form.choices], "choices"))
def test_wrong_choice_values_change_nothing(app, prepare, form):
    poster = prepare(form)
    for name in form.choices:
        for wrong in FORM_WRONG_CHOICES:
            data = poster.valid()
            data[name] = [wrong] if isinstance(data.get(name), list) else wrong
            before = snapshot(app)
            response = poster.post(data)
            assert response.status_code < 500, (name, wrong, response.get_data(as_text=True)[:500])
            assert snapshot(app) == before, (name, wrong, response.status_code)
            if response.status_code >= 400:
                assert_refused_with_a_message(response)


# --- several values where one is expected ------------------------------------------------------------------


@pytest.mark.parametrize("form", _cases([form for form in FORMS if form.texts or form.choices or form.numbers], "lists"))
def test_a_list_where_one_value_is_expected(app, prepare, form):
    """The first value counts (as in a browser's form), or the post is refused; the others are never stored."""
    poster = prepare(form)
    data = poster.valid()
    single = [
        name
        for name, value in data.items()
        if not isinstance(value, list) and name not in ("form", "version", "creation_key", "password-confirm")
    ]
    second = "second value <b>bold</b>\u202e"
    posted = {name: ([data[name], second] if name in single else data[name]) for name in data}
    before = snapshot(app)
    response = poster.post(posted)

    def expect(stored):
        for name in form.texts:
            if name in stored and form.texts[name] != "secret":
                assert "second value" not in stored[name], (name, stored[name])

    check(app, poster, response, before, expect)
    if form.read and response.status_code < 400:
        stored = form.read(app, poster.ids)
        for name, kind in form.texts.items():
            if kind in ("kept", "plain"):
                assert _words(stored[name]) == _words(data[name]), (name, stored[name])


# --- oversize bodies -------------------------------------------------------------------------------------


def test_an_oversize_attachment_is_413_with_the_limit_stated(app, make_app, prepare):
    form = next(form for form in FORMS if form.name == "edit capability_gap")
    poster = prepare(form)
    before = snapshot(app)
    limit = app.config["MAX_ATTACHMENT_BYTES"]
    response = poster.web.post(
        poster._fill("/contributions/{draft}/attachments"),
        data={"csrf_token": poster.token, "file": (__import__("io").BytesIO(b"%PDF-1.4\n" + b"0" * (limit + 1)), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert f"{limit / 1048576:.1f} MB" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_form_body_over_the_request_limit_is_413_with_the_limit_stated(make_app, app, signed_in, make_user):
    small = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    web = small.test_client()
    before = snapshot(app)
    response = web.post("/request-access", data={"name": "x" * (128 * 1024), "email": "a@example.eu"})
    assert response.status_code == 413
    assert "0.1 MB" in response.get_data(as_text=True)
    assert snapshot(app) == before
