"""Background jobs people follow: a row per job (state, progress, error), read by GET /api/v1/jobs/{id}."""
