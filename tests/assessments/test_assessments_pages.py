"""Assessment pages: validation, perception gaps, MSME wording, list, XLSX export."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.choices import AssessmentStatus, RatingChange
from assessments.selectors.ratings import relationship_perception_gaps_by_period
from relationships.choices import OrganisationKind, RelationshipKind
from relationships.models import RelationshipDocument
from tests.assessments.factories_assessments import (
    Q1,
    Q2,
    edit_post_data,
    make_assessment,
    url,
)
from tests.factories import (
    ObjectiveFactory,
    OrganisationFactory,
    PartnershipFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db


def _list_url(world) -> str:
    return reverse(
        "assessments:assessment_list",
        kwargs={"reference": world.relationship.reference},
    )


# --- validation ---------------------------------------------------------------


@pytest.mark.parametrize("level", ["7", "0", "-1", "three"])
def test_a_level_outside_one_to_five_is_a_field_error(login, world, level) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    response = login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment, exit_strategy__level=level, visions_values__level="5"
        ),
    )
    assert response.status_code == 200
    forms = {form.guided.key: form for form, _row in response.context["panels"]}
    assert forms["exit_strategy"].errors["level"] == [
        "Choose a maturity level between 1 and 5."
    ]
    # A failed save changes nothing, not even the valid principle.
    assert set(assessment.ratings.values_list("level", flat=True)) == {3}
    assert "Nothing was saved" in response.content.decode()


def test_evidence_of_another_relationship_is_refused(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    foreign_objective = ObjectiveFactory(relationship=world.outsider_relationship)
    foreign_risk = RiskFactory(relationship=world.outsider_relationship)
    own_objective = ObjectiveFactory(relationship=world.relationship)
    response = login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment,
            exit_strategy__objectives=[
                str(own_objective.pk),
                str(foreign_objective.pk),
            ],
            exit_strategy__risks=[str(foreign_risk.pk)],
            exit_strategy__plan_section_keys=["not_a_section"],
        ),
    )
    assert response.status_code == 200
    form = next(
        form
        for form, _row in response.context["panels"]
        if form.guided.key == "exit_strategy"
    )
    assert "objectives of this relationship only" in form.errors["objectives"][0]
    assert "risks of this relationship only" in form.errors["risks"][0]
    assert "plan_section_keys" in form.errors
    rating = assessment.ratings.get(principle__key="exit_strategy")
    assert not rating.objectives.exists() and not rating.risks.exists()


@pytest.mark.parametrize(
    ("field", "size"),
    [("evidence", 5001), ("comment", 5001), ("prompt_0", 2001)],
)
def test_oversized_text_is_a_field_error(login, world, field, size) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    response = login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, **{f"exit_strategy__{field}": "x" * size}),
    )
    assert response.status_code == 200
    form = next(
        form
        for form, _row in response.context["panels"]
        if form.guided.key == "exit_strategy"
    )
    assert field in form.errors
    assert assessment.ratings.get(principle__key="exit_strategy").evidence == ""


def test_text_without_a_level_asks_for_one_and_keeps_the_input(login, world) -> None:
    assessment = make_assessment(world)
    response = login(world.alice).post(
        url("assessment_edit", assessment),
        {"exit_strategy-evidence": "We drafted a hand-back plan."},
    )
    assert response.status_code == 200
    assert "Choose a level to keep what you wrote" in response.content.decode()
    assert "We drafted a hand-back plan." in response.content.decode()
    assert not assessment.ratings.exists()


def test_a_rated_principle_cannot_lose_its_level(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    data = edit_post_data(assessment)
    del data["exit_strategy-level"]
    response = login(world.alice).post(url("assessment_edit", assessment), data)
    assert response.status_code == 200
    assert assessment.ratings.count() == 12


# --- perception gaps -----------------------------------------------------------


def _gap_period(world, status=AssessmentStatus.SUBMITTED):
    lead_self = make_assessment(
        world, partnership=world.lead, status=status, levels=[3] * 10 + [5, 1]
    )
    partner_self = make_assessment(
        world, partnership=world.partner, status=status, levels=[3] * 10 + [3, 3]
    )
    joint = make_assessment(world, levels=[3] * 12)
    return lead_self, partner_self, joint


def test_gaps_of_two_levels_are_flagged_on_every_assessment_page(login, world) -> None:
    lead_self, _partner_self, joint = _gap_period(world)
    client = login(world.bob)
    for page in ("assessment_detail", "assessment_edit"):
        content = client.get(url(page, joint)).content.decode()
        assert "2 perception gaps in 2026-Q1" in content, page
        assert "11. Relationship measurement and optimization" in content
        assert "Lead Org <strong>1</strong>" in content  # exit strategy: 1 vs 3
    content = client.get(url("assessment_detail", lead_self)).content.decode()
    assert "2 perception gaps" in content


def test_the_list_counts_gaps_per_period(login, world) -> None:
    _gap_period(world)
    content = login(world.alice).get(_list_url(world)).content.decode()
    assert "2 perception gaps" in content


def test_a_draft_never_creates_a_gap_for_the_other_partner(login, world) -> None:
    _gap_period(world, status=AssessmentStatus.DRAFT)
    assert (
        relationship_perception_gaps_by_period(
            relationship=world.relationship, viewer=world.alice
        )
        == {}
    )
    content = login(world.bob).get(_list_url(world)).content.decode()
    assert not re.search(r"\d+ perception gap", content)
    # Nothing shared to compare yet: "no gaps" would claim more than is known.
    assert "No perception gaps" not in content
    assert "Gaps show once two partners have submitted" in content


def test_two_shared_self_assessments_that_agree_show_no_gaps(login, world) -> None:
    for partnership in (world.lead, world.partner):
        make_assessment(
            world,
            partnership=partnership,
            status=AssessmentStatus.SUBMITTED,
            levels=[3] * 12,
        )

    content = login(world.bob).get(_list_url(world)).content.decode()

    q1_header = content.split('id="period-20260101"', 1)[1].split("</div>", 1)[0]
    assert "No perception gaps" in q1_header
    assert "Gaps show once" not in q1_header


def test_gaps_by_period_selector_for_dashboards(world) -> None:
    _gap_period(world)
    make_assessment(
        world,
        partnership=world.lead,
        status=AssessmentStatus.FINAL,
        levels=[3] * 12,
        period=Q2,
    )
    make_assessment(
        world,
        partnership=world.partner,
        status=AssessmentStatus.FINAL,
        levels=[5] + [3] * 11,
        period=Q2,
    )
    gaps = relationship_perception_gaps_by_period(
        relationship=world.relationship, viewer=world.alice
    )
    assert {
        period: [gap.principle.number for gap in found]
        for period, found in gaps.items()
    } == {
        Q1[0]: [11, 12],
        Q2[0]: [1],
    }
    assert gaps[Q1[0]][1].spread == 2


# --- MSME wording ----------------------------------------------------------------


def _msme_relationship(world):
    relationship = world.relationship
    relationship.kind = RelationshipKind.LARGE_MSME
    relationship.save()
    organisation = world.partner.organisation
    organisation.kind = OrganisationKind.MSME
    organisation.msme_size = "micro"
    organisation.save()
    return relationship


def test_an_msme_partner_reads_the_msme_guidance_but_rates_the_set_principle(
    login, world
) -> None:
    _msme_relationship(world)
    draft = make_assessment(world, partnership=world.partner)
    client = login(world.bob)
    content = client.get(url("assessment_edit", draft)).content.decode()
    assert "MSME guidance" in content
    assert "Is someone besides the owner-manager familiar" in content
    client.post(
        url("assessment_edit", draft),
        {
            "revision": draft.revision,
            "relationship_management-level": "2",
            "relationship_management-prompt_1": "Only the owner.",
        },
    )
    rating = draft.ratings.get()
    assert rating.principle.principle_set.key == "large_msme"
    assert rating.prompt_answers == ["", "Only the owner."]


def test_the_large_partner_and_the_joint_view_use_the_relationship_set(
    login, world
) -> None:
    _msme_relationship(world)
    lead_draft = make_assessment(world, partnership=world.lead)
    content = login(world.alice).get(url("assessment_edit", lead_draft)).content
    assert b"MSME guidance" not in content
    assert b"Does the MSME have a single named contact" in content


# --- list page ---------------------------------------------------------------------


def _fill_periods(world, count: int) -> None:
    for index in range(count):
        start = datetime.date(2024 + index // 4, index % 4 * 3 + 1, 1)
        end = datetime.date(
            start.year, start.month + 2, 30 if start.month + 2 in (6, 9) else 31
        )
        for partnership in (None, world.lead, world.partner):
            make_assessment(
                world,
                partnership=partnership,
                status=AssessmentStatus.FINAL,
                levels=[3] * 12,
                period=(start, end),
            )


@pytest.mark.parametrize("periods", [1, 6])
def test_list_query_count_does_not_grow_with_periods(
    login, world, django_assert_num_queries, periods
) -> None:
    _fill_periods(world, periods)
    client = login(world.alice)
    with django_assert_num_queries(14):
        response = client.get(_list_url(world))
    assert response.status_code == 200
    assert len(response.context["overview"].periods) == periods + 1  # + current


def test_list_shows_status_and_rated_count_by_period(login, world) -> None:
    make_assessment(world, levels=[3] * 12, status=AssessmentStatus.FINAL)
    make_assessment(world, partnership=world.partner, period=Q2)
    content = login(world.bob).get(_list_url(world)).content.decode()
    assert "2026-Q1" in content and "2026-Q2" in content
    assert "12 of 12" in content and "0 of 12" in content
    assert "Final" in content and "Draft" in content


def test_list_offers_to_start_from_the_previous_period(login, world) -> None:
    make_assessment(world, partnership=world.lead, levels=[3] * 12, period=Q1)
    content = login(world.alice).get(_list_url(world)).content.decode()
    assert "Self-assessment of Lead Org" in content
    assert "Start from 2026-Q1" in content
    # bob's partner has no earlier self-assessment; the joint one has none either.
    content = login(world.bob).get(_list_url(world)).content.decode()
    assert "Start from 2026-Q1" not in content
    assert "Self-assessment of Partner Org" in content


# --- XLSX export ------------------------------------------------------------------


def _sheet(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Assessment"]
    return workbook["Assessment"]


def test_export_holds_the_header_and_one_row_per_principle(login, world) -> None:
    previous = make_assessment(world, status=AssessmentStatus.FINAL, levels=[3] * 12)
    assessment = make_assessment(
        world,
        status=AssessmentStatus.SUBMITTED,
        levels=[4] + [3] * 10 + [1],
        period=Q2,
        based_on=previous,
    )
    assessment.ratings.update(change=RatingChange.UNCHANGED)
    rating = assessment.ratings.get(principle__key="relationship_management")
    rating.evidence = '=HYPERLINK("http://evil")'
    rating.comment = "Better steering meetings."
    rating.prompt_answers = ["Yes, one plan."]
    rating.change = RatingChange.CHANGED
    rating.save()
    rating.objectives.add(
        ObjectiveFactory(relationship=world.relationship, title="Joint roadmap")
    )

    response = login(world.dave).get(url("assessment_export", assessment))

    assert response.status_code == 200
    assert (
        'filename="joint-venture-2026-Q2-joint.xlsx"' in response["Content-Disposition"]
    )
    sheet = _sheet(response)
    header = {
        row[0]: row[1]
        for row in sheet.iter_rows(min_row=2, max_row=7, values_only=True)
    }
    assert header["Relationship"] == "Joint venture (joint-venture)"
    assert header["Period"].startswith("2026-Q2: 2026-04-01 to 2026-06-30")
    assert header["Kind"] == "Joint assessment"
    assert header["Status"].startswith("Submitted")
    assert header["Based on"] == "2026-Q1"
    rows = list(sheet.iter_rows(min_row=9, values_only=True))
    assert rows[0][:6] == (
        "Number",
        "Principle",
        "Level",
        "Level name",
        "Previous level",
        "Change",
    )
    assert len(rows) == 13
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Principle"] == "Relationship management"
    assert (first["Level"], first["Level name"], first["Previous level"]) == (
        4,
        "Exceeding",
        3,
    )
    assert first["Change"] == "Changed"
    assert first["Evidence"] == '=HYPERLINK("http://evil")'
    assert sheet.cell(row=10, column=7).data_type == "s"  # text, never a formula
    assert first["Comment"] == "Better steering meetings."
    assert "Yes, one plan." in first["Prompt answers"]
    assert first["Linked evidence"] == "Objective: Joint roadmap"
    last = dict(zip(rows[0], rows[12], strict=True))
    assert (last["Number"], last["Level"], last["Level name"]) == (12, 1, "Failing")


def test_export_of_a_partial_draft_marks_unrated_principles(login, world) -> None:
    draft = make_assessment(world, partnership=world.partner)
    login(world.bob).post(
        url("assessment_edit", draft),
        {"revision": draft.revision, "exit_strategy-level": "5"},
    )
    sheet = _sheet(login(world.bob).get(url("assessment_export", draft)))
    assert sheet["B4"].value == "Self-assessment of Partner Org"
    levels = [row[3] for row in sheet.iter_rows(min_row=10, values_only=True)]
    assert levels == ["Not rated"] * 11 + ["Best practice"]


def test_an_msme_self_assessment_export_pairs_answers_with_msme_prompts(
    login, world
) -> None:
    _msme_relationship(world)
    draft = make_assessment(world, partnership=world.partner, levels=[3] * 12)
    rating = draft.ratings.get(principle__key="relationship_management")
    rating.prompt_answers = ["", "Only the owner."]
    rating.save()
    sheet = _sheet(login(world.bob).get(url("assessment_export", draft)))
    answers = sheet.cell(row=10, column=10).value
    assert answers == (
        "Is someone besides the owner-manager familiar with each key relationship?"
        "\nOnly the owner."
    )


def test_self_assessment_of_a_second_partner_appears_in_the_list(login, world) -> None:
    third = PartnershipFactory(
        relationship=world.relationship,
        organisation=OrganisationFactory(name="Third Org"),
    )
    make_assessment(
        world, partnership=third, status=AssessmentStatus.SUBMITTED, levels=[2] * 12
    )
    content = login(world.alice).get(_list_url(world)).content.decode()
    assert "Self-assessment of Third Org" in content
    assert "12 of 12" in content


def test_evidence_links_of_the_relationship_are_saved_and_shown(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    objective = ObjectiveFactory(relationship=world.relationship, title="Joint KPI")
    risk = RiskFactory(relationship=world.relationship, title="Key person leaves")
    document = RelationshipDocument.objects.create(
        relationship=world.relationship,
        title="Signed charter",
        file="documents/2026/01/charter.pdf",
    )
    client = login(world.alice)
    response = client.post(
        url("assessment_edit", assessment),
        edit_post_data(
            assessment,
            governance_processes__plan_section_keys=["governance_processes"],
            governance_processes__objectives=[str(objective.pk)],
            governance_processes__risks=[str(risk.pk)],
            governance_processes__documents=[str(document.pk)],
        ),
    )
    assert response.status_code == 302
    rating = assessment.ratings.get(principle__key="governance_processes")
    assert rating.plan_section_keys == ["governance_processes"]
    assert list(rating.objectives.all()) == [objective]
    assert list(rating.risks.all()) == [risk]
    assert list(rating.documents.all()) == [document]
    page = client.get(url("assessment_detail", assessment)).content.decode()
    for text in ("Joint KPI", "Key person leaves", "Signed charter"):
        assert text in page
    assert "Plan section:" in page


def _panel(html: str, key: str) -> str:
    start = html.index(f'id="principle-{key}"')
    end = html.find('<section class="card', start)
    return html[start : end if end != -1 else None]


def test_optional_questions_and_comment_are_folded_until_used(login, world) -> None:
    # A partner with little time sees the level and the evidence first; what is
    # written (or wrong) in the questions and the comment stays unfolded.
    assessment = make_assessment(world, levels=[3] * 12)
    rating = assessment.ratings.get(principle__key="relationship_management")
    rating.prompt_answers = ["", "Only the owner."]
    rating.comment = "Better steering meetings."
    rating.save()

    html = login(world.alice).get(url("assessment_edit", assessment)).content.decode()

    answered = _panel(html, "relationship_management")
    untouched = _panel(html, "exit_strategy")
    assert '<details class="mb-3" open>' in answered
    assert "1 answered" in answered
    assert "Questions to help you decide (optional)" in untouched
    assert '<details class="mb-3" open>' not in untouched


def test_an_error_in_a_folded_question_unfolds_it(login, world) -> None:
    assessment = make_assessment(world, levels=[3] * 12)

    response = login(world.alice).post(
        url("assessment_edit", assessment),
        edit_post_data(assessment, exit_strategy__prompt_0="x" * 2001),
    )

    panel = _panel(response.content.decode(), "exit_strategy")
    assert '<details class="mb-3" open>' in panel
