"""The first ARMS factor catalogue (version 1): 7 risk and 5 protective factors.

Kept as a plain data module so the migration that seeds it and the tests read the same
list. The guidance is written for officers: what to look for, in plain words. A revised
catalogue is a new module and a new migration, never an edit of this one.
"""

import datetime
from typing import Any, Final

VERSION: Final = 1
PUBLISHED_ON: Final = "2026-11-22"

# (code, kind, name, guidance), in the order the form shows them.
FACTORS: Final[list[tuple[str, str, str, str]]] = [
    (
        "opportunity",
        "RISK",
        "Opportunity",
        "Access to potential victims now or soon: where the person lives, works, volunteers "
        "and spends time; contact with children or vulnerable adults; private online access; "
        "attempts to create access. Rate on what is happening now, not on the offence alone.",
    ),
    (
        "sexual_preoccupation",
        "RISK",
        "Sexual preoccupation",
        "Sex taking up an unusual amount of time and thought: frequent use of pornography or "
        "sexual services, sexual talk, sexualised coping when stressed, described urges that "
        "feel hard to control.",
    ),
    (
        "offence_related_sexual_interests",
        "RISK",
        "Offence-related sexual interests",
        "Sexual interest linked to the offending, such as interest in children or in coercion "
        "and violence: admissions, material found on devices, treatment reports, the pattern "
        "of offending.",
    ),
    (
        "emotional_congruence_with_children",
        "RISK",
        "Emotional congruence with children",
        "Feeling closer to and more comfortable with children than adults: friendships with "
        "children, seeing children as peers or partners, seeking roles or hobbies that bring "
        "contact with children.",
    ),
    (
        "poor_self_management",
        "RISK",
        "Poor self-management",
        "Difficulty managing emotions, impulses and problems: impulsive or reckless "
        "behaviour, substance misuse, unstable routine, not keeping appointments, not "
        "complying with requirements or orders.",
    ),
    (
        "hostile_orientation",
        "RISK",
        "Hostile orientation",
        "Hostility or grievance towards others, particularly women or authority: blaming "
        "others, feeling wronged, attitudes that excuse or minimise abuse, anger shown at "
        "visits.",
    ),
    (
        "negative_social_influences",
        "RISK",
        "Social influences (negative)",
        "People in the person's life who support offending or offence-related attitudes: "
        "associates with sexual or violent convictions, online groups, people who help hide "
        "behaviour.",
    ),
    (
        "positive_social_influences",
        "PROTECTIVE",
        "Social influences (positive)",
        "People who support a law-abiding life and know about the offending: family, "
        "friends, faith or community groups, mentors (for example Circles of Support and "
        "Accountability) the person is in regular, open contact with.",
    ),
    (
        "commitment_to_desist",
        "PROTECTIVE",
        "Commitment to desist",
        "What the person says and does about not offending again: engagement with "
        "treatment and supervision, openness at visits, plans for the future that leave "
        "offending behind, taking responsibility.",
    ),
    (
        "intimate_relationships",
        "PROTECTIVE",
        "Intimate relationships",
        "A stable, age-appropriate intimate relationship with an adult partner who knows "
        "about the offending; note the quality of the relationship, not only that it exists.",
    ),
    (
        "employment_and_positive_routine",
        "PROTECTIVE",
        "Employment and positive routine",
        "Work, training, study or volunteering (appropriate to the risk) and a structured "
        "week: what fills the person's days, and whether it is stable.",
    ),
    (
        "social_investment",
        "PROTECTIVE",
        "Social investment",
        "A stake in community life the person would not want to lose: housing, "
        "responsibilities, membership of groups, hobbies and roles that give a sense of "
        "belonging.",
    ),
]


def install(catalogue_model: Any, factor_model: Any) -> Any:
    """Create (or complete) this catalogue version with the given model classes.

    The migration passes its historical models; the test suite calls it again after a
    transactional test has flushed the tables.
    """
    catalogue, _ = catalogue_model.objects.get_or_create(
        version=VERSION,
        defaults={
            "published_on": datetime.date.fromisoformat(PUBLISHED_ON),
            "notes": "The seven risk and five protective factors of ARMS as used by forces in England and Wales.",
        },
    )
    positions = {"RISK": 0, "PROTECTIVE": 0}
    for code, kind, name, guidance in FACTORS:
        positions[kind] += 1
        factor_model.objects.update_or_create(
            catalogue=catalogue,
            code=code,
            defaults={"kind": kind, "name": name, "guidance": guidance, "position": positions[kind]},
        )
    return catalogue
