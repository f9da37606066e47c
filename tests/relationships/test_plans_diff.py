"""Version history and the side-by-side diff between two versions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relationships.choices import PlanVersionStatus
from relationships.selectors.plans import word_diff
from relationships.services.plans import (
    plan_version_create_draft,
    plan_version_submit,
)
from tests.factories import PlanVersionFactory
from tests.relationships.factories_plans import approve_by_all, start_plan

pytestmark = pytest.mark.django_db


def test_word_diff_marks_removed_and_added_words() -> None:
    old_html, new_html = word_diff("The quick brown fox", "The slow brown fox jumps")
    assert old_html == 'The <del class="diff-del">quick</del> brown fox'
    assert new_html == (
        'The <ins class="diff-ins">slow</ins> brown fox<ins class="diff-ins"> jumps'
        "</ins>"
    )


def test_word_diff_keeps_a_replaced_phrase_together() -> None:
    old_html, new_html = word_diff("Not started", "At risk")
    assert old_html == '<del class="diff-del">Not started</del>'
    assert new_html == '<ins class="diff-ins">At risk</ins>'


def test_word_diff_escapes_html() -> None:
    old_html, new_html = word_diff("<b>a</b>", "<script>x</script>")
    assert "<script>" not in new_html
    assert "&lt;script&gt;" in new_html
    assert "&lt;b&gt;" in old_html


def test_word_diff_of_equal_texts_marks_nothing() -> None:
    assert word_diff("Same words", "Same words") == ("Same words", "Same words")


def _two_versions(world):
    plan = start_plan(world, filled=True)
    first = plan.versions.get()
    plan_version_submit(
        plan_version=first, relationship=world.relationship, user=world.alice
    )
    approve_by_all(world, first)
    second = plan_version_create_draft(plan=plan, user=world.bob)
    section = second.sections.get(principle_key="exit_strategy")
    section.content = {
        **section.content,
        "summary": "Either partner leaves with twelve months' notice.",
        "notice_period_days": 365,
    }
    section.save()
    return first, second


def test_diff_shows_changed_fields_side_by_side_and_collapses_the_rest(
    login, world
) -> None:
    _two_versions(world)
    url = reverse("relationships:plan_diff", args=[world.relationship.reference])
    response = login(world.dave).get(url, {"from": 1, "to": 2})
    assert response.status_code == 200
    diffs = {diff.principle.key: diff for diff in response.context["section_diffs"]}
    assert len(diffs) == 12
    assert diffs["exit_strategy"].changed_count == 2
    assert sum(diff.changed_count for diff in diffs.values()) == 2
    content = response.content.decode()
    assert '<ins class="diff-ins">' in content
    assert '<del class="diff-del">' in content
    assert "twelve" in content
    assert content.count("— unchanged") == 11
    changed = [f.label for f in diffs["exit_strategy"].fields if f.changed]
    assert changed == ["Summary", "Notice period (days)"]


def test_diff_defaults_to_the_latest_two_versions(login, world) -> None:
    first, second = _two_versions(world)
    url = reverse("relationships:plan_diff", args=[world.relationship.reference])
    response = login(world.alice).get(url)
    assert (response.context["from_version"], response.context["to_version"]) == (
        first,
        second,
    )


@pytest.mark.parametrize(
    "query", [{"from": "x", "to": 2}, {"from": 1, "to": 7}, {"from": 2, "to": 2}]
)
def test_diff_with_bad_versions_shows_form_errors(login, world, query) -> None:
    _two_versions(world)
    url = reverse("relationships:plan_diff", args=[world.relationship.reference])
    response = login(world.alice).get(url, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "section_diffs" not in response.context


def test_diff_with_a_single_version_says_there_is_nothing_to_compare(
    login, world
) -> None:
    start_plan(world)
    url = reverse("relationships:plan_diff", args=[world.relationship.reference])
    response = login(world.alice).get(url)
    assert b"nothing to compare yet" in response.content


def test_versions_page_lists_every_version_with_its_status(login, world) -> None:
    _two_versions(world)
    url = reverse("relationships:plan_versions", args=[world.relationship.reference])
    response = login(world.dave).get(url)
    assert [v.number for v in response.context["versions"]] == [2, 1]
    content = response.content.decode()
    assert "Approved" in content and "Draft" in content
    assert "?from=1&amp;to=2" in content


def test_versions_page_query_count_does_not_grow_with_versions(
    login, world, django_assert_num_queries
) -> None:
    plan = start_plan(world)
    client = login(world.alice)
    url = reverse("relationships:plan_versions", args=[world.relationship.reference])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(2, 12):
        PlanVersionFactory(
            plan=plan,
            number=number,
            status=PlanVersionStatus.SUPERSEDED,
            created_by=world.bob,
            approved_at=timezone.now(),
        )
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["versions"]) == 11


def test_versions_page_without_a_plan(login, world) -> None:
    url = reverse("relationships:plan_versions", args=[world.relationship.reference])
    response = login(world.alice).get(url)
    assert b"No versions yet" in response.content
