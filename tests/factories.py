"""factory_boy factories for test data; rows are committed so other processes (rq worker, browser server) see them."""
import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.auth.models import User
from app.community.models import Network, ThematicArea
from app.extensions import db
from app.mail.models import OutboxMessage

PASSWORD = "correct horse battery"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class NetworkFactory(BaseFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"Test Network {n}")
    kind = "practitioners"
    country = "BE"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.eu")
    name = factory.Sequence(lambda n: f"Test User {n}")
    organisation = factory.Sequence(lambda n: f"Organisation {n}")
    active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or ["contributor"])

    @factory.post_generation
    def area_codes(self, create, extracted, **kwargs):
        if extracted:
            self.areas = db.session.scalars(db.select(ThematicArea).where(ThematicArea.code.in_(extracted))).all()

    @factory.post_generation
    def networks(self, create, extracted, **kwargs):
        if extracted:
            self.networks = list(extracted)
        if create:
            db.session.commit()


class OutboxMessageFactory(BaseFactory):
    """An e-mail waiting in the outbox (pending), as `mail.services.queue_email` leaves it."""

    class Meta:
        model = OutboxMessage

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.eu")
    subject = factory.Sequence(lambda n: f"Test message {n}")
    body_text = "Hello from the CERIS Exchange outbox."
    body_html = "<p>Hello from the CERIS Exchange outbox.</p>"
    kind = "test"
