"""Contributions: the structured inputs of the six CERIS types, their revisions, attachments and search."""
