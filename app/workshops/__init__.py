"""Targeted thematic workshops that collect contributions through a call for inputs."""
