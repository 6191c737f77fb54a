"""The API's request and response bodies, declared once (DESIGN.md, API contract).

Handlers read requests through the `Body` and `Query` classes and answer
through the `Answer` classes (app/api/schema.py); /api/v1/openapi.json is
generated from the same classes (app/api/openapi.py). Value lists come from the
models, so they cannot drift.
"""

from datetime import date
from typing import Any

from pydantic import Field, create_model

from app.api.schema import Answer, Body, NonBlank, PageQuery, RecordId, Timestamp, documented, one_of
from app.auth.models import ROLES
from app.background.models import JOB_STATES
from app.contributions.models import STATES as CONTRIBUTION_STATES
from app.contributions.types import FIELD_KINDS, TYPES
from app.reports.models import FILE_FORMATS, ITEM_STATUSES
from app.reports.models import KINDS as REPORT_KINDS
from app.reports.models import STATES as REPORT_STATES
from app.reviews.models import RECOMMENDATIONS, REQUEST_STATES, SCORES

Text = str
Date = documented(str | None, format="date")


def _keyed(name, keys, value_type, base, description=None):
    """An object with one field per key (file formats, score names): aliases let a key be any word, even `json`."""
    fields = {f"k_{key}": (value_type, Field(alias=key)) for key in keys}
    model = create_model(name, __base__=base, **fields)
    if description:
        model.__doc__ = description
    return model


def _page_of(model):
    """The list shape: {items, page, per_page, total}."""
    return create_model(
        f"{model.__name__}Page",
        __base__=Answer,
        items=(list[model], ...),
        page=(int, Field(ge=1)),
        per_page=(int, Field(ge=1)),
        total=(int, Field(ge=0)),
    )


# --- errors ------------------------------------------------------------------------------------


class Error(Answer):
    """Every error: a sentence, and for invalid input the message per field."""

    error: Text
    fields: dict[str, str] = Field(
        None, description="Per-field messages, for validation errors only; nested places as dotted paths (references.0.url)"
    )


# --- accounts and reference data ------------------------------------------------------------------


class TokenRequest(Body):
    email: documented(NonBlank, format="email")
    password: NonBlank
    name: str = Field(None, description="What the token is for")


class Token(Answer):
    token: Text


class Network(Answer):
    id: int
    name: Text
    kind: Text


class User(Answer):
    id: int
    email: documented(str, format="email")
    name: Text
    roles: list[one_of(ROLES)]
    areas: list[Text]
    organisation: Text
    networks: list[Network]


class ThematicArea(Answer):
    code: Text
    name: Text


ThematicAreaPage = _page_of(ThematicArea)


# --- reports and background jobs ------------------------------------------------------------------

ReportKind = one_of(REPORT_KINDS)
ItemStatus = one_of(ITEM_STATUSES)


class ReportInput(Body):
    kind: documented(str, enum=list(REPORT_KINDS))
    title: documented(str, maxLength=300)
    thematic_areas: documented(list[str], minItems=1)
    period_start: Date = None
    period_end: Date = None


class ReportChange(Body):
    """Only these four may change: any other field is refused by name."""

    model_config = Body.model_config | {"extra": "forbid"}

    title: documented(str, maxLength=300) = None
    thematic_areas: documented(list[str], minItems=1) = None
    period_start: Date = None
    period_end: Date = None


class ReportItemChoice(Body):
    """Include, exclude or move one contribution (position: 1 = first among the included)."""

    contribution_id: int
    status: documented(str, enum=list(ITEM_STATUSES))
    position: documented(int | None, minimum=1) = None


class ReportQuery(PageQuery):
    area: str = Field(None, description="Thematic area code")
    kind: ReportKind = None
    state: one_of(REPORT_STATES) = None


class ReportItem(Answer):
    contribution_id: int
    title: Text
    type: Text
    network: Text | None
    status: ItemStatus
    position: documented(int | None, minimum=1, description="Order among the included items (1 = first)")
    accepted: bool = Field(None, description="Editors: false once the contribution was re-opened; it is then left out")
    note: Text = Field(None, description="Editors: why the item is out of the report")


class SectionCriteria(Answer):
    """Editors only: which contributions the section draws."""

    draws_contributions: bool
    areas: list[Text]
    types: list[Text] = Field(description="Empty: every type")
    period_start: date | None
    period_end: date | None
    workshop_id: int | None
    network_id: int | None


class ReportSection(Answer):
    id: int
    position: int
    heading: Text
    synthesis: Text = Field(description="Sanitised HTML")
    criteria: SectionCriteria = None
    items: list[ReportItem]


ReportFiles = _keyed("ReportFiles", FILE_FORMATS, documented(str, format="uri"), Answer, "Public download URLs; the files never change")
ReportChecksums = _keyed("ReportChecksums", FILE_FORMATS, Text | None, Answer)


class ReportVersion(Answer):
    version: int
    title: Text
    published_at: Timestamp
    files: ReportFiles
    sha256: ReportChecksums


class Report(Answer):
    id: int
    kind: ReportKind
    title: Text
    thematic_areas: list[Text]
    period_start: date | None
    period_end: date | None
    state: one_of(REPORT_STATES, description="Always published for those who may not edit it")
    version: int = Field(description="The version being prepared, or the last published")
    url: documented(str, format="uri")
    build_error: Text | None = Field(None, description="Editors only: why the last build failed")
    build_job_id: Text | None = Field(None, description="Editors only")
    sections: list[ReportSection] = Field(None, description="Not in lists")
    versions: list[ReportVersion]


ReportPage = _page_of(Report)


class JobQueued(Answer):
    job_id: Text


class JobSubject(Answer):
    type: Text
    id: int | None


class Job(Answer):
    id: Text
    kind: Text
    state: one_of(JOB_STATES)
    progress: int = Field(ge=0, le=100)
    error: Text | None
    subject: JobSubject | None
    result: dict[str, Any]
    created_at: Timestamp
    updated_at: Timestamp


# --- contributions, workflow and reviews ---------------------------------------------------------------

ContributionState = one_of(CONTRIBUTION_STATES)
ContributionTypeCode = one_of(TYPES)


class ReferenceInput(Body):
    url: documented(str, format="uri", maxLength=2000)
    title: documented(str, maxLength=300) = None


class ContributionInput(Body):
    """A draft's content; incomplete is fine, invalid is not (the values are checked by the contributions service)."""

    type: documented(str, enum=list(TYPES))
    title: documented(str, maxLength=300)
    thematic_areas: list[str] = None
    summary: str = Field(None, description="HTML, sanitised against the allow-list in app/sanitising.py")
    fields: dict[str, Any] = Field(None, description="Type-specific answers; see GET /contribution-types")
    project_ids: list[int] = None
    workshop_id: int | None = None
    network_id: int | None = None
    call_topic_id: int | None = Field(None, description="The Horizon Europe call topic the contribution informs; null for none")
    references: list[ReferenceInput] = None


class ContributionChange(ContributionInput):
    type: documented(str, enum=list(TYPES)) = None
    title: documented(str, maxLength=300) = None
    version: int = Field(None, description="The version read; 409 when it changed since")
    response_to_reviewers: documented(
        str,
        maxLength=20000,
        description="The author, once changes were requested: what they tell the reviewers, kept with the new revision "
        "this edit makes (send it with the edits, or alone, before the resubmit transition); 422 on a draft never submitted",
    ) = None


class ContributionQuery(PageQuery):
    state: list[ContributionState] = Field(None, description="Repeat for several")
    type: list[ContributionTypeCode] = Field(None, description="Repeat for several")
    area: list[str] = Field(None, description="Thematic area code; repeat for several")
    network: RecordId = Field(None, description="Network id")
    workshop: RecordId = Field(None, description="Workshop id")
    created_from: date = Field(None, alias="from", description="Created on or after")
    created_to: date = Field(None, alias="to", description="Created on or before")
    q: str = Field(None, description="Full text over title, summary and fields")
    sort: one_of(("newest", "oldest", "updated", "title")) = "newest"


class TransitionRequest(Body):
    transition: str
    comment: str = None
    version: int = None


class ReviewerChoice(Body):
    """One named reviewer (user_id), or a top-up to the required number ("auto": true)."""

    user_id: int = None
    auto: bool = None


Scores = _keyed("Scores", SCORES, documented(int, minimum=1, maximum=5), Answer)
ScoresInput = _keyed("ScoresInput", SCORES, documented(int, minimum=1, maximum=5), Body)


class ReviewInput(Body):
    """The scores' ranges and the rule "tell the author why" are checked by the reviews service, field by field."""

    recommendation: documented(str, enum=list(RECOMMENDATIONS))
    scores: ScoresInput
    comment_to_author: str = None
    confidential_comment: str = Field(None, description="For the editors only")


class DeclineRequest(Body):
    reason: documented(str, maxLength=5000, description="Why the caller declines; the editors read it (required, not blank)")


class ReviewRequest(Answer):
    """The caller's request to review a contribution, and their answer to it."""

    contribution_id: int
    reviewer_id: int
    state: one_of(REQUEST_STATES, description="asked: not answered yet; agreed: accepted; declined")
    state_label: Text = Field(description="The state in words, in the caller's language")
    due_at: Timestamp
    accepted_at: Timestamp | None
    declined_at: Timestamp | None
    decline_reason: Text


class FieldChoice(Answer):
    value: Text
    label: Text


class TypeField(Answer):
    name: Text
    label: Text
    help: Text
    kind: one_of(FIELD_KINDS)
    required: bool
    choices: list[FieldChoice]
    min: int | None
    max: int | None
    refers_to: Text = Field(None, description="contribution_refs only: the type referred to")


class ContributionType(Answer):
    code: Text
    name: Text
    description: Text
    requires_projects: bool
    fields: list[TypeField]


ContributionTypePage = _page_of(ContributionType)


class ContributionSummary(Answer):
    id: int
    type: ContributionTypeCode
    title: Text
    thematic_areas: list[Text]
    state: ContributionState
    revision: int
    version: int
    author_id: int
    network_id: int | None
    workshop_id: int | None
    call_topic_id: int | None
    created_at: Timestamp
    updated_at: Timestamp


ContributionSummaryPage = _page_of(ContributionSummary)


class Reference(Answer):
    url: Text
    title: Text


class Attachment(Answer):
    id: int
    filename: Text
    content_type: Text
    size: int = Field(ge=0)


class HistoryEntry(Answer):
    transition: Text
    from_: ContributionState = Field(alias="from")
    to: ContributionState
    actor: int | None
    at: Timestamp
    comment: Text
    revision: int | None


class Review(Answer):
    id: int
    label: Text
    revision: int
    recommendation: one_of(RECOMMENDATIONS)
    scores: Scores
    average: float
    comment_to_author: Text
    updated_at: Timestamp
    reviewer_id: int = Field(None, description="Not shown to authors")
    reviewer_name: Text = Field(None, description="Not shown to authors")
    confidential_comment: Text = Field(None, description="Not shown to authors")


class ResponseToReviewers(Answer):
    """What the author told the reviewers with one revision."""

    revision: int
    text: Text = Field(description="Plain text as typed")


class CallTopicRef(Answer):
    """A Horizon Europe call topic, as a contribution names it."""

    id: int
    code: Text
    title: Text
    thematic_area: Text | None = Field(description="Code of the topic's thematic area, if it has one")


class Contribution(ContributionSummary):
    summary: Text
    call_topic: CallTopicRef | None = Field(description="The call topic it informs (call_topic_id), or null")
    fields: dict[str, Any]
    references: list[Reference]
    project_ids: list[int]
    submitted_at: Timestamp | None
    missing: dict[str, str] = Field(description="Required answers still missing (while editable)")
    allowed_transitions: list[Text] = Field(description="What the caller may do next")
    attachments: list[Attachment]
    history: list[HistoryEntry]
    reviewers: list[int] = Field(None, description="Editors and admins only")
    reviews: list[Review] = Field(None, description="Those the caller may read; absent when none")
    responses_to_reviewers: list[ResponseToReviewers] = Field(
        None,
        description="Those taking part in the review (the author, its area editors, its reviewers, admins): the author's "
        "responses to the reviewers, by revision, oldest first; revisions without one are left out",
    )


class ContributionWithAssignments(Contribution):
    assigned: list[int] = Field(description="The reviewers this call assigned")


# --- the project explorer -------------------------------------------------------------------------

from typing import Annotated  # noqa: E402

from pydantic import AfterValidator, WithJsonSchema  # noqa: E402
from pydantic_core import PydanticCustomError  # noqa: E402

from app.projects.explorer import FACETS as PROJECT_FACETS  # noqa: E402
from app.projects.explorer import SORTS as PROJECT_SORTS  # noqa: E402
from app.projects.models import PROGRAMMES, SOURCES  # noqa: E402

Money = documented(float | None, description="Euros")


def _year(value):
    if not 1900 <= value <= 2100:
        raise PydanticCustomError("year", "A year from 1900 to 2100.")
    return value


Year = Annotated[int, AfterValidator(_year), WithJsonSchema({"type": "integer", "minimum": 1900, "maximum": 2100})]


class ProjectQuery(PageQuery):
    q: str = Field(None, description="Words of the acronym, title or objective (each a prefix; all required)")
    programme: list[one_of(PROGRAMMES)] = Field(None, description="Repeat for several")
    area: list[str] = Field(None, description="Thematic area code; repeat for several")
    status: list[str] = Field(None, description="As CORDIS writes it (SIGNED, CLOSED, TERMINATED); repeat for several")
    start_year: list[Year] = Field(None, description="Repeat for several")
    funding_scheme: list[str] = Field(None, description="As CORDIS writes it (RIA, IA, CSA, ...); repeat for several")
    country: list[str] = Field(None, description="Coordinator's country, ISO 3166 alpha-2 as CORDIS writes it (EL, UK)")
    sort: one_of(PROJECT_SORTS) = Field("relevance", description="relevance needs q; without it, newest")


class FacetValue(Answer):
    value: str | int
    label: Text
    count: int = Field(ge=0, description="Results when this value is chosen (with the other facets' choices)")
    selected: bool


ProjectFacets = create_model("ProjectFacets", __base__=Answer, **dict.fromkeys(PROJECT_FACETS, (list[FacetValue], ...)))


class ProjectSummary(Answer):
    id: int
    acronym: Text
    title: Text
    programme: one_of(PROGRAMMES)
    status: Text
    start_date: date | None
    end_date: date | None
    total_cost: Money
    eu_contribution: Money
    funding_scheme: Text
    coordinator: Text
    coordinator_country: Text
    thematic_areas: list[Text]
    source: one_of(SOURCES, description="cordis: imported from CORDIS; manual: added by an editor")
    cordis_id: Text | None
    cordis_url: documented(str | None, format="uri")


class ProjectSearchPage(Answer):
    items: list[ProjectSummary]
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    total: int = Field(ge=0)
    sort: one_of(PROJECT_SORTS)
    facets: ProjectFacets


class CitingContribution(Answer):
    id: int
    type: ContributionTypeCode
    title: Text
    thematic_areas: list[Text]


class Project(ProjectSummary):
    objective: Text
    call_topic: Text
    topic_title: Text
    legal_basis: Text
    legal_basis_title: Text
    framework_programme: Text
    grant_doi: Text
    areas_manual: bool = Field(description="An editor set the areas; imports keep them")
    contributions: list[CitingContribution] = Field(description="The accepted contributions that cite the project")


# --- workshops ----------------------------------------------------------------------------------


class WorkshopQuery(PageQuery):
    area: str = Field(None, description="Thematic area code")
    upcoming: bool = Field(True, description="true (default): not ended yet, soonest first; false: ended, latest first")


class CallForInputs(Answer):
    opens_at: Timestamp
    closes_at: Timestamp
    types: list[ContributionTypeCode] = Field(description="The contribution types the call asks for")
    open: bool = Field(description="Whether contributions may be made for the workshop now")


class Workshop(Answer):
    id: int
    title: Text
    thematic_areas: list[Text]
    description: Text = Field(description="Sanitised HTML")
    starts_at: Timestamp
    ends_at: Timestamp
    time_zone: Text = Field(description="IANA name of the time zone it is held in, e.g. Europe/Brussels")
    starts_at_local: documented(str, format="date-time", description="The start in the workshop's time zone, with its offset")
    ends_at_local: documented(str, format="date-time", description="The end in the workshop's time zone, with its offset")
    place: Text
    online_url: documented(str | None, format="uri")
    agenda: Text = Field(description="Sanitised HTML")
    capacity: int | None = Field(description="Places for attendees; null: no limit")
    chair: Text | None
    call: CallForInputs | None = Field(description="null: no call for inputs")
    state: Text = Field(
        description="planned, call_open, call_closed, held or outcome_published (workflows/workshop.toml), from the times now"
    )
    state_label: Text
    outcome_summary: Text | None = Field(description="Sanitised HTML, once published")
    url: documented(str, format="uri")
    ics_url: documented(str, format="uri", description="iCalendar file (RFC 5545)")


WorkshopPage = _page_of(Workshop)
