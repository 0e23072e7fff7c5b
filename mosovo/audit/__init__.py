"""The append-only audit log (DPA 2018 s.62) and field-level history.

Filled in by the access-control and audit issue; registered from the start so every
later app can depend on it.
"""
