"""Partner-private records in the portfolio's overdue flag and in e-mails: a
supplier learns nothing of another supplier's private items from either."""

import datetime

from django.core import mail

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import AssessmentSchedule
from assessments.selectors.dashboards import portfolio_summaries
from assessments.services.schedules import assessment_notices_send
from relationships.choices import Visibility
from relationships.services.registers import action_create
from tests.factories import AssessmentFactory

D = datetime.date


def _flag(world, viewer, today: datetime.date) -> bool:
    return (
        portfolio_summaries(user=viewer, today=today)
        .get(relationship=world.relationship)
        .has_overdue_items
    )


def test_overdue_flag_counts_only_the_items_the_viewer_sees(world, frank) -> None:
    today = D(2026, 6, 1)
    # No assessment is expected, so only register items can raise the flag.
    AssessmentSchedule.objects.create(relationship=world.relationship, active=False)
    assert _flag(world, world.bob, today) is False
    action = action_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "Renegotiate the overdraft",
            "due_date": D(2026, 5, 1),
        },
        created_by=world.bob,
    )
    assert action.visibility == Visibility.PARTNER
    assert _flag(world, world.bob, today) is True
    assert _flag(world, world.alice, today) is True  # shared with the lead
    assert _flag(world, frank, today) is False


def test_reminder_names_a_private_draft_only_to_those_who_see_it(world, frank) -> None:
    period = {"period_start": D(2026, 1, 1), "period_end": D(2026, 3, 31)}
    AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.JOINT,
        status=AssessmentStatus.DRAFT,
        **period,
    )
    private = AssessmentFactory(
        relationship=world.relationship,
        kind=AssessmentKind.SELF,
        partnership=world.partner,
        status=AssessmentStatus.DRAFT,
        visibility=Visibility.PARTNER,
        **period,
    )
    private.shared_with.add(world.lead)

    sent = assessment_notices_send(relationship=world.relationship, today=D(2026, 4, 2))

    assert sent == 1
    bodies = {
        address: message.body for message in mail.outbox for address in message.to
    }
    assert sorted(bodies) == [
        "alice@example.com",
        "bob@example.com",
        "frank@example.com",
    ]
    assert "Partner Org's self-assessment" in bodies["alice@example.com"]
    assert "Partner Org's self-assessment" in bodies["bob@example.com"]
    assert "Partner Org's self-assessment" not in bodies["frank@example.com"]
    assert "the joint assessment" in bodies["frank@example.com"]
