"""What everyone may read of a contribution: the revision a published report cites (DESIGN.md, "Who reads a contribution").

A published report version records the revision of each contribution it draws on
(app/reports/models.py ReportCitation, written with the version). That revision is
readable without signing in, so a report's links work for visitors, and only these
parts of it: title, type, thematic areas, summary, type-specific answers, source
network (or organisation), linked projects. Never reviews, attachments, reviewer
names, the author's e-mail or the history's comments.

Anything else (a draft, a contribution no published version cites, a revision it
does not cite, a report version not published) reads as absent: NotFound, exactly
like an id that does not exist.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.auth.models import User
from app.community.models import Network, ThematicArea
from app.contributions import services
from app.contributions.models import Contribution, ContributionRevision
from app.contributions.types import TYPES
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.projects.models import Project
from app.reports.models import Report, ReportCitation, ReportVersion
from app.service_errors import NotFound


@dataclass(frozen=True)
class CitingVersion:
    """A published report version citing the revision: where the public page links back to."""

    report_id: int
    report_title: str
    number: int


@dataclass(frozen=True)
class PublicRevision:
    """The parts of a cited revision everyone may read (nothing else is loaded)."""

    contribution_id: int
    number: int
    type: str
    title: str
    summary: str  # sanitised when stored
    fields: list  # [(FieldSpec, value)]: answered fields, references to other contributions left out
    areas: list  # [ThematicArea]
    source: str  # the network's name, or the author's organisation, as the report says it
    network: Network | None
    projects: list  # [(id, acronym, title)] of the linked projects
    cited_by: list  # [CitingVersion], newest first

    @property
    def spec(self):
        return TYPES[self.type]


def _not_found():
    return NotFound(_l("This contribution does not exist, or you may not open it."))


def _citing_versions(contribution_id, number):
    """The published versions citing revision `number` of the contribution, newest first (one query)."""
    rows = db.session.execute(
        sa.select(Report.id, ReportVersion.title, ReportVersion.number)
        .join(ReportVersion, ReportVersion.report_id == Report.id)
        .join(ReportCitation, ReportCitation.report_version_id == ReportVersion.id)
        .where(ReportCitation.contribution_id == contribution_id, ReportCitation.revision == number)
        .order_by(ReportVersion.published_at.desc(), ReportVersion.id.desc())
    ).all()
    return [CitingVersion(report_id, title, version_number) for report_id, title, version_number in rows]


def is_cited(contribution_id, number):
    """Whether some published report version cites revision `number` of the contribution."""
    return bool(
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                sa.exists().where(ReportCitation.contribution_id == contribution_id, ReportCitation.revision == number)
            )
        )
    )


def latest_cited_revision(contribution_id):
    """The newest revision number of the contribution that a published report version cites, or None."""
    return db.session.scalar(sa.select(sa.func.max(ReportCitation.revision)).where(ReportCitation.contribution_id == contribution_id))


def cited_revision(contribution_id, number):
    """The public reading of revision `number` of the contribution; NotFound unless a published report version cites it."""
    cited_by = _citing_versions(contribution_id, number)
    if not cited_by:
        raise _not_found()
    row = db.session.execute(
        sa.select(ContributionRevision, Contribution.type, Contribution.author_id)
        .join(Contribution, Contribution.id == ContributionRevision.contribution_id)
        .where(ContributionRevision.contribution_id == contribution_id, ContributionRevision.number == number)
    ).first()
    if row is None:
        raise _not_found()
    revision, contribution_type, author_id = row
    spec = TYPES[contribution_type]
    answers = revision.fields or {}
    fields = [
        (field, answers[field.name])
        for field in spec.fields
        if field.kind != "contribution_refs" and answers.get(field.name) not in (None, "", [])
    ]
    codes = list(revision.area_codes or [])
    areas = (
        db.session.scalars(sa.select(ThematicArea).where(ThematicArea.code.in_(codes)).order_by(ThematicArea.position)).all()
        if codes
        else []
    )
    network = db.session.get(Network, revision.network_id) if revision.network_id else None
    project_ids = [item for item in revision.project_ids or [] if isinstance(item, int)]
    projects = (
        db.session.execute(
            sa.select(Project.id, Project.acronym, Project.title).where(Project.id.in_(project_ids)).order_by(Project.acronym)
        ).all()
        if project_ids
        else []
    )
    return PublicRevision(
        contribution_id=contribution_id,
        number=number,
        type=contribution_type,
        title=revision.title,
        summary=revision.summary or "",
        fields=fields,
        areas=list(areas),
        source=network.name if network is not None else _organisation_of(author_id),
        network=network,
        projects=list(projects),
        cited_by=cited_by,
    )


def _organisation_of(author_id):
    return db.session.scalar(sa.select(User.organisation).where(User.id == author_id)) or ""


def can_open_full(user, contribution_id):
    """Whether `user` may open the contribution's own page (its current state, with what their role shows)."""
    return services.get_visible(user, contribution_id) is not None


# --- written when a version is published (app/reports/publishing.py) -------------------------------


def record_citations(version, cited):
    """The published `version` cites these revisions ({contribution id: revision number}).

    A cited revision must be stored to be readable: one the contribution never
    froze (made outside the workflow) is frozen now from what it says, which is
    what the version published.
    """
    if not cited:
        return
    ids = list(cited)
    stored = {
        (contribution_id, number)
        for contribution_id, number in db.session.execute(
            sa.select(ContributionRevision.contribution_id, ContributionRevision.number).where(
                ContributionRevision.contribution_id.in_(ids)
            )
        )
    }
    contributions = {item.id: item for item in db.session.scalars(sa.select(Contribution).where(Contribution.id.in_(ids)))}
    for contribution_id, number in cited.items():
        contribution = contributions.get(contribution_id)
        if contribution is None:
            continue
        if (contribution_id, number) not in stored and contribution.revision == number:
            services.record_revision(contribution, None)
        db.session.add(ReportCitation(report_version_id=version.id, contribution_id=contribution_id, revision=number))
    db.session.flush()
