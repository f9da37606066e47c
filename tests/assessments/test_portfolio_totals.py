"""The portfolio's kept totals (PortfolioTotals): one row per organisation, moved
by the transaction that writes its summaries, equal after every change to a
count of the summaries themselves; and the portfolio reads them only for a user
whose organisation's summaries are exactly what the user sees."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessments.models import PortfolioTotals, RelationshipSummary
from assessments.receivers import summaries_refresh_noted
from assessments.selectors.dashboards import portfolio_for_user
from assessments.selectors.dashboards.portfolio import (
    PortfolioCounts,
    _counts_kept,
    _counts_of_rows,
)
from assessments.services.summaries import (
    relationship_summaries_refresh_stale,
)
from principles.models import LifecycleStage
from relationships.choices import ObjectiveStatus, Visibility
from relationships.services.lifecycle import stage_move
from relationships.services.plans import plan_version_submit
from relationships.services.registers import (
    action_update,
    objective_revise,
    risk_update,
)
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    ObjectiveFactory,
    PartnershipFactory,
    RelationshipFactory,
    RiskFactory,
)
from tests.relationships.factories_plans import start_plan

pytestmark = pytest.mark.django_db

URL = reverse("assessments:portfolio_dashboard")


def _counted(organisation_id: int) -> tuple[PortfolioCounts, dict[str, int]]:
    """A fresh count of the organisation's summaries, by the aggregate the
    filtered portfolio uses, and how many are for each day."""
    summaries = RelationshipSummary.objects.filter(organisation_id=organisation_id)
    by_day = {
        as_of.isoformat(): count
        for as_of, count in summaries.order_by()
        .values_list("as_of")
        .annotate(count=Count("pk"))
    }
    return _counts_of_rows(summaries), by_day


def _kept(organisation_id: int) -> tuple[PortfolioCounts, dict[str, int]]:
    totals = PortfolioTotals.objects.filter(pk=organisation_id).first()
    if totals is None:
        totals = PortfolioTotals(organisation_id=organisation_id)
    return _counts_kept(totals), totals.by_as_of


def _assert_kept_as_counted(world) -> None:
    summaries_refresh_noted()  # what a commit would have run
    for organisation in (
        world.lead.organisation,
        world.partner.organisation,
        world.outsider_organisation,
    ):
        assert _kept(organisation.pk) == _counted(organisation.pk), organisation


def test_the_totals_follow_every_change_as_a_recount_would(world) -> None:
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[0].count == 1

    action = ActionFactory(relationship=world.relationship, due_date=today)
    _assert_kept_as_counted(world)
    action_update(
        action=action,
        changes={"due_date": yesterday},
        expected_revision=action.revision,
        updated_by=world.alice,
    )
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[0].overdue_actions == 1

    # Private to the partner: counted in its totals only.
    ActionFactory(
        relationship=world.relationship,
        due_date=yesterday,
        visibility=Visibility.PARTNER,
        owner_partnership=world.partner,
    )
    risk = RiskFactory(relationship=world.relationship, review_date=today)
    risk_update(
        risk=risk,
        changes={"review_date": yesterday},
        expected_revision=risk.revision,
        updated_by=world.alice,
    )
    objective = ObjectiveFactory(relationship=world.relationship)
    objective_revise(
        objective=objective,
        changes={"status": ObjectiveStatus.OFF_TRACK},
        reason="Slipped a quarter.",
        expected_revision=objective.revision,
        revised_by=world.alice,
    )
    _assert_kept_as_counted(world)
    lead, partner = (
        _kept(world.lead.organisation_id)[0],
        _kept(world.partner.organisation_id)[0],
    )
    assert (lead.overdue_actions, partner.overdue_actions) == (1, 2)
    assert (lead.risks_past_review, lead.objectives_off_track) == (1, 1)

    stage_move(
        relationship=world.relationship,
        to_stage=LifecycleStage.objects.get(number=world.relationship.stage.number + 1),
        reason="Agreed at the kick-off.",
        user=world.alice,
    )
    _assert_kept_as_counted(world)

    plan = start_plan(world, filled=True)
    plan_version_submit(
        plan_version=plan.versions.get(),
        relationship=world.relationship,
        user=world.alice,
    )
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[0].plans_awaiting == 1

    # A second relationship of the lead's, with a partner that then leaves the
    # site altogether (its partnership deleted: no refresh sees the summary go).
    second = RelationshipFactory(title="Second", reference="second")
    PartnershipFactory(relationship=second, organisation=world.lead.organisation)
    leaving = PartnershipFactory(
        relationship=second, organisation=world.partner.organisation
    )
    _assert_kept_as_counted(world)
    assert _kept(world.partner.organisation_id)[0].count == 2
    leaving.delete()
    _assert_kept_as_counted(world)
    assert _kept(world.partner.organisation_id)[0].count == 1
    second.delete()
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[0].count == 1

    # The next morning every summary is worked out for the new day.
    tomorrow = today + datetime.timedelta(days=1)
    relationship_summaries_refresh_stale(today=tomorrow)
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[1] == {tomorrow.isoformat(): 1}


def test_a_recount_puts_right_totals_written_around_the_services(world) -> None:
    ActionFactory(
        relationship=world.relationship,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    summaries_refresh_noted()
    # Rows changed with update(), which sends no signal and moves no total.
    RelationshipSummary.objects.filter(relationship=world.relationship).update(
        overdue_actions=7
    )
    PortfolioTotals.objects.filter(pk=world.partner.organisation_id).delete()
    assert _kept(world.lead.organisation_id) != _counted(world.lead.organisation_id)

    out = StringIO()
    call_command("recount_portfolio_totals", stdout=out)

    assert (
        f"Counted the portfolio totals of {PortfolioTotals.objects.count()} "
        "organisations" in out.getvalue()
    )
    _assert_kept_as_counted(world)
    assert _kept(world.lead.organisation_id)[0].overdue_actions == 7


def test_the_nightly_refresh_recounts_every_organisation(world) -> None:
    summaries_refresh_noted()
    PortfolioTotals.objects.update(relationships=40)
    relationship_summaries_refresh_stale()
    _assert_kept_as_counted(world)


def test_a_member_of_one_organisation_reads_its_kept_totals(world) -> None:
    portfolio = portfolio_for_user(user=world.alice)
    assert portfolio.totals is not None
    assert portfolio.totals.organisation_id == world.lead.organisation_id


def test_a_member_of_two_organisations_is_counted_from_the_rows(client, world) -> None:
    """Both of alice's organisations are partners in one relationship: the sum
    of their totals would count it twice; the page counts her rows."""
    MembershipFactory(user=world.alice, organisation=world.partner.organisation)
    assert portfolio_for_user(user=world.alice).totals is None

    client.force_login(world.alice)
    html = client.get(URL).content.decode()
    assert portfolio_for_user(user=world.alice).summaries.count() == 1
    assert "1 relationship you can see" in html


def test_a_filtered_portfolio_counts_its_rows_not_the_kept_totals(
    client, world
) -> None:
    summaries_refresh_noted()
    # Put out on purpose: which count the page shows tells which it read.
    PortfolioTotals.objects.filter(pk=world.lead.organisation_id).update(
        relationships=40
    )
    client.force_login(world.alice)

    assert "40 relationships you can see" in client.get(URL).content.decode()
    assert "1 relationship match these filters" in (
        client.get(URL, {"kind": world.relationship.kind}).content.decode()
    )
    # A sort alone leaves the portfolio whole: the kept totals still count it.
    assert "40 relationships" in client.get(URL, {"sort": "-score"}).content.decode()
