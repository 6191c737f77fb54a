"""Time in one place: every stored moment is UTC.

Knows nothing of the app (no imports from `app`), so models, services and
serialisers of every feature can use it without an import cycle.
"""

from datetime import UTC, datetime


def utcnow():
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(moment):
    """`moment` as an aware UTC datetime; None stays None.

    SQLite hands back naive datetimes for timezone-aware columns; they were
    stored in UTC, so they are read as UTC. PostgreSQL hands back aware ones.
    """
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
