"""ARMS reads: every function takes the acting user and scopes by it."""
