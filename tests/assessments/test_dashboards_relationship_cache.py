"""The relationship dashboard's cached fragment: kept per relationship version,
day and audience, so a save elsewhere leaves it in place, a save in its own
relationship refreshes it, and one partner's private records never reach the
copy another partner's people are shown."""

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.urls import reverse
from django.utils import timezone

from relationships.access import viewer_audience
from relationships.caching import relationship_key
from relationships.choices import PartnerRole, Visibility
from relationships.models import Relationship
from relationships.services.registers import objective_create
from tests.factories import PartnershipFactory, RelationshipFactory, RiskFactory

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Quietly renegotiate the supply terms"


@pytest.fixture(autouse=True)
def caching_on(settings) -> None:
    # The tests' cache is the process's memory (CACHES in config/settings.py).
    settings.DASHBOARD_CACHE_SECONDS = 60


def _url(relationship: Relationship) -> str:
    return reverse(
        "assessments:relationship_dashboard",
        kwargs={"reference": relationship.reference},
    )


def _cached_fragment(user, relationship: Relationship) -> str | None:
    """The fragment the template caches for this viewer today, if any."""
    audience = viewer_audience(user=user, relationship=relationship)
    key = relationship_key(relationship.pk, timezone.localdate(), *audience)
    return cache.get(make_template_fragment_key("relationship_dashboard", [key]))


@pytest.fixture
def second_relationship(world) -> Relationship:
    """Another relationship of Alice's organisation, with another partner."""
    relationship = RelationshipFactory(title="Second venture", reference="second")
    PartnershipFactory(
        relationship=relationship,
        organisation=world.lead.organisation,
        role=PartnerRole.LEAD,
        relationship_manager=world.alice,
    )
    PartnershipFactory(relationship=relationship)
    return relationship


def test_a_save_in_one_relationship_leaves_another_relationships_dashboard_cached(
    login, world, second_relationship, django_assert_num_queries
) -> None:
    client = login(world.alice)
    assert client.get(_url(world.relationship)).status_code == 200
    assert client.get(_url(second_relationship)).status_code == 200
    first = _cached_fragment(world.alice, world.relationship)
    assert first is not None

    RiskFactory(relationship=second_relationship, likelihood=5, impact=4)

    # The first relationship's copy is still there, under the same key, and
    # served without building the dashboard again (session, user, access check,
    # the user's organisations, audience).
    assert _cached_fragment(world.alice, world.relationship) == first
    with django_assert_num_queries(5):
        assert client.get(_url(world.relationship)).status_code == 200
    # The second relationship's own copy was left behind: the page shows the risk.
    assert _cached_fragment(world.alice, second_relationship) is None
    html = client.get(_url(second_relationship)).content.decode()
    assert "<desc>1 risks by likelihood" in html
    assert "<desc>1 risks by likelihood" in _cached_fragment(
        world.alice, second_relationship
    )


def test_a_partners_private_objective_never_reaches_another_partners_cached_copy(
    login, world, frank
) -> None:
    # Three partners: Bob's organisation keeps an objective to itself (and the
    # lead, by default); Frank's, the other supplier, must never see it.
    objective = objective_create(
        relationship=world.relationship,
        values={
            "owner": world.partner,
            "title": SECRET_TITLE,
            "horizon": "short",
            "milestone_date": timezone.localdate(),
        },
        created_by=world.bob,
    )
    assert objective.visibility == Visibility.PARTNER
    bob_page = login(world.bob).get(_url(world.relationship)).content.decode()
    assert SECRET_TITLE in bob_page
    assert SECRET_TITLE in _cached_fragment(world.bob, world.relationship)

    frank_page = login(frank).get(_url(world.relationship)).content.decode()

    assert SECRET_TITLE not in frank_page
    assert SECRET_TITLE not in _cached_fragment(frank, world.relationship)
    # The lead, which it is shared with, sees it in its own copy.
    alice_page = login(world.alice).get(_url(world.relationship)).content.decode()
    assert SECRET_TITLE in alice_page


def test_the_cached_fragment_holds_no_per_user_control(login, world) -> None:
    login(world.alice).get(_url(world.relationship))
    fragment = _cached_fragment(world.alice, world.relationship)

    assert fragment is not None and 'id="radar-heading"' in fragment
    for control in ("csrfmiddlewaretoken", "<form", "<button", "next="):
        assert control not in fragment


def test_with_caching_off_nothing_is_cached(login, world, settings) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    client = login(world.alice)
    assert client.get(_url(world.relationship)).status_code == 200
    RiskFactory(relationship=world.relationship, likelihood=5, impact=4)

    html = client.get(_url(world.relationship)).content.decode()

    assert "<desc>1 risks by likelihood" in html
    assert _cached_fragment(world.alice, world.relationship) is None


def test_with_caching_off_the_dashboards_never_ask_the_cache(
    login, world, settings, request
) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0
    RiskFactory(relationship=world.relationship, likelihood=5, impact=4)
    client = login(world.alice)
    # Recorded from here: logging in asks the cache too (rate limits).
    asked = request.getfixturevalue("cache_keys_asked")

    relationship = client.get(_url(world.relationship))
    portfolio = client.get(reverse("assessments:portfolio_dashboard"))

    assert relationship.status_code == 200 and portfolio.status_code == 200
    assert "<desc>1 risks by likelihood" in relationship.content.decode()
    assert world.relationship.title in portfolio.content.decode()
    # The MFA gate asks on every page (accounts.selectors.mfa_gate_for).
    assert [key for key in asked if not key.startswith("accounts:mfa-gate")] == []
    assert asked
