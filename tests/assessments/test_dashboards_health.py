import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating
from relationships.access import relationships_visible_to
from relationships.models import Organisation, Relationship
from tests.accounts.helpers import is_logged_in, page_login
from tests.assessments.factories_dashboards import (
    PORTFOLIO_PASSWORD,
    generate_portfolio,
)


@pytest.mark.django_db
def test_health_check_answers_ok_without_login_or_database(
    client, django_assert_num_queries
) -> None:
    with django_assert_num_queries(0):
        response = client.get(reverse("assessments:healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]


def test_health_check_refuses_writes(client) -> None:
    assert client.post(reverse("assessments:healthz")).status_code == 405


@pytest.mark.django_db
def test_generate_portfolio_makes_a_small_portfolio_for_two_viewers(
    django_user_model,
) -> None:
    out = io.StringIO()
    call_command("generate_portfolio", relationships=5, stdout=out)

    assert "5 relationships" in out.getvalue()
    assert Relationship.objects.count() == 5
    # 2.5 partner organisations per relationship, plus the two viewers' own.
    assert Organisation.objects.count() == 13 + 2
    viewer = django_user_model.objects.get(username="portfolio.viewer")
    sample = django_user_model.objects.get(username="portfolio.sample")
    assert relationships_visible_to(viewer).count() == 5
    assert relationships_visible_to(sample).count() == 5  # at most 10
    for relationship in Relationship.objects.all():
        joints = Assessment.objects.filter(
            relationship=relationship, kind=AssessmentKind.JOINT
        )
        assert 3 <= joints.count() <= 8
        assert set(joints.values_list("status", flat=True)) == {AssessmentStatus.FINAL}
        assert Assessment.objects.filter(
            relationship=relationship, kind=AssessmentKind.SELF
        ).count() == joints.count() * (relationship.partnerships.count())
        assert relationship.objectives.exists()
        assert relationship.risks.exists()
        assert relationship.actions.exists()
    assert PrincipleRating.objects.count() == Assessment.objects.count() * 12


class _Rollback(Exception):
    pass


def _portfolio_snapshot() -> list:
    return [
        list(
            PrincipleRating.objects.order_by(
                "assessment__relationship__reference",
                "assessment__period_start",
                "assessment__partnership__organisation__slug",
                "principle__number",
            ).values_list(
                "assessment__relationship__reference",
                "assessment__partnership__organisation__slug",
                "principle__number",
                "level",
            )
        ),
        list(Relationship.objects.order_by("reference").values_list("title", "kind")),
    ]


@pytest.mark.django_db
def test_generate_portfolio_is_deterministic() -> None:
    try:
        with transaction.atomic():
            generate_portfolio(4, seed=7)
            first = _portfolio_snapshot()
            raise _Rollback
    except _Rollback:
        pass
    assert not Relationship.objects.exists()

    generate_portfolio(4, seed=7)

    assert _portfolio_snapshot() == first


@pytest.mark.django_db
def test_generate_portfolio_refuses_to_run_twice() -> None:
    generate_portfolio(2)
    with pytest.raises(CommandError, match="already loaded"):
        generate_portfolio(2)
    assert Relationship.objects.count() == 2


@pytest.mark.django_db
def test_generate_portfolio_is_refused_where_demo_data_is_not_allowed(
    settings,
) -> None:
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refused"):
        generate_portfolio(2)
    assert not Relationship.objects.exists()


@pytest.mark.django_db
def test_generate_portfolio_rejects_a_non_positive_size() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        generate_portfolio(0)


@pytest.mark.django_db
def test_generated_users_log_in_through_the_login_form(client) -> None:
    # The dashboard benchmark logs its two users in through allauth's form, which
    # lets in only an account with a verified address (mandatory verification).
    generate_portfolio(2)
    for username, email in (
        ("portfolio.viewer", "portfolio.viewer@example.org"),
        ("portfolio.sample", "portfolio.sample@example.org"),
    ):
        address = EmailAddress.objects.get(user__username=username)
        assert (address.email, address.verified, address.primary) == (
            email,
            True,
            True,
        )
        client.logout()
        response = page_login(client, username, PORTFOLIO_PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == reverse("relationships:list")
        assert is_logged_in(client)
        assert client.get(reverse("assessments:portfolio_dashboard")).status_code == 200


def _constraints_and_indexes(tables: list[str]) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        constraints = set(cursor.fetchall())
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename = ANY(%s)",
            [tables],
        )
        return constraints | set(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db
def test_generate_portfolio_puts_back_what_it_sets_aside_on_postgresql(
    postgres_only,
) -> None:
    # On PostgreSQL the assessments and ratings are loaded with their foreign
    # keys, unique constraints and indexes set aside, then put back.
    tables = [Assessment._meta.db_table, PrincipleRating._meta.db_table]
    before = _constraints_and_indexes(tables)
    assert len(before) > 10

    generate_portfolio(3)

    assert _constraints_and_indexes(tables) == before
    assert PrincipleRating.objects.count() == Assessment.objects.count() * 12
