"""API test aids: bearer tokens for users."""


def token_headers(app, user_id):
    from app.auth import services
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        _token, plaintext = services.issue_api_token(db.session.get(User, user_id), "test")
    return {"Authorization": f"Bearer {plaintext}"}
