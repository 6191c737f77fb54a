"""JSON API under /api/v1 (see DESIGN.md for the contract)."""

# The modules add their routes to the blueprint on import; conformance checks every answer when testing.
from app.api import auth, conformance, contributions, projects, reports, views, workshops  # noqa: F401
from app.api.blueprint import bp  # noqa: F401  create_app registers it
