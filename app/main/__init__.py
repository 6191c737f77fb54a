"""Public pages: home, thematic areas, language choice, health check."""
