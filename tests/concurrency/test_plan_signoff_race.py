"""Two representatives of the same partner sign at the same instant: one
sign-off is recorded, the other is told the partner has already decided (no
database error, no second decision for the same content and round)."""

import pytest

from relationships.choices import PlanDecisionKind
from relationships.models import PlanDecision, PlanVersion
from relationships.services.plans import (
    PlanAlreadyDecided,
    plan_version_decide,
    plan_version_submit,
)
from tests.concurrency.race import race
from tests.relationships.factories_plans import leadership_seat, start_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 20


def test_two_representatives_signing_at_once_record_one_sign_off(world) -> None:
    leadership_seat(world.carol, world.lead)
    plan_version = start_plan(world, filled=True).versions.get()

    def sign(user):
        def writer() -> PlanDecision:
            return plan_version_decide(
                plan_version=PlanVersion.objects.get(pk=plan_version.pk),
                relationship=world.relationship,
                partnership=world.lead,
                user=user,
                decision=PlanDecisionKind.APPROVE,
            )

        return writer

    for trial in range(1, TRIALS + 1):
        plan_version_submit(
            plan_version=plan_version, relationship=world.relationship, user=world.bob
        )
        outcome = race(sign(world.alice), sign(world.carol))
        assert outcome.succeeded == 1, outcome.errors
        (refusal,) = [error for error in outcome.errors if error is not None]
        assert isinstance(refusal, PlanAlreadyDecided)
        assert PlanDecision.objects.filter(submission_round=trial).count() == 1
        # The partner rejects, closing the round, so the next trial starts afresh.
        plan_version_decide(
            plan_version=PlanVersion.objects.get(pk=plan_version.pk),
            relationship=world.relationship,
            partnership=world.partner,
            user=world.bob,
            decision=PlanDecisionKind.REJECT,
            reason=f"Trial {trial} done.",
        )
