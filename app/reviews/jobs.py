"""Reminders for overdue reviews: for cron (`flask --app wsgi reviews remind`) or a scheduled RQ job."""
from app.jobs import job


@job
def send_review_reminders():
    from app.reviews.services import remind_overdue

    return remind_overdue()
