"""Complete, valid API payloads for each contribution type, and worlds to test the workflow in."""

from app.auth.models import User
from app.contributions import services
from app.contributions.models import Contribution
from app.extensions import db
from app.projects.models import Project
from app.reviews.models import Review, ReviewerAssignment
from app.timeutil import utcnow

TYPE_FIELDS = {
    "capability_gap": {
        "need": "Detecting small drones over the green border at night",
        "operational_context": "Patrols along 400 km of forested border",
        "practitioners_affected": ["police", "border_guards"],
        "current_workaround": "Visual spotting by patrols",
        "priority": "high",
        "time_horizon": "short",
    },
    "technology": {
        "solution": "Passive radio-frequency sensing network",
        "solution_kind": "technology",
        "trl": 7,
        "availability": "commercial",
        "limitations": "Blind to autonomous drones without radio links",
    },
    "outcome": {
        "outcome": "Joint exercises cut response times by a third",
        "outcome_kind": "lesson_learnt",
        "aspects": ["technological", "societal"],
        "recommendation": "Hold yearly cross-border exercises",
    },
    "exploitation": {
        "direction": "constraint",
        "description": "Pre-commercial procurement rules deter small suppliers",
        "barrier_kinds": ["procurement", "funding"],
        "recommendation": "Simplify joint procurement across member states",
    },
    "standardisation": {
        "area": "Interoperable body-worn camera evidence formats",
        "existing_standards": "None covers chain of custody metadata",
        "proposed_action": "standard",
        "standards_body": "CEN/TC 391",
    },
    "trend": {
        "trend": "Generative models used for synthetic identity fraud",
        "drivers": "Cheap compute and open models",
        "horizon": "2-5",
        "likelihood": "high",
        "impact": "very_high",
        "weak_signals": "Forums selling face-swap kits",
        "first_observed": "2025-04-01",
        "source_url": "https://www.europol.europa.eu/",
    },
}


def payload(contribution_type, project_ids=(), **overrides):
    body = {
        "type": contribution_type,
        "title": f"A {contribution_type.replace('_', ' ')} from the field",
        "thematic_areas": ["BM"],
        "summary": "<p>Why it <strong>matters</strong> to practitioners.</p>",
        "fields": dict(TYPE_FIELDS[contribution_type]),
        "references": [{"url": "https://cordis.europa.eu/", "title": "CORDIS"}],
        "project_ids": list(project_ids),
    }
    body.update(overrides)
    return body


def make_project(acronym="BORDERSENSE"):
    project = Project(acronym=acronym, title=f"{acronym} research project", programme="HORIZON")
    db.session.add(project)
    db.session.commit()
    return project


def put_in_state(contribution, state, reviewers, actor):
    """Bring a complete draft to `state` directly (the workflow itself is what the tests exercise)."""
    if state == "draft":
        return contribution
    services.mark_submitted(contribution, actor)
    contribution.state = state
    if state != "submitted":
        for reviewer in reviewers:
            db.session.add(ReviewerAssignment(contribution_id=contribution.id, reviewer_id=reviewer.id, due_at=utcnow(), automatic=False))
            db.session.add(
                Review(
                    contribution_id=contribution.id,
                    reviewer_id=reviewer.id,
                    revision=contribution.revision,
                    recommendation="accept",
                    relevance=4,
                    evidence=4,
                    urgency=3,
                )
            )
    db.session.commit()
    return contribution


def reload(contribution_id):
    db.session.expire_all()
    return db.session.get(Contribution, contribution_id)


def user(user_id):
    return db.session.get(User, user_id)
