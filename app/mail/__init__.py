"""Outgoing e-mail: every message is written to the outbox first, then sent by a job."""
