"""The pages editors use most run a fixed number of queries, whatever the amount of data (an N+1 fails here).

Each page is measured with small data, then again after adding nine times
as much of the same (ten times the data): the count must not grow, and it
stays under the page's stated cap.
"""

from contextlib import contextmanager

from tests.support import sign_in

SMALL = 2  # rows of each kind at 1x; 10x adds 9 * SMALL more

# Caps: what each page runs today on SQLite and PostgreSQL (23, 16, 24, 23), with a little room.
CAPS = {
    "contribution": 25,
    "desk": 18,
    "decision": 42,
    "report_editor": 25,
}  # decision: the contribution itself, every round, and the guards of each decision it offers


@contextmanager
def mail_held(app):
    """Making the data sends none of its e-mails (hundreds, to every editor of the area): they wait in the outbox.

    The pages measured read no e-mail, and sending them would only make the test slow.
    """
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "REDIS_URL")}
    app.config.update(MAIL_SERVER=None, REDIS_URL=None)  # no SMTP, and no job queued for the worker to send
    try:
        yield
    finally:
        app.config.update(saved)


def signed_in_client(app, user_id):
    from app.auth.models import User
    from app.extensions import db
    from tests.factories import PASSWORD

    with app.app_context():
        email = db.session.get(User, user_id).email
    client = app.test_client()
    sign_in(client, email, PASSWORD)
    return client


def queries_of(client, count_queries, path):
    client.get(path)  # warm: the first request may load what later ones reuse
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def assert_flat(small, large, cap):
    assert large <= small, f"{small} queries with small data, {large} with ten times the data: an N+1"
    assert small <= cap, f"{small} queries, over the cap of {cap}"


# --- what grows ------------------------------------------------------------------------------------


def add_reviews(app, contribution_id, count):
    """`count` more assigned reviewers of BM who reviewed the current revision, and as many eligible, unassigned ones.

    (The two reviewers `send_to_review` assigned have not reviewed: the same at both sizes.)
    """
    from app.contributions.models import Contribution
    from app.extensions import db
    from tests.factories import ReviewerAssignmentFactory, ReviewFactory, UserFactory

    with app.app_context(), mail_held(app):
        contribution = db.session.get(Contribution, contribution_id)
        for _ in range(count):
            assignment = ReviewerAssignmentFactory(contribution=contribution)
            ReviewFactory(contribution=contribution, reviewer=assignment.reviewer, comment_to_author="Add evidence.")
            UserFactory(roles=["reviewer"], area_codes=["BM"])


def add_desk_work(app, count):
    """`count` contributions awaiting screening and `count` in review (one reviewed, one late) in BM."""
    from datetime import timedelta

    from app.contributions.models import Contribution
    from app.extensions import db
    from app.reviews.services import assignments
    from app.timeutil import utcnow
    from tests.factories import ReviewFactory, contribution_in_state

    with app.app_context(), mail_held(app):
        for _ in range(count):
            contribution_in_state("submitted")
            made = contribution_in_state("in_review")
            contribution = db.session.get(Contribution, made.id)
            done, late = assignments(contribution)
            ReviewFactory(contribution=contribution, reviewer=done.reviewer)
            late.due_at = utcnow() - timedelta(days=1)
            db.session.commit()


def add_sections(app, report_id, count, items_each):
    """`count` more sections, each with `items_each` accepted contributions in it."""
    from app.extensions import db
    from app.reports.models import Report
    from tests.factories import ReportItemFactory, ReportSectionFactory

    with app.app_context(), mail_held(app):
        report = db.session.get(Report, report_id)
        start = len(report.sections)
        for number in range(count):
            section = ReportSectionFactory(report=report, position=start + number + 1)
            for _ in range(items_each):
                ReportItemFactory(section=section)


# --- the pages ---------------------------------------------------------------------------------------


def test_the_contribution_page_runs_a_fixed_number_of_queries(app, count_queries):
    from tests.factories import contribution_in_state

    with app.app_context(), mail_held(app):
        made = contribution_in_state("in_review")
    add_reviews(app, made.id, SMALL)
    client = signed_in_client(app, made.editor_id)
    small = queries_of(client, count_queries, f"/contributions/{made.id}")
    add_reviews(app, made.id, 9 * SMALL)
    assert_flat(small, queries_of(client, count_queries, f"/contributions/{made.id}"), CAPS["contribution"])


def test_the_decision_page_runs_a_fixed_number_of_queries(app, count_queries):
    from tests.factories import contribution_in_state

    with app.app_context(), mail_held(app):
        made = contribution_in_state("in_review")
    add_reviews(app, made.id, SMALL)
    client = signed_in_client(app, made.editor_id)
    small = queries_of(client, count_queries, f"/desk/contributions/{made.id}")
    add_reviews(app, made.id, 9 * SMALL)
    assert_flat(small, queries_of(client, count_queries, f"/desk/contributions/{made.id}"), CAPS["decision"])


def test_the_desk_runs_a_fixed_number_of_queries(app, count_queries):
    from tests.factories import UserFactory

    with app.app_context(), mail_held(app):
        editor_id = UserFactory(roles=["editor"], area_codes=["BM", "CS"]).id
    add_desk_work(app, SMALL)
    client = signed_in_client(app, editor_id)
    small = queries_of(client, count_queries, "/desk")
    add_desk_work(app, 9 * SMALL)
    assert_flat(small, queries_of(client, count_queries, "/desk"), CAPS["desk"])


def test_the_report_editor_runs_a_fixed_number_of_queries(app, count_queries):
    from tests.factories import ReportFactory

    with app.app_context(), mail_held(app):
        report = ReportFactory()
        report_id, editor_id = report.id, report.created_by_id
    add_sections(app, report_id, SMALL, SMALL)
    client = signed_in_client(app, editor_id)
    small = queries_of(client, count_queries, f"/reports/{report_id}/edit")
    add_sections(app, report_id, 9 * SMALL, SMALL)
    assert_flat(small, queries_of(client, count_queries, f"/reports/{report_id}/edit"), CAPS["report_editor"])
