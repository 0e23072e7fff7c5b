"""ARMS enumerations (TextChoices)."""
