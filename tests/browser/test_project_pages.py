"""The project explorer, a project's page and the admin import page in each state of an import, with real rows.

The route table (tests/test_routes_by_role.py) gives test_accessibility.py
only samples that answer 404 for a project and an import job; here the pages
show real content: the CORDIS sample when it is beside the repository, a
classified project, and imports finished, refused, running and waiting. Each
is checked with axe and for sideways scrolling at desktop width and at 390px
(a current phone), with screenshots in test-artifacts/.
"""

import io

import pytest
import sqlalchemy as sa

from tests.browser.support import DESKTOP, artifact_path, assert_accessible, sign_in
from tests.browser.test_layout import overflow
from tests.projects.test_import import CORDIS, HEADER_HE, he_row

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

GOOD = HEADER_HE + he_row("101000401", "BRIGHT", "HORIZON-CL3-2021-FCT-01-01") + he_row("101000402", "SHORE", "HORIZON-CL3-2021-BM-01-01")
BAD = (
    HEADER_HE
    + he_row("101000403", "FINE", "HORIZON-CL3-2021-FCT-01-01")
    + he_row("101000404", "BROKEN", "HORIZON-CL3-2021-FCT-01-01", end="2021-02-29")
)


def _import_job(app, admin_id, content, run=True, progress=None):
    """An import job of an uploaded file: run here to its end, started at `progress`, or left waiting."""
    from app.auth.models import User
    from app.background import services as background
    from app.extensions import db
    from app.projects import jobs, services

    with app.app_context():
        admin = db.session.get(User, admin_id)
        stored, kind = services.save_upload("project.csv", io.BytesIO(content.encode()), admin)
        # Not queued: the suite's worker (PostgreSQL + Redis runs) must not take it.
        job = background.new_job(jobs.IMPORT_JOB_KIND, created_by=admin, file=stored, filename="project.csv", file_kind=kind)
        db.session.commit()
        job_id = job.id
        if run:
            jobs.run_import(job_id)
        elif progress is not None:
            assert background.claim(job_id)
            background.set_progress(background.get(job_id), progress)
    return job_id


def _rich_project(app):
    from app.extensions import db
    from tests.factories import ProjectFactory

    with app.app_context():
        project = ProjectFactory(
            acronym="ROBORDER",
            title="autonomous swarm of heterogeneous RObots for BORDER surveillance",
            objective="A fully functional autonomous border surveillance system with unmanned mobile robots. " * 12,
            programme="H2020",
            call_topic="SEC-16-BES-2017",
            legal_basis="H2020-EU.3.7.3.;H2020-EU.3.7.8.",
            area_codes=["BM", "SSRI"],
        )
        db.session.commit()
        return project.id


@pytest.mark.parametrize("viewport_name, viewport", [("desktop", DESKTOP), ("phone", PHONE)], ids=["desktop", "phone"])
def test_explorer_project_page_and_import_page_with_real_content(app, new_page, make_user, viewport_name, viewport):
    from app.extensions import db
    from app.projects import services
    from app.projects.models import Project

    if CORDIS.is_dir():
        with app.app_context():
            services.import_file(str(CORDIS / "h2020-project-sample.csv"))
            db.session.commit()
    project_id = _rich_project(app)
    admin_user = make_user(["admin"], name="Ada Admin")
    finished = _import_job(app, admin_user.id, GOOD)
    refused = _import_job(app, admin_user.id, BAD)
    running = _import_job(app, admin_user.id, GOOD, run=False, progress=42)
    waiting = _import_job(app, admin_user.id, GOOD, run=False)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Project))
    problems = []

    def look(page, name, path, expect):
        response = page.goto(path)
        page.screenshot(path=artifact_path(f"projects-{viewport_name}-{name}.png"), full_page=True)
        if response.status != 200:
            problems.append(f"{path}: answered {response.status}")
        text = page.locator("main").inner_text()
        if expect not in text:
            problems.append(f"{path}: {expect!r} not on the page")
        result = overflow(page)
        if result["extra"] > 0:
            problems.append(f"{path}: {result['extra']}px too wide at {viewport['width']}px ({', '.join(result['offenders'])})")
        try:
            assert_accessible(page, f"projects-{viewport_name}-{name}")
        except AssertionError as failure:
            problems.append(str(failure))

    visitor = new_page(viewport)
    look(visitor, "explorer", "/projects", f"{total} projects")
    look(visitor, "explorer-search", "/projects?q=border&area=BM", "ROBORDER")
    look(visitor, "project", f"/projects/{project_id}", "autonomous swarm of heterogeneous RObots")

    admin = new_page(viewport)
    sign_in(admin, admin_user.email)
    look(admin, "project-as-admin", f"/projects/{project_id}", "ROBORDER")
    look(admin, "admin-index", "/admin/", "Import projects")
    look(admin, "import", "/admin/projects/import", "Import the file")
    look(admin, "import-finished", f"/admin/projects/import/{finished}", "Imported. CORDIS projects (project.csv): 2 created, 0 updated")
    look(admin, "import-refused", f"/admin/projects/import/{refused}", "Row 3 (line 3)")
    look(admin, "import-running", f"/admin/projects/import/{running}", "Importing: 42% done.")
    look(admin, "import-waiting", f"/admin/projects/import/{waiting}", "Waiting to start.")
    assert not problems, "\n".join(problems)
