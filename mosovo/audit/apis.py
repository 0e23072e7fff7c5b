"""Audit API views (none yet: the audit log is read through the viewer pages)."""
