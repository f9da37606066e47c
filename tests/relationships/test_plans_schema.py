"""The plan's sections and fields: one per principle, per set, per depth."""

import pytest

from principles.choices import PrincipleKey
from principles.models import Principle
from relationships.choices import PlanDepth, RelationshipKind
from relationships.plan_schema import (
    SECTION_FIELDS,
    FieldKind,
    PlanField,
    required_fields,
    section_completeness,
    section_fields,
)
from relationships.selectors.plans import plan_principles, plan_section_rows
from tests.factories import RelationshipFactory
from tests.relationships.factories_plans import start_plan

UBC = RelationshipKind.UNIVERSITY_BUSINESS


def test_schema_has_one_section_per_principle_in_canonical_order() -> None:
    assert list(SECTION_FIELDS) == list(PrincipleKey.values)
    assert len(SECTION_FIELDS) == 12


@pytest.mark.django_db
@pytest.mark.parametrize("kind", RelationshipKind.values)
def test_plan_has_twelve_sections_in_the_order_of_the_relationships_set(kind) -> None:
    relationship = RelationshipFactory(kind=kind)
    principles = plan_principles(relationship=relationship)
    assert [principle.key for principle in principles] == list(PrincipleKey.values)
    assert [principle.number for principle in principles] == list(range(1, 13))
    assert {principle.principle_set.key for principle in principles} == {
        relationship.principle_set_key
    }


@pytest.mark.django_db
def test_sections_use_the_names_of_the_relationships_principle_set(world) -> None:
    world.relationship.kind = UBC
    world.relationship.save()
    plan = start_plan(world)
    rows = plan_section_rows(
        plan_version=plan.versions.get(),
        relationship=world.relationship,
        depth=plan.depth,
    )
    expected = Principle.objects.get(
        principle_set__key="ubc", key="business_objectives"
    ).name
    assert [row.key for row in rows] == list(PrincipleKey.values)
    assert rows[2].principle.name == expected


def test_university_fields_appear_only_in_university_business_relationships() -> None:
    ubc_only = {
        (key, plan_field.key)
        for key, fields in SECTION_FIELDS.items()
        for plan_field in fields
        if plan_field.ubc_only
    }
    assert {field for _key, field in ubc_only} >= {
        "publication_rights",
        "ip_terms",
        "ethics_status",
        "ethics_reference",
        "student_researcher_involvement",
        "funding_sources",
    }
    for kind in (RelationshipKind.GENERAL, RelationshipKind.LARGE_MSME):
        for key in SECTION_FIELDS:
            keys = {
                f.key for f in section_fields(principle_key=key, relationship_kind=kind)
            }
            assert not keys & {field for section, field in ubc_only if section == key}
    for key, field_key in ubc_only:
        keys = {f.key for f in section_fields(principle_key=key, relationship_kind=UBC)}
        assert field_key in keys


def test_every_section_records_ip_ownership_as_one_party_the_other_or_joint() -> None:
    ip = next(
        plan_field
        for plan_field in SECTION_FIELDS[PrincipleKey.KNOWLEDGE_SHARING]
        if plan_field.key == "ip_ownership"
    )
    assert ip.kind == FieldKind.CHOICE
    assert {value for value, _label in ip.choices} >= {"lead", "partner", "joint"}


def test_essentials_ask_for_fewer_fields_than_the_full_depth_in_every_section() -> None:
    for key in SECTION_FIELDS:
        fields = section_fields(principle_key=key, relationship_kind=UBC)
        essentials = required_fields(fields=fields, depth=PlanDepth.ESSENTIALS)
        full = required_fields(fields=fields, depth=PlanDepth.FULL)
        assert set(essentials) <= set(full)
        assert essentials, key
    total = {
        depth: sum(
            len(
                required_fields(
                    fields=section_fields(principle_key=key, relationship_kind=UBC),
                    depth=depth,
                )
            )
            for key in SECTION_FIELDS
        )
        for depth in PlanDepth.values
    }
    assert total[PlanDepth.ESSENTIALS] < total[PlanDepth.FULL]


def test_every_field_has_a_plain_label_and_help_of_its_own() -> None:
    for fields in SECTION_FIELDS.values():
        for plan_field in fields:
            assert plan_field.plain_label and plan_field.help
            assert plan_field.label_at(PlanDepth.ESSENTIALS) == plan_field.plain_label
            assert plan_field.label_at(PlanDepth.FULL) == plan_field.label


def test_an_essential_field_must_also_be_required() -> None:
    with pytest.raises(ValueError, match="essential"):
        PlanField("x", "X", "x?", FieldKind.TEXT, "help", essential=True)


def test_completeness_counts_filled_required_fields_at_the_depth() -> None:
    fields = section_fields(
        principle_key=PrincipleKey.GOVERNANCE_PROCESSES,
        relationship_kind=RelationshipKind.GENERAL,
    )
    content = {"summary": "We meet monthly.", "meeting_cadence": "monthly"}
    full = section_completeness(fields=fields, content=content, depth=PlanDepth.FULL)
    essentials = section_completeness(
        fields=fields, content=content, depth=PlanDepth.ESSENTIALS
    )
    assert (full.filled, full.required, full.percent) == (2, 4, 50)
    assert [f.key for f in full.missing] == [
        "joint_management_team",
        "decision_escalation",
    ]
    assert (essentials.filled, essentials.required) == (2, 3)
    assert essentials.percent == 67
    assert not essentials.is_complete


def test_blank_text_does_not_count_as_filled() -> None:
    fields = section_fields(
        principle_key=PrincipleKey.VISIONS_VALUES,
        relationship_kind=RelationshipKind.GENERAL,
    )
    completeness = section_completeness(
        fields=fields,
        content={"summary": "   ", "shared_vision": "Grow together."},
        depth=PlanDepth.ESSENTIALS,
    )
    assert completeness.filled == 1
    assert [f.key for f in completeness.missing] == ["summary"]


def test_choice_values_are_shown_by_their_label() -> None:
    cadence = next(
        f
        for f in SECTION_FIELDS[PrincipleKey.GOVERNANCE_PROCESSES]
        if f.key == "meeting_cadence"
    )
    assert cadence.display("monthly") == "Monthly"
    assert cadence.display("") == ""
