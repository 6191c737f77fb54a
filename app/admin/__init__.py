"""Administration: users and roles, thematic areas, networks, access requests, the outbox."""
