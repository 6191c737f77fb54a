"""Outbox: write every e-mail first, then hand it to a job to send."""

import functools
import re
import secrets
import smtplib
import ssl
from datetime import timedelta
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate

import sqlalchemy as sa
from flask import current_app, render_template

from app.extensions import db
from app.jobs import enqueue, job
from app.mail.models import OUTBOX_STATES, OutboxMessage
from app.pagination import DEFAULT_PER_PAGE, paginate
from app.timeutil import as_utc, utcnow
from app.unit_of_work import after_commit, in_unit_of_work, transactional, unit_of_work

# A message claimed this long ago by a sender that never finished (a worker
# killed mid-send) is free to be claimed again.
STALE_CLAIM = timedelta(minutes=10)


def max_attempts():
    """Attempts before a message is marked failed: the job's first run plus each RQ retry.

    So when RQ gives up, the message shows as failed on the outbox page (where
    an admin can retry it) rather than sitting pending with no job left.
    """
    return len(current_app.config["JOB_RETRY_INTERVALS"]) + 1


# Header lines every message gets from `_email_for`: extra headers may not replace them.
RESERVED_HEADERS = frozenset({"from", "to", "cc", "bcc", "subject", "date", "message-id", "content-type", "mime-version"})


def _checked_headers(headers):
    """Extra header lines as stored: names not reserved, values on one line; None when there are none."""
    if not headers:
        return None
    for name, value in headers.items():
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", name) or name.lower() in RESERVED_HEADERS:
            raise ValueError(f"not an extra header name: {name!r}")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise ValueError(f"header {name} must be one line of text")
    return dict(headers)


def queue_email(recipient, subject, template, kind, extra_headers=None, **context):
    """Add an e-mail to the outbox (rendered from `mail/<template>.txt` and `.html`); returns the message.

    `extra_headers` ({name: value}) are added to the e-mail as sent (e.g.
    List-Unsubscribe); they cannot replace From, To, Subject and the like.

    Inside a unit of work (app/unit_of_work.py) its send job is queued once
    the unit commits, so no caller can forget it, and an e-mail written by a
    unit that fails is neither stored nor sent. Outside one (code not yet
    converted) the caller commits, then calls `dispatch()` with the message.
    """
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"mail/{template}.txt", subject=subject, **context),
        body_html=render_template(f"mail/{template}.html", subject=subject, **context),
        kind=kind,
        headers=_checked_headers(extra_headers),
    )
    db.session.add(message)
    if in_unit_of_work():
        message.dispatch_on_commit = True
        after_commit(functools.partial(_queue_send_jobs, message))
    return message


def dispatch(*messages):
    """Queue a send job for each committed outbox message; returns the RQ job ids (None: ran in-process or Redis down).

    Messages written inside a unit of work are left out: their unit queues them on commit.
    """
    return _queue_send_jobs(*(message for message in messages if not getattr(message, "dispatch_on_commit", False)))


def _queue_send_jobs(*messages):
    # Ids readable in RQ's registries (the sweep looks for them there); the
    # random part keeps a retried message from reusing the id of its earlier, failed job.
    return [
        enqueue(send_outbox_message, message.id, job_id=f"{job_key(message.id)}{message.attempts}-{secrets.token_hex(4)}")
        for message in messages
    ]


@job
def send_outbox_message(message_id):
    """The send job: one outbox message; safe to run twice (the second run finds it sent)."""
    return send_message(message_id)


def job_key(message_id):
    """How the RQ ids of the message's send jobs begin."""
    return f"outbox-{message_id}-"


def mail_configured():
    return bool(current_app.config.get("MAIL_SERVER"))


@transactional
def claim(message_id):
    """Mark the message as being sent by us; False if it is sent or someone else has it."""
    now = utcnow()
    result = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            sa.or_(
                OutboxMessage.state == "pending",
                sa.and_(OutboxMessage.state == "sending", OutboxMessage.claimed_at < now - STALE_CLAIM),
            ),
        )
        .values(state="sending", claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def send_message(message_id):
    """Send one outbox message over SMTP, at most once. Returns 'sent', 'skipped' or 'held'.

    Raises on SMTP failure after recording it, so RQ retries the job.
    """
    if not mail_configured():
        return "held"
    if not claim(message_id):
        return "skipped"
    # A unit of its own: no transaction stays open while the SMTP server takes its time.
    with unit_of_work():
        message = db.session.get(OutboxMessage, message_id)
        db.session.refresh(message)
        email = _email_for(message)
    try:
        _smtp_send(email)
    except Exception as error:
        with unit_of_work():
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.state = "failed" if message.attempts >= max_attempts() else "pending"
            message.claimed_at = None
        raise
    with unit_of_work():
        message.attempts += 1
        message.state = "sent"
        message.sent_at = utcnow()
        message.last_error = ""
    return "sent"


def _email_for(message):
    config = current_app.config
    # Extra headers carry long links (List-Unsubscribe: <https://...>) that mail programs read as they are:
    # folded at 78 characters, an unbreakable link would be RFC 2047-encoded instead, so such messages fold at
    # RFC 5322's hard limit.
    email = EmailMessage(policy=email_policy.default.clone(max_line_length=998)) if message.headers else EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    # A Message-ID stable across attempts lets receiving servers drop a
    # duplicate delivery (a send that worked but was not recorded).
    email["Message-ID"] = message_id_for(message, _sender_domain(config))
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _smtp_send(email):
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def message_id_for(message, domain):
    created = as_utc(message.created_at)
    return f"<ceris.outbox.{message.id}.{int(created.timestamp() * 1000)}@{domain}>"


def _sender_domain(config):
    sender = config["MAIL_DEFAULT_SENDER"]
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "ceris.localhost"


def waiting_messages(older_than=None):
    """Ids of the messages still to send, oldest first: pending, or claimed by a sender that died (STALE_CLAIM ago).

    `older_than` leaves out those written since (their first job may be on its way).
    """
    statement = (
        sa.select(OutboxMessage.id)
        .where(
            sa.or_(
                OutboxMessage.state == "pending",
                sa.and_(OutboxMessage.state == "sending", OutboxMessage.claimed_at < utcnow() - STALE_CLAIM),
            )
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    )
    if older_than is not None:
        statement = statement.where(OutboxMessage.created_at < older_than)
    return db.session.scalars(statement).all()


def flush_outbox():
    """Send every waiting message now, in this process (no Redis needed). Returns (sent, failed, held)."""
    sent = failed = held = 0
    for message_id in waiting_messages():
        try:
            outcome = send_message(message_id)
        except Exception:
            current_app.logger.warning("Outbox message %s could not be sent", message_id, exc_info=True)
            failed += 1
            continue
        sent += outcome == "sent"
        held += outcome == "held"
    return sent, failed, held


def requeue_waiting(older_than, may_queue):
    """Queue a send job for each waiting message written before `older_than` that `may_queue(job_key)` lets
    through (the workers' sweep: no job left in RQ, not queued by another sweep). Returns how many it handed
    to a job (without Redis the job runs at once, here).

    Without a mail server there is nothing to send: messages stay in the outbox.
    """
    if not mail_configured():
        return 0
    ids = [message_id for message_id in waiting_messages(older_than) if may_queue(job_key(message_id))]
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))).all() if ids else []
    _queue_send_jobs(*messages)
    return len(messages)


@transactional
def retry_failed(message_id):
    """Put a failed message back in the queue (admin action); its send job is queued once that is committed."""
    message = db.session.get(OutboxMessage, message_id)
    if not can_retry(message):
        return None
    message.state = "pending"
    message.attempts = 0
    after_commit(functools.partial(_queue_send_jobs, message))
    return message


# --- administration (the outbox page) --------------------------------------------


def outbox_page(state="", page=1, per_page=None):
    """A page of outbox messages, newest first, optionally in one state."""
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if state:
        if state not in OUTBOX_STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        statement = statement.where(OutboxMessage.state == state)
    return paginate(statement, page, per_page or DEFAULT_PER_PAGE)


def outbox_counts():
    """How many messages are in each state, in one query (states without messages count 0)."""
    counts = dict.fromkeys(OUTBOX_STATES, 0)
    rows = db.session.execute(sa.select(OutboxMessage.state, sa.func.count(OutboxMessage.id)).group_by(OutboxMessage.state))
    counts.update(rows.all())
    return counts


def outbox_message(message_id):
    return db.session.get(OutboxMessage, message_id)


# Links whose token acts for the recipient: set their password, create their
# account, confirm, change or end their subscription. Admins reading the outbox see
# them with the token cut out; the e-mail sent keeps it.
SECRET_LINK_ENDPOINTS = (
    "auth.reset_password",
    "auth.accept_invitation",
    "subscriptions.confirm",
    "subscriptions.unsubscribe",
    "subscriptions.preferences",
)


def masked_text(text):
    """`text` with the token of every secret link replaced by "…"."""
    prefixes = sorted(
        re.escape(rule.rule.split("<", 1)[0]) for rule in current_app.url_map.iter_rules() if rule.endpoint in SECRET_LINK_ENDPOINTS
    )
    if not prefixes or not text:
        return text
    # The token runs to the next space, quote or bracket (it is URL-safe base64 with dots).
    return re.sub("(" + "|".join(prefixes) + r")[^\s\"'<>()\[\]]+", "\\1…", text)


def held_here(message):
    """Not sent because this installation sends no e-mail (no MAIL_SERVER): it is read in the outbox."""
    return message is not None and not mail_configured() and message.state != "sent"


def can_retry(message):
    """Only messages that ran out of attempts are put back by hand; pending ones are sent anyway."""
    return message is not None and message.state == "failed"
