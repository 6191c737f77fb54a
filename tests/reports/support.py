"""Test aids for reports: the reports folder, accepted contributions, API tokens, following a build job.

Importing this module points REPORTS_FOLDER at a temporary folder through the
environment, so the rq worker process of the PostgreSQL/Redis run (started
after collection, with the environment) writes where the test app reads.
"""

import atexit
import os
import shutil
import tempfile
from datetime import timedelta
from urllib.parse import urlsplit

from tests.support import wait_for

if "REPORTS_FOLDER" not in os.environ:
    os.environ["REPORTS_FOLDER"] = tempfile.mkdtemp(prefix="ceris-test-reports-")
    # Ours, so removed when the run ends.
    atexit.register(shutil.rmtree, os.environ["REPORTS_FOLDER"], True)
REPORTS_FOLDER = os.environ["REPORTS_FOLDER"]

FIELDS = {
    "capability_gap": {
        "need": "Practitioners need this.",
        "operational_context": "Land borders at night.",
        "practitioners_affected": ["border_guards"],
        "priority": "high",
        "time_horizon": "short",
    },
    "technology": {
        "solution": "A sensor network.",
        "solution_kind": "technology",
        "trl": 6,
        "availability": "prototype",
        "addresses_gaps": [],
    },
    "outcome": {"outcome": "It worked.", "outcome_kind": "lesson_learnt", "aspects": ["technological"], "recommendation": "Do it again."},
    "exploitation": {
        "direction": "constraint",
        "description": "Procurement is slow.",
        "barrier_kinds": ["procurement"],
        "recommendation": "Pre-commercial procurement.",
    },
    "standardisation": {"area": "Drone detection interfaces.", "proposed_action": "standard"},
    "trend": {"trend": "Cheap drones.", "drivers": "Mass market.", "horizon": "2-5", "likelihood": "high", "impact": "high"},
}


def make_network(app, name, country="BE", kind="practitioners"):
    from tests.factories import NetworkFactory

    with app.app_context():
        return NetworkFactory(name=name, country=country, kind=kind).id


def make_contribution(
    app,
    title,
    type="capability_gap",
    areas=("BM",),
    network_id=None,
    state="accepted",
    author_id=None,
    fields=None,
    addresses=(),
    submitted_days_ago=1,
    organisation=None,
):
    """A contribution straight in `state` (default accepted), committed; returns its id."""
    from app.community.models import ThematicArea
    from app.contributions.models import Contribution
    from app.contributions.services import search_text_of
    from app.extensions import db
    from app.timeutil import utcnow
    from tests.factories import UserFactory

    with app.app_context():
        if author_id is None:
            extra = {"organisation": organisation} if organisation is not None else {}
            author_id = UserFactory(roles=["contributor"], **extra).id
        contribution = Contribution(
            type=type,
            title=title,
            summary=f"<p>Summary of {title}.</p>",
            fields={**FIELDS[type], **(fields or {})},
            references=[],
            state=state,
            author_id=author_id,
            network_id=network_id,
            submitted_at=utcnow() - timedelta(days=submitted_days_ago),
        )
        contribution.areas = db.session.scalars(db.select(ThematicArea).where(ThematicArea.code.in_(areas))).all()
        if addresses:
            contribution.addressed_gaps = db.session.scalars(db.select(Contribution).where(Contribution.id.in_(addresses))).all()
            contribution.fields = {**contribution.fields, "addresses_gaps": list(addresses)}
        contribution.search_text = search_text_of(contribution)
        db.session.add(contribution)
        db.session.commit()
        return contribution.id


def bearer(app, user):
    """Authorization headers with a new API token for `user` (an identity from make_user)."""
    from app.auth import services as auth_services
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        _token, plaintext = auth_services.issue_api_token(db.session.get(User, user.id), "reports test")
    return {"Authorization": f"Bearer {plaintext}"}


def create_report(client, headers, **overrides):
    payload = {"kind": "state_of_the_art", "title": "Border management state of the art 2026", "thematic_areas": ["BM"], **overrides}
    response = client.post("/api/v1/reports", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def section_named(report, heading):
    return next(section for section in report["sections"] if section["heading"] == heading)


def item_for(section, contribution_id):
    return next((item for item in section["items"] if item["contribution_id"] == contribution_id), None)


def set_item(client, headers, report, heading, contribution_id, status, position=None):
    section = section_named(report, heading)
    body = {"contribution_id": contribution_id, "status": status}
    if position is not None:
        body["position"] = position
    response = client.post(f"/api/v1/reports/{report['id']}/sections/{section['id']}/items", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def publish_and_wait(client, headers, report_id, expect="finished", timeout=60):
    """POST publish (202), then poll GET /api/v1/jobs/{id} until the job ends; returns the job."""
    response = client.post(f"/api/v1/reports/{report_id}/publish", headers=headers)
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job_id"]

    def ended():
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).get_json()
        return job if job["state"] in ("finished", "failed") else None

    job = wait_for(ended, timeout=timeout, interval=0.2, message=f"report build job {job_id}")
    assert job["state"] == expect, job
    return job


def download(client, url):
    """GET a file URL from the API (absolute, on PUBLIC_BASE_URL) with the test client."""
    parts = urlsplit(url)
    response = client.get(parts.path)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data()


def pdf_text(content):
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def flat(text):
    return " ".join(text.split())
