"""Visits API input and output serializers (explicit fields)."""
