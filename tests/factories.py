"""factory_boy factories for test data; rows are committed so other processes (rq worker, browser server) see them."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import User
from app.community.models import Network, ThematicArea
from app.contributions.models import Contribution
from app.extensions import db
from app.mail.models import OutboxMessage
from app.projects.models import CallTopic, Project
from app.reports.models import Report, ReportItem, ReportSection
from app.reviews.models import Review, ReviewerAssignment
from app.timeutil import utcnow

PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class NetworkFactory(BaseFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Test Network {n}")
    kind = "practitioners"
    country = "BE"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.eu")
    name = factory.Sequence(lambda n: f"Test User {n}")
    organisation = factory.Sequence(lambda n: f"Organisation {n}")
    active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or ["contributor"])

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        if extracted:
            self.areas = db.session.scalars(db.select(ThematicArea).where(ThematicArea.code.in_(extracted))).all()

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if extracted:
            self.networks = list(extracted)
        if create:
            db.session.commit()


class OutboxMessageFactory(BaseFactory):
    """An e-mail waiting in the outbox (pending), as `mail.services.queue_email` leaves it."""

    class Meta:
        model = OutboxMessage

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.eu")
    subject = factory.Sequence(lambda n: f"Test message {n}")
    body_text = "Hello from the CERIS Exchange outbox."
    body_html = "<p>Hello from the CERIS Exchange outbox.</p>"
    kind = "test"


# --- contributions, reviews and reports ----------------------------------------------------

# A complete capability gap: `submit` finds nothing missing.
CAPABILITY_GAP_FIELDS = {
    "need": "Detecting small drones over the green border at night",
    "operational_context": "Patrols along 400 km of forested border",
    "practitioners_affected": ["police", "border_guards"],
    "current_workaround": "Visual spotting by patrols",
    "priority": "high",
    "time_horizon": "short",
}


def _areas(codes):
    return db.session.scalars(db.select(ThematicArea).where(ThematicArea.code.in_(list(codes)))).all()


class ContributionFactory(BaseFactory):
    """A complete draft of a capability gap in area BM by a new contributor.

    Only the draft is made here: `contribution_in_state` moves it on through
    the workflow engine, so its history, revisions, assignments and reviews agree.
    """

    class Meta:
        model = Contribution

    type = "capability_gap"
    title = factory.Sequence(lambda n: f"Capability gap {n} from the field")
    summary = "<p>Why it <strong>matters</strong> to practitioners.</p>"
    fields = factory.LazyFunction(lambda: dict(CAPABILITY_GAP_FIELDS))
    references = factory.LazyFunction(lambda: [{"url": "https://cordis.europa.eu/", "title": "CORDIS"}])
    state = "draft"
    revision = 1
    author = factory.SubFactory(UserFactory, organisation="Guardia Civil")

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        from app.contributions.services import search_text_of

        self.areas = _areas(extracted or ["BM"])
        self.search_text = search_text_of(self)
        if create:
            db.session.commit()


class ProjectFactory(BaseFactory):
    """A CORDIS Horizon 2020 project in area BM (pass area_codes=[...] for others, [] for none)."""

    class Meta:
        model = Project

    acronym = factory.Sequence(lambda n: f"PROJ{n}")
    title = factory.Sequence(lambda n: f"Test project {n} on border surveillance")
    programme = "H2020"
    status = "CLOSED"
    start_date = factory.Sequence(lambda n: date(2015 + n % 8, 1 + n % 12, 1))
    end_date = factory.LazyAttribute(lambda project: date(project.start_date.year + 3, project.start_date.month, 1))
    total_cost = Decimal("3500000.00")
    eu_contribution = Decimal("2999875.50")
    coordinator = "Fraunhofer"
    coordinator_country = "DE"
    funding_scheme = "RIA"
    objective = "Improving situational awareness for practitioners."
    cordis_id = factory.Sequence(lambda n: str(700000 + n))
    source = "cordis"

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        self.areas = _areas(["BM"] if extracted is None else extracted)
        if create:
            db.session.commit()


class CallTopicFactory(BaseFactory):
    """A 2025 Cluster 3 call topic of area BM, open until the end of next year (pass area=None for none)."""

    class Meta:
        model = CallTopic

    code = factory.Sequence(lambda n: f"HORIZON-CL3-2025-01-BM-{n + 1:02d}")
    title = factory.Sequence(lambda n: f"Test call topic {n} on border surveillance")
    area = factory.LazyFunction(lambda: db.session.scalar(db.select(ThematicArea).where(ThematicArea.code == "BM")))
    opens = date(2025, 6, 12)
    deadline = factory.LazyFunction(lambda: date(utcnow().year + 1, 12, 31))
    description = "Expected Outcome: better border surveillance."
    work_programme_year = 2025


class ReviewerAssignmentFactory(BaseFactory):
    """An open assignment, due in REVIEW_DUE_DAYS (14) days. Assign through the service to check conflicts."""

    class Meta:
        model = ReviewerAssignment

    contribution = factory.SubFactory(ContributionFactory)
    reviewer = factory.SubFactory(UserFactory, roles=["reviewer"], area_codes=["BM"])
    due_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=14))
    automatic = False


class ReviewFactory(BaseFactory):
    """A review of the contribution's current revision recommending acceptance."""

    class Meta:
        model = Review
        exclude = ("contribution",)

    contribution = factory.SubFactory(ContributionFactory)
    contribution_id = factory.SelfAttribute("contribution.id")
    reviewer = factory.SubFactory(UserFactory, roles=["reviewer"], area_codes=["BM"])
    revision = factory.SelfAttribute("contribution.revision")
    recommendation = "accept"
    relevance = 4
    evidence = 4
    urgency = 3
    comment_to_author = "Clear and well evidenced."


class ReportFactory(BaseFactory):
    """A draft state-of-the-art report on area BM, without sections (add them with ReportSectionFactory)."""

    class Meta:
        model = Report

    kind = "state_of_the_art"
    title = factory.Sequence(lambda n: f"Border management state of the art {n}")
    state = "draft"
    version = 1
    created_by = factory.SubFactory(UserFactory, roles=["editor"], area_codes=["BM"])

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        self.areas = _areas(extracted or ["BM"])
        if create:
            db.session.commit()


class ReportSectionFactory(BaseFactory):
    """A section drawing every accepted contribution of its report's areas."""

    class Meta:
        model = ReportSection

    report = factory.SubFactory(ReportFactory)
    position = factory.Sequence(lambda n: n + 1)
    heading = factory.Sequence(lambda n: f"Section {n}")
    synthesis = ""
    draws_contributions = True
    area_codes = factory.LazyFunction(list)
    types = factory.LazyFunction(list)


class ReportItemFactory(BaseFactory):
    """A contribution in a report section (included unless said otherwise)."""

    class Meta:
        model = ReportItem

    section = factory.SubFactory(ReportSectionFactory)
    contribution = factory.SubFactory(ContributionFactory, state="accepted")
    status = "included"
    position = factory.Sequence(lambda n: n + 1)


# --- driving the real workflow -----------------------------------------------------------------

# How each state is reached from a draft, transition by transition (who takes it in brackets).
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "in_review": ["submit", "send_to_review"],
    "changes_requested": ["submit", "send_to_review", "request_changes"],
    "accepted": ["submit", "send_to_review", "reviews", "accept"],
    "rejected": ["submit", "send_to_review", "reviews", "reject"],
    "withdrawn": ["submit", "withdraw"],
}
EDITOR_TRANSITIONS = {"send_to_review", "request_changes", "accept", "reject", "desk_reject"}
REVIEW = {"recommendation": "accept", "scores": {"relevance": 4, "evidence": 4, "urgency": 3}, "comment_to_author": "Clear."}


class InState:
    """A contribution and the people around it, by id (usable after the app context ends)."""

    def __init__(self, contribution, editor, reviewers):
        self.id = contribution.id
        self.author_id = contribution.author_id
        self.editor_id = editor.id
        self.reviewer_ids = [reviewer.id for reviewer in reviewers]

    def __repr__(self):
        return f"<contribution {self.id}>"


def contribution_in_state(state, author=None, editor=None, reviewers=None, reviewed=False, **attributes):
    """A contribution taken to `state` by the workflow engine (see PATHS); returns an InState.

    `author`, `editor` and `reviewers` are users (models); missing ones are
    made in the contribution's first area (an editor, and
    REVIEWERS_PER_CONTRIBUTION reviewers). The reviewers are assigned before
    `send_to_review`, so its automatic top-up assigns no one else; on the
    way to `accepted` or `rejected` (or any state after `send_to_review` when
    `reviewed`) each of them reviews.
    """
    from flask import current_app

    from app.contributions import services as contributions
    from app.reviews import services as reviews

    if author is not None:
        attributes["author"] = author
    contribution = ContributionFactory(**attributes)
    codes = [area.code for area in contribution.areas]
    editor = editor or UserFactory(roles=["editor"], area_codes=codes, organisation="European Commission")
    if reviewers is None:
        count = current_app.config["REVIEWERS_PER_CONTRIBUTION"]
        reviewers = [UserFactory(roles=["reviewer"], area_codes=codes) for _ in range(count)]
    path = list(PATHS[state])
    if reviewed and "send_to_review" in path and "reviews" not in path:
        path.insert(path.index("send_to_review") + 1, "reviews")
    for step in path:
        if step == "send_to_review":
            for reviewer in reviewers:
                reviews.assign(contribution, reviewer, editor)
            db.session.commit()
        if step == "reviews":
            for reviewer in reviewers:
                reviews.submit_review(contribution, reviewer, REVIEW)
            continue
        actor = editor if step in EDITOR_TRANSITIONS else contribution.author
        comment = "Reasons are given." if step in ("request_changes", "reject", "desk_reject") else None
        contributions.transition(contribution, step, actor, comment=comment)
    db.session.refresh(contribution)
    assert contribution.state == state, (contribution.state, state)
    return InState(contribution, editor, reviewers)
