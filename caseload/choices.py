"""Caseload enumerations (TextChoices). ``../shared/domain.md`` sections 2, 4 and 7."""

from django.db import models


class BreakGlassReason(models.TextChoices):
    """Why someone opens a record outside their team."""

    COVERING = "COVERING", "Covering for an officer in another team"
    URGENT_RISK = "URGENT_RISK", "Urgent risk to a person"
    MAPPA = "MAPPA", "Preparing for a MAPPA meeting"
    INTELLIGENCE = "INTELLIGENCE", "Acting on new intelligence"
    OTHER = "OTHER", "Other reason"


class RiskLevel(models.TextChoices):
    """The assessor's overall judgement of risk of serious harm (ARMS, domain s.3.2)."""

    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    VERY_HIGH = "VERY_HIGH", "Very high"


# Risk levels that count against the 20% high-risk cap (domain s.7).
HIGH_RISK_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.VERY_HIGH})
RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2, RiskLevel.VERY_HIGH: 3}


class RSOStatus(models.TextChoices):
    IN_COMMUNITY = "IN_COMMUNITY", "In the community"
    IN_CUSTODY = "IN_CUSTODY", "In custody"
    ABROAD = "ABROAD", "Abroad"
    MISSING = "MISSING", "Missing or wanted"
    DECEASED = "DECEASED", "Deceased"
    NOTIFICATION_ENDED = "NOTIFICATION_ENDED", "Notification ended"


# Statuses in which a case is closed: it no longer counts in a caseload.
CLOSED_STATUSES = frozenset({RSOStatus.DECEASED, RSOStatus.NOTIFICATION_ENDED})


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "X", "Other or not known"


class MappaCategory(models.IntegerChoices):
    """MAPPA category: 1 registered sex offenders; 2 violent and other sexual offenders;
    3 other dangerous offenders; 4 terrorism offenders."""

    ONE = 1, "Category 1"
    TWO = 2, "Category 2"
    THREE = 3, "Category 3"
    FOUR = 4, "Category 4"


class MappaLevel(models.IntegerChoices):
    """MAPPA level: 1 ordinary agency management; 2 active multi-agency management;
    3 active multi-agency management with senior involvement."""

    ONE = 1, "Level 1"
    TWO = 2, "Level 2"
    THREE = 3, "Level 3"


class LeadAgency(models.TextChoices):
    PROBATION = "PROBATION", "Probation (on licence)"
    POLICE = "POLICE", "Police"


class ManagementModel(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    REACTIVE = "REACTIVE", "Reactive"


class AddressType(models.TextChoices):
    HOME = "HOME", "Home address"
    SEVEN_DAY = "SEVEN_DAY", "Address stayed at 7 days or more"
    REGULARLY_FOUND = "REGULARLY_FOUND", "Place regularly found (no fixed abode)"


class IdentityDocumentType(models.TextChoices):
    PASSPORT = "PASSPORT", "Passport"
    DRIVING_LICENCE = "DRIVING_LICENCE", "Driving licence"
    ID_CARD = "ID_CARD", "Identity card"
    BANK_ACCOUNT = "BANK_ACCOUNT", "Bank account"
    PAYMENT_CARD = "PAYMENT_CARD", "Debit or credit card"


class Disposal(models.TextChoices):
    """What the court (or police) did, as the notification table (s.82) distinguishes it."""

    CUSTODY = "CUSTODY", "Custody (determinate term)"
    LIFE = "LIFE", "Life imprisonment"
    IPP = "IPP", "Imprisonment for public protection"
    HOSPITAL_RESTRICTED = "HOSPITAL_RESTRICTED", "Hospital order with a restriction order"
    HOSPITAL = "HOSPITAL", "Hospital order without restriction"
    CAUTION = "CAUTION", "Caution"
    CONDITIONAL_DISCHARGE = "CONDITIONAL_DISCHARGE", "Conditional discharge"
    OTHER = "OTHER", "Other (community order, fine, ...)"


class NotificationType(models.TextChoices):
    INITIAL = "INITIAL", "Initial"
    CHANGE = "CHANGE", "Change of details"
    ANNUAL = "ANNUAL", "Annual"
    WEEKLY_NO_FIXED_ABODE = "WEEKLY_NO_FIXED_ABODE", "Weekly (no fixed abode)"
    FOREIGN_TRAVEL = "FOREIGN_TRAVEL", "Foreign travel"
    CHILD_HOUSEHOLD = "CHILD_HOUSEHOLD", "Living with a child"
    RELEASE = "RELEASE", "Release from custody"


class OrderType(models.TextChoices):
    SHPO = "SHPO", "Sexual harm prevention order"
    INTERIM_SHPO = "INTERIM_SHPO", "Interim sexual harm prevention order"
    SRO = "SRO", "Sexual risk order"
    INTERIM_SRO = "INTERIM_SRO", "Interim sexual risk order"
    NOTIFICATION_ORDER = "NOTIFICATION_ORDER", "Notification order"
    SOPO = "SOPO", "Sexual offences prevention order (legacy)"
    FTO = "FTO", "Foreign travel order (legacy)"
    RSHO = "RSHO", "Risk of sexual harm order (legacy)"


# Orders whose being in force blocks a review of indefinite notification (s.91A-F).
REVIEW_BLOCKING_ORDERS = frozenset({OrderType.SHPO, OrderType.INTERIM_SHPO, OrderType.SOPO})


class ProhibitionKind(models.TextChoices):
    GENERAL = "GENERAL", "Prohibition"
    FOREIGN_TRAVEL = "FOREIGN_TRAVEL", "Foreign travel prohibition"


class TravelScope(models.TextChoices):
    NAMED_COUNTRIES = "NAMED_COUNTRIES", "Named countries"
    ALL_EXCEPT_NAMED = "ALL_EXCEPT_NAMED", "All countries except those named"
    ALL_COUNTRIES = "ALL_COUNTRIES", "All countries (total ban)"


class StaticTool(models.TextChoices):
    OSP_C = "OSP_C", "OSP/C (contact)"
    OSP_DC = "OSP_DC", "OSP/DC (direct contact)"
    OSP_I = "OSP_I", "OSP/I (images)"
    OSP_IIC = "OSP_IIC", "OSP/IIC (indecent images of children)"
    RM2000 = "RM2000", "Risk Matrix 2000 (legacy)"


# Bands each tool can give (domain s.2): OSP/I and OSP/IIC have no VERY_HIGH band.
TOOL_BANDS = {
    StaticTool.OSP_C: (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH),
    StaticTool.OSP_DC: (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH),
    StaticTool.OSP_I: (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH),
    StaticTool.OSP_IIC: (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH),
    StaticTool.RM2000: (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH),
}


class ChangeEventType(models.TextChoices):
    ADDRESS = "ADDRESS", "Change of address"
    RELATIONSHIP = "RELATIONSHIP", "New relationship"
    CHILD_CONTACT = "CHILD_CONTACT", "Contact with children"
    EMPLOYMENT = "EMPLOYMENT", "Change of employment"
    INTELLIGENCE = "INTELLIGENCE", "New intelligence"
    ARREST = "ARREST", "Arrest or charge"
    BREACH = "BREACH", "Breach of an order or requirement"
    NOT_RESIDENT = "NOT_RESIDENT", "Not living at the notified address"
    HEALTH = "HEALTH", "Health or mental health"
    OTHER = "OTHER", "Other"


class TravelDisclosure(models.TextChoices):
    NOT_DECIDED = "NOT_DECIDED", "Not decided"
    DISCLOSED = "DISCLOSED", "Disclosed to the destination country"
    NOT_DISCLOSED = "NOT_DISCLOSED", "Not disclosed"


class TravelTimeliness(models.TextChoices):
    ON_TIME = "ON_TIME", "On time (7 days or more before departure)"
    LATE_WITH_REASON = "LATE_WITH_REASON", "Late, with a recorded reason"
    LATE_NO_REASON = "LATE_NO_REASON", "Late, no reason recorded"
    TOO_LATE = "TOO_LATE", "Less than 12 hours before departure"


class DeadlineKind(models.TextChoices):
    """What a deadline is for (domain s.6)."""

    ARMS_REVIEW = "ARMS_REVIEW", "ARMS review"
    ARMS_CHANGE_REVIEW = "ARMS_CHANGE_REVIEW", "ARMS review after a significant change"
    VISIT = "VISIT", "Home visit"
    ANNUAL_NOTIFICATION = "ANNUAL_NOTIFICATION", "Annual notification"
    WEEKLY_NOTIFICATION = "WEEKLY_NOTIFICATION", "Weekly notification"
    ORDER_EXPIRY = "ORDER_EXPIRY", "Order prohibition ends"
    NOTIFICATION_END = "NOTIFICATION_END", "Notification period ends"
    INDEFINITE_REVIEW_ELIGIBLE = "INDEFINITE_REVIEW_ELIGIBLE", "Eligible for review of indefinite notification"
    VETTING_EXPIRY = "VETTING_EXPIRY", "Vetting expires"
    TRAINING_EXPIRY = "TRAINING_EXPIRY", "Training expires"
    SUPERVISION_ACTION = "SUPERVISION_ACTION", "Action agreed in supervision"
    CAP_BREACH = "CAP_BREACH", "Over the 20% high-risk limit"


class DeadlineState(models.TextChoices):
    """Where a deadline stands. Open states only move forward; a met or replaced
    obligation is closed (DONE or CANCELLED) and its next occurrence is a new row."""

    UPCOMING = "UPCOMING", "Upcoming"
    DUE_SOON = "DUE_SOON", "Due soon"
    OVERDUE = "OVERDUE", "Overdue"
    ESCALATED = "ESCALATED", "Escalated"
    DONE = "DONE", "Done"
    CANCELLED = "CANCELLED", "Cancelled"


OPEN_DEADLINE_STATES = (
    DeadlineState.UPCOMING,
    DeadlineState.DUE_SOON,
    DeadlineState.OVERDUE,
    DeadlineState.ESCALATED,
)
# Kinds an officer closes by hand (nothing else in the record shows they were dealt with).
MANUALLY_CLOSED_KINDS = frozenset(
    {DeadlineKind.ORDER_EXPIRY, DeadlineKind.NOTIFICATION_END, DeadlineKind.INDEFINITE_REVIEW_ELIGIBLE}
)


# --- approvals queue (issue 8) ---
class ReactiveDecision(models.TextChoices):
    """A sergeant's answer to a request to move a case to reactive management."""

    APPROVED = "APPROVED", "Approved"
    DECLINED = "DECLINED", "Declined"


# --- end approvals queue ---

# Caseload list filter values beyond the levels themselves (the team dashboard links to
# them): HIGH or VERY_HIGH together (the 20% rule's "high risk"), and no MAPPA level.
RISK_HIGH_OR_ABOVE = "HIGH_PLUS"
MAPPA_NONE = 0
