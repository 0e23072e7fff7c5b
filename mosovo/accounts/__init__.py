"""Users, roles, teams and forces."""
