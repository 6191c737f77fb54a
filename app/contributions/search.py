"""Full-text search over contributions.

PostgreSQL: a GIN index on to_tsvector('simple', search_text) (the 'simple'
configuration: contributions come in 24 languages, so no one language's
stemming). SQLite (the embedded default): an FTS5 table keyed by the
contribution id, kept in step by `index()`.
"""

import re

import sqlalchemy as sa

from app.contributions.models import Contribution
from app.extensions import db

TS_CONFIG = "simple"
FTS_TABLE = "contributions_fts"


def _dialect():
    return db.session.get_bind().dialect.name


def index(contribution):
    """Bring the search index up to date for one contribution (PostgreSQL indexes by itself)."""
    if _dialect() != "sqlite":
        return
    db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": contribution.id})  # noqa: S608 - a constant table name
    db.session.execute(
        sa.text(f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (:id, :text)"),  # noqa: S608 - a constant table name
        {"id": contribution.id, "text": contribution.search_text or ""},
    )


def forget(contribution):
    """Take a deleted contribution out of the search index (PostgreSQL's index follows the row by itself)."""
    if _dialect() != "sqlite":
        return
    db.session.execute(sa.text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": contribution.id})  # noqa: S608 - a constant table name


def _terms(q):
    return [term for term in re.findall(r"\w+", q, flags=re.UNICODE) if term][:20]


def restrict(query, q):
    """`query` limited to contributions matching every word of `q`."""
    terms = _terms(q)
    if not terms:
        return query
    if _dialect() == "postgresql":
        tsquery = sa.func.to_tsquery(TS_CONFIG, " & ".join(f"{term}:*" for term in terms))
        return query.where(sa.func.to_tsvector(TS_CONFIG, Contribution.search_text).op("@@")(tsquery))
    match = " AND ".join('"' + term.replace('"', "") + '"*' for term in terms)
    return query.where(
        Contribution.id.in_(
            sa.select(sa.column("rowid"))
            .select_from(sa.table(FTS_TABLE))
            .where(sa.text(f"{FTS_TABLE} MATCH :match").bindparams(match=match))
        )
    )
