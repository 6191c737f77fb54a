"""Accounts: users and roles, sign-in, invitations, access requests, password reset, API tokens."""
