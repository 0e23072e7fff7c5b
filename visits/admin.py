"""Visits admin registrations (ADMIN role only; no casework is edited here)."""
