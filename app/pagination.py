"""One page of a query's results for list pages: the rows of the page and the total, in two queries."""

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self):
        return self.page + 1 if self.has_next else None

    @property
    def first_index(self):
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self):
        return self.first_index + len(self.items) - 1 if self.items else 0


def paginate(statement, page=1, per_page=DEFAULT_PER_PAGE, scalars=True):
    """Run `statement` for one page. A page past the end gives the last page; `scalars=False` keeps whole rows."""
    try:
        page = max(int(page or 1), 1)
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    except (TypeError, ValueError):
        per_page = DEFAULT_PER_PAGE
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    page = min(page, max(1, math.ceil(total / per_page)))
    result = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    items = result.scalars().all() if scalars else result.all()
    return Page(items=list(items), page=page, per_page=per_page, total=total)
