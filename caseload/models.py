"""Caseload models: fields, constraints, and docstrings that explain the domain."""
