"""Two refreshes of one relationship's summaries at the same instant (two saves
committed together, each refreshing after its commit) leave the organisations'
portfolio totals equal to a count of the summaries, and the summaries with both
saves: each refresh waits for the other, works the summaries out from what is
committed then, and adds its difference from what the other wrote."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import PortfolioTotals, RelationshipSummary
from assessments.selectors.dashboards.portfolio import _counts_kept, _counts_of_rows
from assessments.services.summaries import (
    portfolio_totals_recount,
    relationship_summaries_refresh,
)
from tests.concurrency.race import race
from tests.factories import ActionFactory, RiskFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 8


def _assert_kept_as_counted(world) -> None:
    for organisation_id in (world.lead.organisation_id, world.partner.organisation_id):
        assert _counts_kept(PortfolioTotals.objects.get(pk=organisation_id)) == (
            _counts_of_rows(
                RelationshipSummary.objects.filter(organisation_id=organisation_id)
            )
        )


def test_two_first_refreshes_at_once_count_the_relationship_once(world) -> None:
    """Neither finds a summary to replace: the second must see the first's."""

    def refresh() -> int:
        return relationship_summaries_refresh(relationship_ids=[world.relationship.pk])

    for _ in range(TRIALS):
        RelationshipSummary.objects.filter(relationship=world.relationship).delete()
        portfolio_totals_recount()
        outcome = race(refresh, refresh)
        assert outcome.errors == [None, None]
        _assert_kept_as_counted(world)
        assert (
            PortfolioTotals.objects.get(pk=world.lead.organisation_id).relationships
            == 1
        )


def test_two_saves_committed_at_once_are_both_counted(world) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    def save_an_overdue_action() -> None:
        ActionFactory(relationship=world.relationship, due_date=yesterday)

    def save_a_risk_past_review() -> None:
        RiskFactory(relationship=world.relationship, review_date=yesterday)

    for trial in range(1, TRIALS + 1):
        outcome = race(save_an_overdue_action, save_a_risk_past_review)
        assert outcome.errors == [None, None]
        _assert_kept_as_counted(world)
        totals = PortfolioTotals.objects.get(pk=world.lead.organisation_id)
        assert (totals.overdue_actions, totals.risks_past_review) == (trial, trial)
