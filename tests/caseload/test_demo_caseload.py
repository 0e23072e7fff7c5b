"""The demo caseload's law: every demo case is one still being managed.

Seeding the whole caseload is slow and is checked once, by the seed_demo command's test;
this checks the choice of conviction dates over many draws, without the database.
"""

from __future__ import annotations

import datetime as dt
import random

from caseload import policy
from caseload.choices import Disposal
from caseload.demo import DISPOSALS, PERIOD_LEFT_MIN_DAYS, _age_on, _period_still_running

TODAY = dt.date(2026, 6, 15)


def test_every_demo_conviction_leaves_the_notification_period_running_and_no_review_due_yet() -> None:
    rng = random.Random("demo-periods")
    for _ in range(400):
        born = dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
        for disposal, custody, discharge in DISPOSALS:
            relevant = TODAY - dt.timedelta(days=rng.randint(100, 9000))
            if _age_on(born, relevant) < 10:
                relevant = born.replace(year=born.year + 20)
            chosen = _period_still_running(rng, born, relevant, disposal, custody, discharge, TODAY)

            assert relevant <= chosen < TODAY
            facts = policy.ConvictionFacts(
                relevant_date=chosen,
                disposal=Disposal(disposal),
                custody_months=custody,
                discharge_months=discharge,
                age_on_relevant_date=_age_on(born, chosen),
            )
            ends = policy.notification_ends_on(facts)
            if ends is None:  # indefinite: the first review is years away (15, or 8 for a child)
                assert (TODAY - chosen).days <= 5000
            else:
                assert ends >= TODAY + dt.timedelta(days=PERIOD_LEFT_MIN_DAYS)
