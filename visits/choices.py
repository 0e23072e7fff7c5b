"""Visit enumerations (TextChoices). ``../shared/domain.md`` section 5."""

from django.db import models


class VisitType(models.TextChoices):
    INITIAL = "INITIAL", "Initial visit"
    SCHEDULED = "SCHEDULED", "Scheduled visit"
    UNANNOUNCED = "UNANNOUNCED", "Unannounced visit"
    ANNOUNCED = "ANNOUNCED", "Announced visit"
    ARMS_INTERVIEW = "ARMS_INTERVIEW", "ARMS interview"
    ADDRESS_CHECK = "ADDRESS_CHECK", "Address check"


class VisitStatus(models.TextChoices):
    """PLANNED -> STARTED (the safety assessment read, the checklist drawn up; the record
    is saved as a draft as it is filled in) -> RECORDED; or CANCELLED."""

    PLANNED = "PLANNED", "Planned"
    STARTED = "STARTED", "Being recorded"
    RECORDED = "RECORDED", "Recorded"
    CANCELLED = "CANCELLED", "Cancelled"


class Outcome(models.TextChoices):
    SEEN = "SEEN", "Seen"
    NO_REPLY = "NO_REPLY", "No reply"
    ACCESS_REFUSED = "ACCESS_REFUSED", "Access refused"
    NOT_RESIDENT = "NOT_RESIDENT", "Not resident at the address"
    PARTIAL = "PARTIAL", "Partly completed"


# Outcomes at which the person was seen: they satisfy the visit frequency.
COUNTING_OUTCOMES = frozenset({Outcome.SEEN, Outcome.PARTIAL})


class ComplianceKind(models.TextChoices):
    REQUIREMENT = "REQUIREMENT", "Notification requirement"
    PROHIBITION = "PROHIBITION", "Order prohibition"


class ComplianceResult(models.TextChoices):
    COMPLIED = "COMPLIED", "Complied"
    NOT_COMPLIED = "NOT_COMPLIED", "Not complied"
    NOT_CHECKED = "NOT_CHECKED", "Not checked"


# The notification requirements a visit checks (SOA 2003 s.83-84 and the 2012
# regulations), as (code, question).
REQUIREMENTS: list[tuple[str, str]] = [
    ("HOME_ADDRESS", "Lives at the notified home address"),
    ("OTHER_ADDRESSES", "Any address stayed at for 7 days or more has been notified"),
    ("NAMES", "Every name used has been notified"),
    ("CHILD_HOUSEHOLD", "Staying 12 hours or more in a household with a child has been notified"),
    ("ACCOUNTS_DOCUMENTS", "Bank accounts, cards, passports and identity documents have been notified"),
    ("FOREIGN_TRAVEL", "Travel abroad has been notified"),
]


class DeviceType(models.TextChoices):
    PHONE = "PHONE", "Mobile phone"
    COMPUTER = "COMPUTER", "Computer or laptop"
    TABLET = "TABLET", "Tablet"
    CONSOLE = "CONSOLE", "Games console"
    STORAGE = "STORAGE", "Storage (USB, disk, card)"
    SMART_TV = "SMART_TV", "Smart TV or streaming device"
    OTHER = "OTHER", "Other"
