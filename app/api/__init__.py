"""JSON API under /api/v1 (see DESIGN.md for the contract)."""
from app.api.blueprint import bp  # noqa: F401  create_app registers it

from app.api import auth, views  # noqa: E402,F401  routes register on import
from app.api import reports  # noqa: E402,F401
from app.api import contributions  # noqa: E402,F401
from app.api import projects  # noqa: E402,F401
from app.api import conformance  # noqa: E402,F401  checks every answer when testing
