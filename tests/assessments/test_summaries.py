"""The portfolio's summaries: one per partner in a relationship, kept up to date
by the saves of the relationship's rows, private records counted per audience."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import RelationshipSummary
from assessments.receivers import summaries_refresh_noted
from assessments.selectors.dashboards import portfolio, portfolio_summaries
from assessments.services.summaries import (
    portfolio_totals_recount,
    relationship_summaries_refresh_stale,
)
from assessments.tasks import summaries_refresh_stale_task
from relationships.choices import Visibility
from relationships.models import Partnership
from tests.factories import (
    ActionFactory,
    ObjectiveFactory,
    PartnershipFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("assessments:portfolio_dashboard")


def _summary(user, relationship) -> RelationshipSummary:
    return portfolio_summaries(user=user).get(relationship=relationship)


def test_each_partner_has_one_summary_of_each_relationship(world) -> None:
    assert list(
        portfolio_summaries(user=world.alice).values_list("reference", flat=True)
    ) == ["joint-venture"]
    assert (
        RelationshipSummary.objects.filter(relationship=world.relationship).count() == 2
    )
    assert list(
        portfolio_summaries(user=world.eve).values_list("reference", flat=True)
    ) == ["outsider-deal"]


def test_a_save_refreshes_the_summary_of_its_relationship(world) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert _summary(world.alice, world.relationship).overdue_actions == 0

    ActionFactory(relationship=world.relationship, due_date=yesterday)

    summary = _summary(world.alice, world.relationship)
    assert (summary.overdue_actions, summary.has_overdue_items) == (1, True)
    assert _summary(world.bob, world.relationship).overdue_actions == 1


def test_a_private_record_counts_only_for_its_audience(world, frank) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(
        relationship=world.relationship,
        due_date=yesterday,
        visibility=Visibility.PARTNER,
        owner_partnership=world.partner,
    )
    # Private to the partner (bob's organisation), shared with nobody.
    assert _summary(world.bob, world.relationship).overdue_actions == 1
    assert _summary(world.alice, world.relationship).overdue_actions == 0
    assert _summary(frank, world.relationship).overdue_actions == 0


def test_summaries_of_another_day_are_worked_out_again(world) -> None:
    due_today = timezone.localdate()
    ActionFactory(relationship=world.relationship, due_date=due_today)
    assert _summary(world.alice, world.relationship).overdue_actions == 0
    tomorrow = due_today + datetime.timedelta(days=1)

    assert relationship_summaries_refresh_stale(today=tomorrow) == 3
    summary = portfolio_summaries(user=world.alice, today=tomorrow).get(
        relationship=world.relationship
    )
    assert (summary.as_of, summary.overdue_actions) == (tomorrow, 1)


def test_a_portfolio_of_many_summaries_of_another_day_queues_their_refresh(
    world, login, monkeypatch
) -> None:
    """After midnight, before the daily run, a large portfolio's first view
    would work out every summary within the request (minutes at 10,000): past
    REFRESH_IN_REQUEST it queues the refresh once, and says which day the
    figures it shows are for until the refresh has run."""
    queued = []
    monkeypatch.setattr(portfolio, "REFRESH_IN_REQUEST", 1)
    monkeypatch.setattr(
        summaries_refresh_stale_task, "delay", lambda: queued.append(True)
    )
    second = RelationshipFactory(title="Second venture", reference="second-venture")
    PartnershipFactory(relationship=second, organisation=world.lead.organisation)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ActionFactory(relationship=world.relationship, due_date=timezone.localdate())
    summaries_refresh_noted()
    RelationshipSummary.objects.update(as_of=yesterday)
    portfolio_totals_recount()  # the totals count the summaries by day
    client = login(world.alice)

    first = client.get(URL)
    again = client.get(URL)

    assert first.status_code == again.status_code == 200
    assert queued == [True]  # once, not on every view
    assert set(RelationshipSummary.objects.values_list("as_of", flat=True)) == {
        yesterday
    }
    html = " ".join(first.content.decode().split())
    assert (
        "Overdue counts, due assessments and the lists below are still those of "
        f"{yesterday.day} {yesterday:%b %Y} for some relationships" in html
    )

    summaries_refresh_stale_task()  # the queued task, as a worker runs it

    assert set(RelationshipSummary.objects.values_list("as_of", flat=True)) == {
        timezone.localdate()
    }
    html = client.get(URL).content.decode()
    assert "are still those of" not in html


def test_a_few_summaries_of_another_day_are_worked_out_within_the_view(
    world, login, monkeypatch
) -> None:
    monkeypatch.setattr(
        summaries_refresh_stale_task, "delay", lambda: pytest.fail("queued")
    )
    summaries_refresh_noted()
    RelationshipSummary.objects.update(
        as_of=timezone.localdate() - datetime.timedelta(days=1)
    )
    portfolio_totals_recount()

    html = login(world.alice).get(URL).content.decode()

    assert "are still those of" not in html
    # Alice's summaries; the outsider's wait for their own view or the daily run.
    mine = RelationshipSummary.objects.filter(organisation=world.lead.organisation)
    assert set(mine.values_list("as_of", flat=True)) == {timezone.localdate()}


def test_a_save_in_one_tenant_leaves_anothers_cached_portfolio_alone(
    world, settings, monkeypatch
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 60
    builds = []
    build = portfolio.portfolio_index_build
    monkeypatch.setattr(
        portfolio,
        "portfolio_index_build",
        lambda **kwargs: builds.append(kwargs["user"].username) or build(**kwargs),
    )
    alice, eve = Client(), Client()
    alice.force_login(world.alice)
    eve.force_login(world.eve)
    alice.get(URL), eve.get(URL)
    assert builds == ["alice", "eve"]

    ObjectiveFactory(relationship=world.relationship, title="Cut lead times")

    assert "Cut lead times" not in eve.get(URL).content.decode()
    alice.get(URL)
    assert builds == ["alice", "eve", "alice"]  # eve's counters stayed cached


def test_the_migrations_backfill_works_out_every_summary(world) -> None:
    from types import SimpleNamespace

    from django.db import connection

    from assessments.services.summaries import relationship_summaries_backfill

    RelationshipSummary.objects.all().delete()
    # A migration passes its schema editor; only its connection is used (SQLite
    # opens no schema editor inside a test's transaction).
    written = relationship_summaries_backfill(SimpleNamespace(connection=connection))

    partnerships = set(Partnership.objects.values_list("pk", flat=True))
    assert {world.lead.pk, world.partner.pk} <= partnerships
    assert written == RelationshipSummary.objects.count() == len(partnerships)
    assert (
        set(RelationshipSummary.objects.values_list("partnership_id", flat=True))
        == partnerships
    )
