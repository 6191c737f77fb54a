"""Reminders for overdue reviews: for cron (`flask --app wsgi reviews remind`) or a scheduled RQ job."""

from app.jobs import job
from app.reviews.services import remind_overdue


@job
def send_review_reminders():
    return remind_overdue()
