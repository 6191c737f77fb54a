"""Overdue reviews: one reminder per assignment per day, whatever how often the command runs."""

from datetime import timedelta

import pytest

from tests.contributions.samples import payload, put_in_state, user


@pytest.fixture
def overdue(app, make_user):
    from app.contributions import services
    from app.extensions import db
    from app.reviews.models import Review, ReviewerAssignment
    from app.timeutil import utcnow

    author = make_user(["contributor"], organisation="Guardia Civil")
    late = make_user(["reviewer"], area_codes=["BM"], organisation="Politie")
    on_time = make_user(["reviewer"], area_codes=["BM"], organisation="Bundespolizei")
    with app.app_context():
        contribution = services.create_draft(user(author.id), payload("trend"))
        put_in_state(contribution, "in_review", [user(late.id), user(on_time.id)], user(author.id))
        db.session.execute(db.delete(Review))
        for assignment in db.session.scalars(db.select(ReviewerAssignment)):
            assignment.due_at = utcnow() + (timedelta(days=-2) if assignment.reviewer_id == late.id else timedelta(days=5))
        db.session.commit()
    return {"late": late, "on_time": on_time}


def test_remind_sends_one_reminder_a_day(app, overdue, mailbox):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reviews", "remind"])
    assert "Reminders sent: 1." in first.output, first.output
    mailbox.wait_for(1, recipient=overdue["late"].email)
    second = runner.invoke(args=["reviews", "remind"])
    assert "Reminders sent: 0." in second.output
    assert mailbox.to(overdue["on_time"].email) == []
    assert len(mailbox.to(overdue["late"].email)) == 1


def test_a_day_later_the_reminder_comes_again(app, overdue):
    from app.reviews.services import remind_overdue
    from app.timeutil import utcnow

    with app.app_context():
        assert remind_overdue() == 1
        assert remind_overdue(now=utcnow() + timedelta(hours=25)) == 1


def test_notifications_page_lists_and_counts_unread(app, overdue, signed_in):
    from app.reviews.services import remind_overdue
    from tests.support import csrf_token

    with app.app_context():
        remind_overdue()
    web = signed_in(overdue["late"])
    page = web.get("/notifications").get_data(as_text=True)
    assert "was due on" in page and "1 unread" in page
    web.post("/notifications/read", data={"csrf_token": csrf_token(web, "/notifications")})
    assert "unread" not in web.get("/notifications").get_data(as_text=True)
