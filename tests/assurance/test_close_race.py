"""Closing a finding while someone adds a corrective action to it, on the real
PostgreSQL server: released together by a barrier, 20 times, the two never
both succeed, so no closed finding ever holds an action that was not verified."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assurance.models import Finding
from assurance.models.findings import CorrectiveActionStatus, FindingStatus
from assurance.selectors.findings import finding_close_blocker
from assurance.services.findings import corrective_action_add, finding_close
from tests.assurance.factories_assurance import make_action, make_finding
from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 20


def test_a_finding_never_closes_over_an_action_added_at_the_same_moment(
    world,
) -> None:
    outcomes = set()
    for trial in range(TRIALS):
        finding = make_finding(relationship=world.relationship, title=f"Trial {trial}")
        make_action(finding, owner=world.carol, status=CorrectiveActionStatus.VERIFIED)
        opened_at = finding.revision

        def close(finding=finding, opened_at=opened_at) -> None:
            finding_close(
                finding=Finding.objects.get(pk=finding.pk),
                expected_revision=opened_at,
                closed_by=world.alice,
            )

        def add(finding=finding) -> None:
            corrective_action_add(
                finding=Finding.objects.get(pk=finding.pk),
                values={
                    "root_cause": "Found late",
                    "action": "Do more",
                    "owner": world.bob,
                    "due_date": timezone.localdate() + datetime.timedelta(days=9),
                },
                created_by=world.bob,
            )

        outcome = race(close, add)
        assert outcome.succeeded == 1, outcome.errors
        assert all(
            error is None or isinstance(error, ValidationError)
            for error in outcome.errors
        )
        stored = Finding.objects.get(pk=finding.pk)
        if stored.status == FindingStatus.CLOSED:
            assert stored.corrective_actions.count() == 1
            outcomes.add("closed")
        else:
            assert finding_close_blocker(finding=stored)
            outcomes.add("added")
