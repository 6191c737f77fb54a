"""Thematic areas and networks: who contributes, and on what."""
