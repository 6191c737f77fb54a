"""Telling people: an in-app notification and an e-mail in the outbox, written in the caller's unit of work.

The e-mails are queued for sending only once that unit commits (app/mail/services.py
`queue_email`), so a change that rolls back tells no one.
"""

import sqlalchemy as sa

from app.extensions import db
from app.mail import services as mail
from app.notifications.models import Notification
from app.timeutil import utcnow
from app.unit_of_work import transactional, unit_of_work


def notify(users, kind, message, link="", email_subject=None, email_template="notification", **email_context):
    """Record a notification for each distinct active user; returns their outbox messages (sent after the commit).

    Joins the caller's unit of work (or opens one): the e-mails leave only if it commits.
    """
    messages = []
    seen = set()
    with unit_of_work():
        for user in users:
            if user is None or user.id in seen or not user.active:
                continue
            seen.add(user.id)
            db.session.add(Notification(user_id=user.id, kind=kind, message=message[:500], link=link))
            messages.append(
                mail.queue_email(
                    user.email,
                    email_subject or message[:300],
                    email_template,
                    kind,
                    person=user,
                    message=message,
                    link=link,
                    **email_context,
                )
            )
    return messages


def unread_count(user):
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def recent(user, limit=50):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()).limit(limit)
    ).all()


@transactional
def mark_all_read(user):
    db.session.execute(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
    )
