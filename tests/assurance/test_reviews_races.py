"""Two people save the same review, output action or lifecycle record at the
same moment (PostgreSQL, released together by a barrier): exactly one save
wins, the other is refused with StaleEdit, and nothing is overwritten."""

from typing import Any

import pytest

from assurance.models import (
    ManagementReview,
    ManagementReviewAction,
    OrganisationStageRecord,
)
from assurance.services.organisation_records import organisation_stage_record_save
from assurance.services.reviews import (
    management_review_action_update,
    management_review_update,
)
from principles.models import LifecycleStage
from relationships.concurrency import StaleEdit
from tests.assurance.factories_reviews import own_review, review_action
from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 10


def _one_won(outcome: Any) -> None:
    assert outcome.succeeded == 1, outcome.errors
    assert any(isinstance(error, StaleEdit) for error in outcome.errors)


def test_two_edits_of_a_review_from_one_revision(world: Any) -> None:
    for trial in range(TRIALS):
        review = own_review(world)

        def edit(text: str, user: Any, pk: int = review.pk) -> Any:
            return lambda: management_review_update(
                review=ManagementReview.objects.get(pk=pk),
                values={"decisions": text},
                expected_revision=1,
                user=user,
            )

        outcome = race(edit("Alice's", world.alice), edit("Carol's", world.carol))
        _one_won(outcome)
        review.refresh_from_db()
        winner = outcome.errors.index(None)
        assert review.decisions == ("Alice's", "Carol's")[winner], trial


def test_two_status_changes_of_an_output_action(world: Any) -> None:
    for _trial in range(TRIALS):
        action = review_action(own_review(world))

        def change(status: str, pk: int = action.pk) -> Any:
            return lambda: management_review_action_update(
                action=ManagementReviewAction.objects.select_related("review").get(
                    pk=pk
                ),
                values={"status": status},
                expected_revision=1,
                user=world.alice,
            )

        _one_won(race(change("done"), change("cancelled")))


def test_two_first_saves_of_a_lifecycle_record(world: Any) -> None:
    stages = LifecycleStage.objects.filter(
        key__in=("operational_awareness", "knowledge", "internal_assessment")
    )
    organisations = [world.lead.organisation, world.partner.organisation]
    for stage in stages:
        for organisation in organisations:

            def first_save(
                notes: str, stage: Any = stage, organisation: Any = organisation
            ) -> Any:
                return lambda: organisation_stage_record_save(
                    organisation=organisation,
                    stage=stage,
                    values={"notes": notes},
                    expected_revision=0,
                    user=world.alice,
                )

            _one_won(race(first_save("One"), first_save("Two")))
    assert OrganisationStageRecord.objects.count() == 6
