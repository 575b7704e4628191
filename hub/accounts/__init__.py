"""Accounts of the admin area: users, roles and permissions, passwords, sign-in throttling and the audit log."""
