"""API test aids: bearer tokens for users."""


def token_headers(app, user_id):
    from app.auth import services
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        _token, plaintext = services.issue_api_token(db.session.get(User, user_id), "test")
    return {"Authorization": f"Bearer {plaintext}"}


def post_transition(app, client, user_id, contribution_id, name, **extra):
    """POST a workflow transition as the user with this id; extra keys (comment, version) go in the body."""
    return client.post(
        f"/api/v1/contributions/{contribution_id}/transitions", json={"transition": name, **extra}, headers=token_headers(app, user_id)
    )


def snapshot(app, contribution_id):
    """Everything a transition may write, re-read from the database: a refused one must leave it equal."""
    from app.contributions.models import Contribution, ContributionRevision
    from app.extensions import db
    from app.mail.models import OutboxMessage
    from app.notifications.models import Notification
    from app.reviews.models import Review, ReviewerAssignment
    from app.workflow.models import WorkflowHistory

    def count(model):
        return db.session.scalar(db.select(db.func.count()).select_from(model))

    with app.app_context():
        contribution = db.session.get(Contribution, contribution_id)
        return {
            "state": contribution.state,
            "version": contribution.version,
            "revision": contribution.revision,
            "history": count(WorkflowHistory),
            "revisions": count(ContributionRevision),
            "assignments": count(ReviewerAssignment),
            "reviews": count(Review),
            "notifications": count(Notification),
            "outbox": count(OutboxMessage),
        }
