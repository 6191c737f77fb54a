"""Full-text search over projects: acronym, title and objective.

The same machinery as contributions (app/contributions/search.py): the
'simple' text configuration (CORDIS objectives are mostly English, but
editors add national projects in other languages, so no one language's
stemming), every word of the query required, each as a prefix.

PostgreSQL: a GIN index on the weighted document below (acronym A, title B,
objective C), so relevance favours a word in the acronym or title.
SQLite: an FTS5 external-content table over `projects`, kept in step by
triggers (migration 0009), so bulk imports that bypass the ORM stay indexed.
Both are made by migrations/versions/0009_project_search.py; a second, small
GIN index on acronym and title alone (migration 0012) finds the matches that
relevance ranks first. tests/projects/test_search.py checks that PostgreSQL's
plans use both indexes.
"""

import sqlalchemy as sa

from app.contributions.search import TS_CONFIG
from app.contributions.search import _terms as search_terms
from app.extensions import db
from app.projects.models import Project

FTS_TABLE = "projects_fts"
# bm25 weights for acronym, title and objective (FTS5 column order).
FTS_WEIGHTS = (10.0, 4.0, 1.0)


def dialect():
    return db.session.get_bind().dialect.name


def _config():
    # A constant, not a bound parameter, so the planner matches the expression index.
    return sa.literal_column(f"'{TS_CONFIG}'::regconfig")


def _weight(letter):
    return sa.literal_column(f"'{letter}'")


def _document():
    # Exactly the expression of the GIN index ix_projects_search (migration 0009), or the index goes unused.
    return (
        sa.func.setweight(sa.func.to_tsvector(_config(), Project.acronym), _weight("A"))
        .op("||")(sa.func.setweight(sa.func.to_tsvector(_config(), Project.title), _weight("B")))
        .op("||")(sa.func.setweight(sa.func.to_tsvector(_config(), Project.objective), _weight("C")))
    )


def _headline_document():
    # Relevance is ranked on acronym and title only: short, so cheap to recompute per match,
    # where the whole objective would cost a to_tsvector of kilobytes for every matching row.
    # Exactly the expression of the GIN index ix_projects_search_headline (migration 0012).
    return sa.func.setweight(sa.func.to_tsvector(_config(), Project.acronym), _weight("A")).op("||")(
        sa.func.setweight(sa.func.to_tsvector(_config(), Project.title), _weight("B"))
    )


def terms(q):
    """The words of a query (at most 20), as the contributions search reads them."""
    return search_terms(q or "")


class Match:
    """A full-text condition for project queries, with its relevance (higher is better)."""

    def __init__(self, q):
        self.terms = terms(q)
        self._fts = None

    def __bool__(self):
        return bool(self.terms)

    def restrict(self, query):
        """`query` (selecting from projects) limited to projects matching every word."""
        if not self.terms:
            return query
        if dialect() == "postgresql":
            return query.where(_document().op("@@")(self._tsquery()))
        return query.where(Project.id.in_(sa.select(self._fts_rows().c.rowid)))

    def _tsquery(self):
        return sa.func.to_tsquery(_config(), " & ".join(f"{term}:*" for term in self.terms))

    def _fts_match(self):
        return " AND ".join('"' + term.replace('"', "") + '"*' for term in self.terms)

    def _fts_rows(self):
        if self._fts is None:
            weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
            self._fts = (
                sa.select(sa.column("rowid"), sa.literal_column(f"bm25({FTS_TABLE}, {weights})").label("rank"))
                .select_from(sa.table(FTS_TABLE))
                .where(sa.text(f"{FTS_TABLE} MATCH :project_match").bindparams(project_match=self._fts_match()))
                .subquery("project_matches")
            )
        return self._fts

    def ranked(self, query):
        """`query` restricted and ordered by relevance, best first (ties: newest start first).

        PostgreSQL: projects with a word in their acronym or title come first,
        ranked by ts_rank over those two fields; then the rest, newest first.
        The title matches are found by their own small index and ranked once
        each, so the cost follows the title matches, not every objective that
        mentions the word.
        """
        if not self.terms:
            return query
        if dialect() == "postgresql":
            tsquery = self._tsquery()
            title_matches = (
                sa.select(Project.id.label("project_id"), sa.func.ts_rank(_headline_document(), tsquery).label("rank"))
                .where(_headline_document().op("@@")(tsquery))
                .cte("title_matches")
                .prefix_with("MATERIALIZED")
            )
            rank = sa.func.coalesce(title_matches.c.rank, 0)
            return (
                self.restrict(query)
                .outerjoin(title_matches, title_matches.c.project_id == Project.id)
                .order_by(rank.desc(), Project.start_date.desc().nulls_last(), Project.id.desc())
            )
        matches = self._fts_rows()
        # bm25 is lower for better matches.
        return query.join(matches, matches.c.rowid == Project.id).order_by(
            matches.c.rank.asc(), Project.start_date.desc().nulls_last(), Project.id.desc()
        )
