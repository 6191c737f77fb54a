"""The editor's desk per area, and the decision page with reviews side by side."""

import re
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
    return page[start : page.index("</table>", start)]


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
    start = page.index("Revision 1 (current)")
    table = page[page.index("<table", start) : page.index("</table>", start)]
    assert table.count("<tr>") == 4  # heading, two reviews, averages
    assert "Average" in table and ">4<" in table and ">3<" in table
    assert 'value="accept"' in page and 'value="request_changes"' in page


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


# --- the decision page: the contribution, every round, one decision form ---------------------


def contribution_id_of(app, title):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        return db.session.scalar(db.select(Contribution.id).where(Contribution.title == title))


def state_and_version(app, contribution_id):
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        contribution = db.session.get(Contribution, contribution_id)
        return contribution.state, contribution.version


def decide(web, contribution_id, **fields):
    token = csrf_token(web, f"/desk/contributions/{contribution_id}")
    return web.post(f"/desk/contributions/{contribution_id}/decision", data={"csrf_token": token, **fields})


def test_the_decision_page_shows_the_contribution_itself(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    assert "Detecting small drones over the green border at night" in page  # a type field
    assert "Patrols along 400 km of forested border" in page


def test_earlier_rounds_are_folded_and_the_current_round_is_open(app, signed_in, desk_world):
    from app.contributions.models import Contribution
    from app.extensions import db

    contribution_id = contribution_id_of(app, "Ready to decide")
    with app.app_context():
        db.session.get(Contribution, contribution_id).revision = 2
        db.session.commit()
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    folded = page[page.index("<details") : page.index("</details>")]
    assert "Revision 1: 2 reviews" in folded and desk_world["first"].email not in folded
    assert "No review of this revision yet." in page


def test_recommendations_read_as_words(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    table = page[page.index("<table") : page.index("</table>")]
    assert "<td>Accept</td>" in table and "<td>accept</td>" not in table


def test_one_decision_form_offers_the_steps_by_their_labels(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    assert page.count(f'action="/desk/contributions/{contribution_id}/decision"') == 1
    form = page[page.index('id="decision-form"') : page.index("</form>", page.index('id="decision-form"'))]
    assert form.count('type="radio"') == 3
    assert "Request changes" in form and "Reject" in form and "Accept" in form
    assert form.count("<textarea") == 1


def test_a_decision_a_guard_refuses_is_not_offered_and_says_why_in_words(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Still being reviewed")
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    form = page[page.index('id="decision-form"') : page.index("</form>", page.index('id="decision-form"'))]
    assert 'value="accept"' not in form and 'value="request_changes"' in form
    assert "Not possible yet: Accept." in page and "At least 2 completed reviews are needed to accept" in page
    assert "enough_reviews" not in page


def test_deciding_with_a_letter_takes_the_step_and_sends_the_letter(app, signed_in, desk_world):
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db

    contribution_id = contribution_id_of(app, "Ready to decide")
    _state, version = state_and_version(app, contribution_id)
    web = signed_in(desk_world["editor"])
    response = decide(web, contribution_id, decision="request_changes", letter="Please add evidence.", confirm="y", version=version)
    assert response.status_code == 302 and response.location.endswith("/desk")
    with app.app_context():
        contribution = db.session.get(Contribution, contribution_id)
        assert services.in_state(contribution, "editable")
        assert services.history(contribution)[-1].comment == "Please add evidence."


def test_a_refused_decision_stays_on_the_page_with_the_message_and_the_letter(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    state, version = state_and_version(app, contribution_id)
    web = signed_in(desk_world["editor"])
    response = decide(web, contribution_id, decision="accept", letter="Well argued & useful.", confirm="y", version=version - 1)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed this in the meantime" in page
    assert "Well argued &amp; useful.</textarea>" in page
    assert re.search(r'<input checked id="[^"]+" name="decision" type="radio" value="accept">', page)
    assert state_and_version(app, contribution_id) == (state, version)


def test_a_letter_is_required_where_the_workflow_requires_a_comment(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    state, version = state_and_version(app, contribution_id)
    response = decide(signed_in(desk_world["editor"]), contribution_id, decision="reject", letter="  ", confirm="y", version=version)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "needs a comment saying why" in page and 'id="decision-form"' in page
    assert state_and_version(app, contribution_id) == (state, version)


def test_an_unconfirmed_decision_changes_nothing(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    state, version = state_and_version(app, contribution_id)
    response = decide(signed_in(desk_world["editor"]), contribution_id, decision="accept", letter="", version=version)
    assert response.status_code == 422 and "Confirm the decision." in response.get_data(as_text=True)
    assert state_and_version(app, contribution_id) == (state, version)


def test_a_decision_needs_csrf(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    state, version = state_and_version(app, contribution_id)
    response = signed_in(desk_world["editor"]).post(
        f"/desk/contributions/{contribution_id}/decision", data={"decision": "accept", "confirm": "y", "version": version}
    )
    assert response.status_code in (400, 422)
    assert state_and_version(app, contribution_id) == (state, version)


# --- reviewers: unassign, replace; buttons that can do nothing are not offered ---------------


def open_reviewer_ids(app, contribution_id):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    with app.app_context():
        return sorted(
            db.session.scalars(
                db.select(ReviewerAssignment.reviewer_id).where(
                    ReviewerAssignment.contribution_id == contribution_id, ReviewerAssignment.declined_at.is_(None)
                )
            ).all()
        )


def assignment_id_of(app, contribution_id, reviewer_id):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    with app.app_context():
        return db.session.scalar(
            db.select(ReviewerAssignment.id).where(
                ReviewerAssignment.contribution_id == contribution_id, ReviewerAssignment.reviewer_id == reviewer_id
            )
        )


def test_a_reviewer_who_has_not_reviewed_can_be_unassigned(app, signed_in, desk_world):
    from app.extensions import db
    from app.notifications.models import Notification

    contribution_id = contribution_id_of(app, "Still being reviewed")
    web = signed_in(desk_world["editor"])
    assignment_id = assignment_id_of(app, contribution_id, desk_world["first"].id)
    token = csrf_token(web, f"/desk/contributions/{contribution_id}")
    response = web.post(
        f"/desk/contributions/{contribution_id}/reviewers/{assignment_id}/remove", data={"csrf_token": token, "action": "unassign"}
    )
    assert response.status_code == 303
    assert open_reviewer_ids(app, contribution_id) == [desk_world["second"].id]
    with app.app_context():
        kinds = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == desk_world["first"].id)).all()
    assert kinds == ["review_unassigned"]


def test_a_reviewer_can_be_replaced_by_the_least_loaded_eligible_one(app, signed_in, make_user, desk_world):
    third = make_user(["reviewer"], area_codes=["BM"], organisation="Carabinieri")
    contribution_id = contribution_id_of(app, "Still being reviewed")
    web = signed_in(desk_world["editor"])
    assignment_id = assignment_id_of(app, contribution_id, desk_world["first"].id)
    token = csrf_token(web, f"/desk/contributions/{contribution_id}")
    web.post(f"/desk/contributions/{contribution_id}/reviewers/{assignment_id}/remove", data={"csrf_token": token, "action": "replace"})
    assert open_reviewer_ids(app, contribution_id) == sorted([desk_world["second"].id, third.id])


def test_reviewers_who_reviewed_are_not_offered_for_unassigning(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Ready to decide")
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    assert "Unassign" not in page and "Replace" not in page
    assignment_id = assignment_id_of(app, contribution_id, desk_world["first"].id)
    web = signed_in(desk_world["editor"])
    token = csrf_token(web, f"/desk/contributions/{contribution_id}")
    response = web.post(
        f"/desk/contributions/{contribution_id}/reviewers/{assignment_id}/remove", data={"csrf_token": token, "action": "unassign"}
    )
    assert response.status_code == 303
    assert open_reviewer_ids(app, contribution_id) == sorted([desk_world["first"].id, desk_world["second"].id])


def test_replace_and_assign_automatically_are_not_offered_when_they_could_do_nothing(app, signed_in, desk_world):
    contribution_id = contribution_id_of(app, "Still being reviewed")  # two assigned, nobody else eligible
    page = signed_in(desk_world["editor"]).get(f"/desk/contributions/{contribution_id}").get_data(as_text=True)
    assert "Unassign" in page
    assert "Replace" not in page and "Assign automatically" not in page and "Assign this reviewer" not in page


def test_an_editor_of_another_area_cannot_unassign(app, signed_in, make_user, desk_world):
    contribution_id = contribution_id_of(app, "Still being reviewed")
    assignment_id = assignment_id_of(app, contribution_id, desk_world["first"].id)
    other = signed_in(make_user(["editor"], area_codes=["CS"]))
    token = csrf_token(other, "/desk")
    response = other.post(
        f"/desk/contributions/{contribution_id}/reviewers/{assignment_id}/remove", data={"csrf_token": token, "action": "unassign"}
    )
    assert response.status_code == 404
    assert len(open_reviewer_ids(app, contribution_id)) == 2


# --- the desk: columns, sorting, scopes, empty lists, bulk actions ----------------------------


def test_the_desk_shows_type_network_submitted_age_and_priority(signed_in, desk_world):
    page = signed_in(desk_world["editor"]).get("/desk").get_data(as_text=True)
    screening = section(page, "Awaiting screening (1)")
    assert "Capability gap" in screening and "High" in screening
    for heading in ("Type", "Network", "Submitted", "Age (days)", "Priority"):
        assert f">{heading}</th>" in page


def test_the_desk_sorts_by_the_chosen_column(app, signed_in, desk_world):
    from datetime import UTC, datetime

    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db

    with app.app_context():
        for title, priority, year in (("Low but old", "low", 2024), ("Critical and new", "critical", 2026)):
            contribution = services.create_draft(
                user(desk_world["author"].id), payload("capability_gap", title=title, thematic_areas=["BM"])
            )
            put_in_state(contribution, "submitted", [], user(desk_world["author"].id))
            contribution = db.session.get(Contribution, contribution.id)
            contribution.fields = {**contribution.fields, "priority": priority}
            contribution.submitted_at = datetime(year, 1, 10, tzinfo=UTC)
        db.session.commit()
    web = signed_in(desk_world["editor"])
    by_priority = section(web.get("/desk?sort=priority").get_data(as_text=True), "Awaiting screening (3)")
    by_date = section(web.get("/desk?sort=date").get_data(as_text=True), "Awaiting screening (3)")
    assert by_priority.index("Critical and new") < by_priority.index("Low but old")
    assert by_date.index("Low but old") < by_date.index("Critical and new")


def test_empty_lists_collapse(app, signed_in, make_user):
    editor = make_user(["editor"], area_codes=["DRS"])
    page = signed_in(editor).get("/desk").get_data(as_text=True)
    assert "Nothing waits for the editors in this area." in page
    assert "Awaiting screening (0)" not in page and "<table" not in page


def test_my_areas_and_all_show_their_counts(signed_in, make_user, desk_world):
    admin = make_user(["admin", "editor"], area_codes=["CS"])
    page = signed_in(admin).get("/desk").get_data(as_text=True)
    assert "My areas (1)" in page and "All areas I may decide on (4)" in page
    assert "Cyber only" in page and "Ready to decide" not in page
    everything = signed_in(admin).get("/desk?scope=all").get_data(as_text=True)
    assert "Ready to decide" in everything


def bulk(web, action, ids):
    token = csrf_token(web, "/desk")
    return web.post("/desk/bulk", data={"csrf_token": token, "action": action, "contribution_ids": [str(i) for i in ids]})


def test_bulk_send_to_review_moves_what_can_move_and_counts_the_rest(app, signed_in, desk_world):
    from app.contributions import services
    from app.contributions.models import Contribution
    from app.extensions import db

    screening = contribution_id_of(app, "Awaiting screening")
    ready = contribution_id_of(app, "Ready to decide")
    cyber = contribution_id_of(app, "Cyber only")
    web = signed_in(desk_world["editor"])
    response = bulk(web, "to_review", [screening, ready, cyber])
    assert response.status_code == 303
    page = web.get("/desk").get_data(as_text=True)
    assert "1 contribution sent to review." in page and "2 contributions skipped" in page
    with app.app_context():
        assert services.in_state(db.session.get(Contribution, screening), "reviewable")
        assert services.in_state(db.session.get(Contribution, cyber), "screening")  # another area's: not this editor's to move
    assert open_reviewer_ids(app, screening) == sorted([desk_world["first"].id, desk_world["second"].id])


def test_bulk_assign_tops_up_the_least_loaded_reviewers_who_are_not_the_author(app, signed_in, make_user, desk_world):
    from app.extensions import db
    from app.reviews.models import ReviewerAssignment

    screening = contribution_id_of(app, "Awaiting screening")
    make_user(["reviewer"], area_codes=["BM"], organisation="Guardia Civil")  # the author's organisation: a conflict
    with app.app_context():
        db.session.execute(db.delete(ReviewerAssignment).where(ReviewerAssignment.contribution_id == screening))
        db.session.commit()
    web = signed_in(desk_world["editor"])
    bulk(web, "assign", [screening, contribution_id_of(app, "Ready to decide")])
    assert open_reviewer_ids(app, screening) == sorted([desk_world["first"].id, desk_world["second"].id])
    assert "2 reviewers assigned." in web.get("/desk").get_data(as_text=True)


def test_bulk_export_is_csv_with_formula_cells_defused(app, signed_in, desk_world):
    from app.contributions.models import Contribution
    from app.extensions import db

    screening = contribution_id_of(app, "Awaiting screening")
    with app.app_context():
        db.session.get(Contribution, screening).title = '=HYPERLINK("http://evil.example")'
        db.session.commit()
    response = bulk(signed_in(desk_world["editor"]), "export", [screening, contribution_id_of(app, "Cyber only")])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the heading and the one contribution this editor may see
    assert "'=HYPERLINK" in lines[1] and ",=HYPERLINK" not in lines[1]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_bulk_actions_are_for_editors_only(signed_in, contributor, desk_world):
    web = signed_in(contributor)
    token = csrf_token(web, "/contributions/mine")
    assert web.post("/desk/bulk", data={"csrf_token": token, "action": "export", "contribution_ids": ["1"]}).status_code == 403


# --- the editor's way in: home after signing in, navigation ----------------------------------


def test_an_editor_lands_on_their_desk_after_signing_in(app, make_user):
    from tests.factories import PASSWORD
    from tests.support import sign_in

    editor = make_user(["editor"], area_codes=["BM"])
    assert sign_in(app.test_client(), editor.email, PASSWORD).location == "/desk"


def test_others_land_on_the_home_page_and_a_next_page_wins(app, make_user):
    from tests.factories import PASSWORD
    from tests.support import post_form

    contributor = make_user(["contributor"])
    editor = make_user(["editor"], area_codes=["BM"])
    from tests.support import sign_in

    assert sign_in(app.test_client(), contributor.email, PASSWORD).location == "/"
    client = app.test_client()
    response = post_form(client, "/login?next=/reports/manage", {"email": editor.email, "password": PASSWORD}, token_from="/login")
    assert response.location == "/reports/manage"


def test_the_desk_and_the_report_workspace_are_in_the_navigation_of_editors_only(signed_in, make_user):
    editor_page = signed_in(make_user(["editor"], area_codes=["BM"])).get("/desk").get_data(as_text=True)
    nav = editor_page[editor_page.index('class="main-nav"') : editor_page.index("</nav>", editor_page.index('class="main-nav"'))]
    assert 'href="/desk" aria-current="page"' in nav and 'href="/reports/manage"' in nav
    contributor_page = signed_in(make_user(["contributor"])).get("/").get_data(as_text=True)
    assert 'href="/desk"' not in contributor_page and 'href="/reports/manage"' not in contributor_page


def test_my_reviews_is_not_marked_current_on_the_desk(signed_in, make_user):
    page = signed_in(make_user(["editor", "reviewer"], area_codes=["BM"])).get("/desk").get_data(as_text=True)
    assert 'href="/reviews" aria-current="page"' not in page
