"""Audit events. The append-only ``AuditEvent`` model arrives with the audit issue."""
