"""Caseload HTML views: thin, over the services and selectors."""
