"""What the site-wide pages ask: is the database answering."""

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.unit_of_work import unit_of_work


def database_answers():
    """True when the database answers a trivial query; the unit rolls back a failed connection so the next request starts clean."""
    try:
        with unit_of_work():
            db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.warning("Health check: the database does not answer", exc_info=True)
        return False
    return True
