"""What the register lists and dashboards do to cost less per request keeps their
answers: `{% url %}` reversing each name once (fast_urls), the filter form
remembered per query string, dates and KPI figures formatted once per value and
language, the relationship found with the viewer's audience."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from relationships.access import (
    relationship_get_for_user,
    relationship_get_with_audience,
    viewer_audience,
)
from relationships.filters import ActionFilterSet, ObjectiveFilterSet
from relationships.templatetags import registers as register_tags
from tests.factories import UserFactory


def _render(source: str, **context: object) -> str:
    return Template("{% load fast_urls %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("relationships:objective_list", []),
        ("relationships:detail", ["acme-2026"]),
        ("relationships:objective_detail", ["acme-2026", 17]),
        ("relationships:action_done", ["Ref_9-x", 0]),
        ("assessments:relationship_dashboard", ["pf-0001"]),
    ],
)
def test_fast_url_gives_what_reverse_gives(name: str, args: list) -> None:
    expected = reverse(name, args=args)
    source = "{% url name " + " ".join(f"a{i}" for i in range(len(args))) + " %}"
    values = {f"a{i}": arg for i, arg in enumerate(args)}
    # Twice: the first reverses with placeholders, the second fills them in.
    assert _render(source, name=name, **values) == expected
    assert _render(source, name=name, **values) == expected


def test_fast_url_leaves_other_arguments_to_django() -> None:
    # Text that is not an ASCII slug, keyword arguments and "as": Django's own
    # answers, quoting and errors included.
    token = reverse("accounts:invitation_accept", args=["été a+b"])
    assert _render("{% url 'accounts:invitation_accept' t %}", t="été a+b") == token
    with pytest.raises(NoReverseMatch):
        _render("{% url 'relationships:detail' ref %}", ref="été")
    assert _render(
        "{% url 'relationships:objective_detail' reference=ref pk=3 %}", ref="x-1"
    ) == reverse("relationships:objective_detail", kwargs={"reference": "x-1", "pk": 3})
    assert (
        _render("{% url 'relationships:detail' ref as link %}<{{ link }}>", ref="x-1")
        == "<" + reverse("relationships:detail", args=["x-1"]) + ">"
    )
    with pytest.raises(NoReverseMatch):
        _render("{% url 'relationships:detail' ref %}", ref="a/b")
    with pytest.raises(NoReverseMatch):
        _render("{% url 'relationships:objective_detail' ref pk %}", ref="x", pk=-1)
    assert (
        _render("{% url 'relationships:detail' ref as link %}[{{ link }}]", ref="a/b")
        == "[]"
    )


def test_filter_form_is_rendered_once_per_query_and_shows_it() -> None:
    register_tags._filter_form_remembered.cache_clear()
    request = RequestFactory().get("/objectives/", {"q": "cash <b>", "page": "3"})
    first = register_tags.filter_form(
        ObjectiveFilterSet(request.GET), reset_url="/objectives/"
    )
    assert 'value="cash &lt;b&gt;"' in first
    # Another page of the same filters, another request: the same form, not
    # rendered again.
    again = RequestFactory().get("/objectives/", {"page": "4", "q": "cash <b>"})
    assert (
        register_tags.filter_form(
            ObjectiveFilterSet(again.GET), reset_url="/objectives/"
        )
        is first
    )
    info = register_tags._filter_form_remembered.cache_info()
    assert (info.hits, info.misses) == (1, 1)
    # Other filters, another filter set: rendered for them.
    other = register_tags.filter_form(
        ObjectiveFilterSet(RequestFactory().get("/", {"status": "at_risk"}).GET),
        reset_url="/objectives/",
    )
    assert 'value="at_risk" selected' in other
    actions = register_tags.filter_form(
        ActionFilterSet(RequestFactory().get("/", {"q": "cash <b>"}).GET),
        reset_url="/actions/",
        hide_relationship=True,
    )
    assert 'name="relationship"' not in actions
    assert 'name="relationship"' in first


def test_filter_form_shows_errors_of_the_query() -> None:
    register_tags._filter_form_remembered.cache_clear()
    html = register_tags.filter_form(
        ObjectiveFilterSet(RequestFactory().get("/", {"status": "nonsense"}).GET),
        reset_url="/objectives/",
    )
    assert "text-danger" in html


@pytest.mark.django_db
def test_relationship_with_audience_follows_the_visibility_rule(world) -> None:
    relationship, audience = relationship_get_with_audience(
        user=world.alice, reference=world.relationship.reference
    )
    assert relationship == relationship_get_for_user(
        user=world.alice, reference=world.relationship.reference
    )
    assert audience == viewer_audience(user=world.alice, relationship=relationship)
    assert audience
    outsider = UserFactory()
    for user, reference in [
        (outsider, world.relationship.reference),
        (world.alice, "no-such-reference"),
    ]:
        with pytest.raises(Http404):
            relationship_get_with_audience(user=user, reference=reference)
        with pytest.raises(Http404):
            relationship_get_for_user(user=user, reference=reference)


@pytest.mark.parametrize(
    "value",
    [date(2026, 12, 7), date(2027, 3, 1), datetime(2026, 12, 7, 23, 30, tzinfo=UTC)],
)
@pytest.mark.parametrize("language", ["en-gb", "fr", "de"])
def test_day_reads_as_djangos_date_filter_in_each_language(value, language) -> None:
    template = Template('{% load registers %}{{ value|day }}|{{ value|date:"j M Y" }}')

    with translation.override(language):
        remembered, django_own = template.render(Context({"value": value})).split("|")
        again = register_tags.day(value)

    assert remembered == django_own == again
    assert register_tags.day(None) == ""


@pytest.mark.parametrize(
    "value", [Decimal("6.40"), Decimal("6.4"), Decimal("100"), Decimal("1234.5")]
)
@pytest.mark.parametrize("language", ["en-gb", "fr"])
def test_figure_reads_as_djangos_floatformat_in_each_language(value, language) -> None:
    template = Template(
        '{% load registers %}{{ value|figure }}|{{ value|floatformat:"-2" }}'
    )

    with translation.override(language):
        remembered, django_own = template.render(Context({"value": value})).split("|")

    assert remembered == django_own
    assert register_tags.figure(None) == ""


@pytest.mark.django_db
def test_portfolio_filter_form_is_rendered_once_per_query_stages_and_language(
    monkeypatch,
) -> None:
    from assessments.filters import PortfolioFilterSet
    from assessments.templatetags import portfolio as portfolio_tags
    from principles.models import LifecycleStage
    from relationships.caching import catalogue_changed

    portfolio_tags._forms.clear()
    rendered = []
    real_render = portfolio_tags._render
    monkeypatch.setattr(
        portfolio_tags,
        "_render",
        lambda *args: rendered.append(args) or real_render(*args),
    )

    def form(query: dict, language: str = "en-gb") -> str:
        with translation.override(language):
            filterset = PortfolioFilterSet(RequestFactory().get("/", query).GET)
            return portfolio_tags.portfolio_filter_form(
                filterset, filterset.selected_sort
            )

    first = form({"partner": "Acme <b>", "page": "2"})
    again = form({"page": "5", "partner": "Acme <b>"})
    assert 'value="Acme &lt;b&gt;"' in first and again is first
    assert len(rendered) == 1
    # An error of the query is part of what is remembered, and shown.
    assert "invalid-feedback" in form({"stage": "99"})
    assert 'value="7" selected' in form({"stage": "7"})
    # Another language renders anew.
    form({"partner": "Acme <b>"}, language="fr")
    assert len(rendered) == 4
    # A stage renamed in the catalogue gives the form its new name.
    stage = LifecycleStage.objects.get(number=7)
    stage.name = "Keeping it going"
    stage.save()
    catalogue_changed()
    assert "7. Keeping it going" in form({"partner": "Acme <b>"})
    assert len(rendered) == 5
