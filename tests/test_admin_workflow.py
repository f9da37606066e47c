"""The admin edits records, not workflow states: a plan version is approved and a
joint assessment made final only through the partners' sign-offs and
confirmations, so the admin's forms offer no status to change."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessments.choices import AssessmentStatus
from tests.assessments.factories_assessments import make_assessment
from tests.factories import UserFactory
from tests.relationships.factories_plans import start_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_cannot_make_a_joint_assessment_final(
    world: Any, admin_client: Client
) -> None:
    assessment = make_assessment(
        world, status=AssessmentStatus.SUBMITTED, levels=[3] * 12
    )
    url = reverse("admin:assessments_assessment_change", args=[assessment.pk])

    page = admin_client.get(url)

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "status" not in form.fields
    assert "finalised_at" not in form.fields
    assert "Submitted" in page.content.decode()


def test_admin_cannot_approve_a_plan_version(world: Any, admin_client: Client) -> None:
    plan_version = start_plan(world).versions.get()
    url = reverse("admin:relationships_planversion_change", args=[plan_version.pk])

    page = admin_client.get(url)

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert {"status", "approved_at", "submission_round"}.isdisjoint(form.fields)
