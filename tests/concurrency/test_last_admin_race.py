"""Two admins of one organisation demote each other at the same instant: one
change goes through, the other is refused, and the organisation keeps an
admin (without the lock both would pass the check and leave none)."""

import pytest
from django.core.exceptions import ValidationError

from relationships.choices import MembershipRole
from relationships.models import Membership
from relationships.services.organisations import membership_role_change
from tests.accounts.specs_organisations import organisation_admin
from tests.concurrency.race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 10


def test_two_admins_demoting_each_other_keep_one_admin(world) -> None:
    olive = organisation_admin(world)
    alice_membership = Membership.objects.get(user=world.alice)
    olive_membership = Membership.objects.get(user=olive)

    def demote(membership: Membership, by):
        def writer() -> Membership:
            return membership_role_change(
                membership=Membership.objects.get(pk=membership.pk),
                role=MembershipRole.AUDITOR,
                user=by,
            )

        return writer

    for _trial in range(TRIALS):
        Membership.objects.filter(
            pk__in=[alice_membership.pk, olive_membership.pk]
        ).update(role=MembershipRole.ORG_ADMIN)
        outcome = race(
            demote(alice_membership, olive), demote(olive_membership, world.alice)
        )
        assert outcome.succeeded == 1, outcome.errors
        (refusal,) = [error for error in outcome.errors if error is not None]
        assert isinstance(refusal, ValidationError)
        assert "only active admin" in str(refusal)
        assert (
            Membership.objects.filter(
                organisation=world.lead.organisation, role=MembershipRole.ORG_ADMIN
            ).count()
            == 1
        )
