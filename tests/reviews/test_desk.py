"""The editor's desk per area, and the decision page with reviews side by side."""

from datetime import timedelta

import pytest

from tests.contributions.samples import payload, put_in_state, user
from tests.support import csrf_token


@pytest.fixture
def desk_world(app, make_user):
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review, ReviewerAssignment
    from app.timeutil import utcnow

    author = make_user(["contributor"], organisation="Guardia Civil")
    editor = make_user(["editor"], area_codes=["BM"], organisation="European Commission")
    first = make_user(["reviewer"], area_codes=["BM"], organisation="Politie")
    second = make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei")
    with app.app_context():

        def make(title, state, areas=("BM",)):
            contribution = services.create_draft(user(author.id), payload("capability_gap", title=title, thematic_areas=list(areas)))
            put_in_state(contribution, state, [user(first.id), user(second.id)], user(author.id))
            return contribution

        make("Awaiting screening", "submitted")
        make("Ready to decide", "in_review")
        waiting = make("Still being reviewed", "in_review")
        db.session.execute(db.delete(Review).where(Review.contribution_id == waiting.id))
        late = db.session.scalars(db.select(ReviewerAssignment).where(ReviewerAssignment.contribution_id == waiting.id)).first()
        late.due_at = utcnow() - timedelta(days=3)
        make("Cyber only", "submitted", areas=("CS",))
        db.session.commit()
    return {"editor": editor, "author": author, "first": first, "second": second}


def section(page, heading):
    start = page.index(heading)
    return page[start : page.index("</ul>", start)]


def test_the_desk_sorts_the_areas_work(signed_in, desk_world):
    page = signed_in(desk_world["editor"]).get("/desk").get_data(as_text=True)
    assert "Awaiting screening" in section(page, "Awaiting screening (1)")
    assert "Ready to decide" in section(page, "Ready for a decision (1)")
    assert "Still being reviewed" in section(page, "Reviews outstanding (1)")
    assert "Still being reviewed" in section(page, "Reviews overdue (1)")
    assert "Cyber only" not in page


def test_the_decision_page_shows_reviews_side_by_side_with_averages(app, signed_in, desk_world):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        contribution_id = db.session.scalar(db.select(Contribution.id).where(Contribution.title == "Ready to decide"))
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    table = page[page.index("<table") : page.index("</table>")]
    assert table.count("<tr>") == 4  # heading, two reviews, averages
    assert "Average" in table and ">4<" in table and ">3<" in table
    assert "Accept" in page and "Request changes" in page


def test_an_editor_of_another_area_cannot_open_the_decision_page(app, signed_in, make_user, desk_world):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        contribution_id = db.session.scalar(db.select(Contribution.id).where(Contribution.title == "Ready to decide"))
    other = signed_in(make_user(["editor"], area_codes=["CS"]))
    assert other.get(f"/desk/contributions/{contribution_id}").status_code == 404


def test_a_conflicting_manual_assignment_is_refused_with_the_reason(app, signed_in, make_user, desk_world):
    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    colleague = make_user(["reviewer"], area_codes=["BM"], organisation="Guardia Civil")
    with app.app_context():
        contribution_id = db.session.scalar(db.select(Contribution.id).where(Contribution.title == "Awaiting screening"))
        db.session.execute(db.delete(ReviewerAssignment).where(ReviewerAssignment.contribution_id == contribution_id))
        db.session.commit()
    web = signed_in(desk_world["editor"])
    token = csrf_token(web, f"/desk/contributions/{contribution_id}")
    response = web.post(
        f"/desk/contributions/{contribution_id}/reviewers", data={"csrf_token": token, "reviewer_id": colleague.id, "action": "manual"}
    )
    assert response.status_code == 303
    page = web.get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    assert "Conflict of interest" in page and "author&#39;s organisation" in page
    response = web.post(f"/desk/contributions/{contribution_id}/reviewers", data={"csrf_token": token, "reviewer_id": 0, "action": "auto"})
    assert response.status_code == 302
    with app.app_context():
        assigned = db.session.scalars(
            db.select(ReviewerAssignment.reviewer_id).where(ReviewerAssignment.contribution_id == contribution_id)
        ).all()
    assert sorted(assigned) == sorted([desk_world["first"].id, desk_world["second"].id])
