"""Audit enumerations: what happened, and through which channel."""

from django.db import models


class Action(models.TextChoices):
    """What was done, in the terms of DPA 2018 s.62 plus security events."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    EXPORT = "export", "Export"
    LOGIN_OK = "login_ok", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOCKOUT = "lockout", "Locked out"
    LOGOUT = "logout", "Signed out"
    ACCESS_DENIED = "access_denied", "Access denied"
    BREAK_GLASS = "break_glass", "Break-glass access"
    MFA_ENROLLED = "mfa_enrolled", "Second factor enrolled"
    MFA_VERIFIED = "mfa_verified", "Second factor verified"
    MFA_FAILED = "mfa_failed", "Second factor failed"


class Channel(models.TextChoices):
    """How the data left or entered the system."""

    SCREEN = "screen", "Screen"
    PARTIAL = "partial", "Partial (htmx)"
    API = "api", "API"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"
    SYSTEM = "system", "System (background task)"
    ADMIN = "admin", "Admin site"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"
