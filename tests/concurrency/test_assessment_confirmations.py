"""Confirmations of a joint assessment under real concurrency (PostgreSQL).

Both partners confirming at the same instant must make the assessment final
(each counts the other's confirmation), and a rating change racing a
confirmation must never leave a confirmation counting for ratings it was not
given on.
"""

import datetime
from typing import Any

import pytest

from assessments.choices import AssessmentStatus
from assessments.models import Assessment
from assessments.selectors.confirmations import (
    assessment_fingerprint,
    assessment_open_confirmations,
)
from assessments.services.assessments import RatingInput, assessment_ratings_save
from assessments.services.confirmations import assessment_confirm
from tests.assessments.factories_assessments import make_assessment, principles_of
from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 20


def _submitted(world: Any, trial: int) -> Assessment:
    year = 2000 + trial
    return make_assessment(
        world,
        status=AssessmentStatus.SUBMITTED,
        levels=[3] * 12,
        period=(datetime.date(year, 1, 1), datetime.date(year, 3, 31)),
    )


def _confirmer(assessment: Assessment, user: Any, partnership: Any, seen: str):
    def confirm() -> Any:
        return assessment_confirm(
            assessment=Assessment.objects.select_related("relationship").get(
                pk=assessment.pk
            ),
            partnership=partnership,
            user=user,
            seen_sha256=seen,
        )

    return confirm


def _changer(assessment: Assessment, principle: Any, user: Any):
    def change() -> Any:
        current = Assessment.objects.select_related("relationship").get(
            pk=assessment.pk
        )
        return assessment_ratings_save(
            assessment=current,
            ratings=[RatingInput(principle=principle, level=5)],
            expected_revision=current.revision,
            user=user,
        )

    return change


def test_two_partners_confirming_at_once_make_it_final(world) -> None:
    not_final = 0
    for trial in range(TRIALS):
        assessment = _submitted(world, trial)
        seen = assessment_fingerprint(assessment=assessment)
        outcome = race(
            _confirmer(assessment, world.alice, world.lead, seen),
            _confirmer(assessment, world.bob, world.partner, seen),
        )
        assert outcome.errors == [None, None], outcome.errors
        assessment.refresh_from_db()
        not_final += assessment.status != AssessmentStatus.FINAL
    assert not_final == 0


def test_a_change_racing_a_confirmation_never_leaves_it_counting(world) -> None:
    outcomes = {"change_first": 0, "confirmation_first": 0}
    for trial in range(TRIALS):
        assessment = _submitted(world, trial)
        seen = assessment_fingerprint(assessment=assessment)
        assessment_confirm(
            assessment=assessment,
            partnership=world.partner,
            user=world.bob,
            seen_sha256=seen,
        )
        change = _changer(assessment, principles_of(assessment)[0], world.carol)
        outcome = race(_confirmer(assessment, world.alice, world.lead, seen), change)
        assessment.refresh_from_db()
        current = assessment_fingerprint(assessment=assessment)
        open_fingerprints = set(
            assessment_open_confirmations(assessment=assessment).values_list(
                "content_sha256", flat=True
            )
        )
        confirm_error, change_error = outcome.errors
        if assessment.status == AssessmentStatus.FINAL:
            # The confirmation came first and closed it: the change was refused
            # and the ratings are those both partners confirmed.
            assert confirm_error is None and change_error is not None
            assert open_fingerprints == {current} == {seen}
            outcomes["confirmation_first"] += 1
        else:
            # The change came first: it cleared the partner's confirmation given
            # on the old ratings, and the lead's is refused as stale.
            assert change_error is None
            assert getattr(confirm_error, "code", None) == "changed"
            assert current != seen
            assert open_fingerprints == set()
            outcomes["change_first"] += 1
    print(f"confirmation vs change, {TRIALS} trials: {outcomes}")
    assert sum(outcomes.values()) == TRIALS
