"""Helpers for the plan editor's tests: relationships of each kind and filled plans."""

from typing import Any

from django.contrib.auth.models import AbstractUser

from relationships.choices import (
    MembershipRole,
    MsmeSize,
    OrganisationKind,
    PartnerRole,
    PlanDecisionKind,
    RelationshipKind,
)
from relationships.models import (
    JointManagementTeamMember,
    Partnership,
    Plan,
    PlanSection,
    PlanVersion,
    Relationship,
)
from relationships.plan_schema import FieldKind, PlanField, section_fields
from relationships.services.plans import plan_start, plan_version_decide
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RelationshipFactory,
    UserFactory,
)


def sample_value(plan_field: PlanField) -> Any:
    """A valid stored value for any field."""
    match plan_field.kind:
        case FieldKind.CHOICE:
            return plan_field.choices[0][0]
        case FieldKind.DATE:
            return "2026-06-30"
        case FieldKind.INTEGER:
            return plan_field.min_value or 1
        case _:
            return f"{plan_field.label} agreed by both partners."


def form_value(plan_field: PlanField) -> str:
    return str(sample_value(plan_field))


def section_post_data(
    section: PlanSection, relationship: Relationship, **overrides: Any
) -> dict[str, Any]:
    """A complete, valid POST for a section's edit form."""
    data: dict[str, Any] = {"revision": section.revision}
    for plan_field in section_fields(
        principle_key=section.principle_key, relationship_kind=relationship.kind
    ):
        data[plan_field.key] = form_value(plan_field)
    data.update(overrides)
    return data


def fill_version(plan_version: PlanVersion, relationship: Relationship) -> None:
    """Fill every field of every section, as if the partners had written it all."""
    for section in plan_version.sections.all():
        section.content = {
            plan_field.key: sample_value(plan_field)
            for plan_field in section_fields(
                principle_key=section.principle_key,
                relationship_kind=relationship.kind,
            )
        }
        section.save()


def start_plan(world: Any, *, filled: bool = False) -> Plan:
    plan = plan_start(relationship=world.relationship, user=world.alice)
    if filled:
        fill_version(plan.versions.get(), world.relationship)
    return plan


def approve_by_all(world: Any, plan_version: PlanVersion) -> None:
    for partnership, user in ((world.lead, world.alice), (world.partner, world.bob)):
        plan_version_decide(
            plan_version=plan_version,
            relationship=world.relationship,
            partnership=partnership,
            user=user,
            decision=PlanDecisionKind.APPROVE,
        )


def member(username: str, organisation: Any, role: str) -> AbstractUser:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def msme_relationship() -> dict[str, Any]:
    """A large organisation with an MSME supplier, like the demo's Calder programme."""
    large = OrganisationFactory(name="Big Pumps plc", kind=OrganisationKind.LARGE)
    small = OrganisationFactory(
        name="Tiny Parts", kind=OrganisationKind.MSME, msme_size=MsmeSize.MICRO
    )
    large_manager = member("lara", large, MembershipRole.RELATIONSHIP_MANAGER)
    small_manager = member("sid", small, MembershipRole.RELATIONSHIP_MANAGER)
    relationship = RelationshipFactory(
        title="Supplier programme",
        reference="supplier-programme",
        kind=RelationshipKind.LARGE_MSME,
    )
    lead = PartnershipFactory(
        relationship=relationship,
        organisation=large,
        role=PartnerRole.LEAD,
        relationship_manager=large_manager,
    )
    partner = PartnershipFactory(
        relationship=relationship,
        organisation=small,
        relationship_manager=small_manager,
    )
    return {
        "relationship": relationship,
        "lead": lead,
        "partner": partner,
        "large_manager": large_manager,
        "small_manager": small_manager,
    }


def ubc_relationship(world: Any) -> Relationship:
    """The world's two organisations as a university-business collaboration."""
    relationship = RelationshipFactory(
        title="Sensor research",
        reference="sensor-research",
        kind=RelationshipKind.UNIVERSITY_BUSINESS,
    )
    PartnershipFactory(
        relationship=relationship,
        organisation=world.lead.organisation,
        role=PartnerRole.LEAD,
        relationship_manager=world.alice,
    )
    PartnershipFactory(
        relationship=relationship,
        organisation=world.partner.organisation,
        relationship_manager=world.bob,
    )
    return relationship


def leadership_seat(user: AbstractUser, partnership: Partnership) -> None:
    """A senior leader's seat for a partner; its holder must already be one of
    the partner's people (the seat is validated, as in the admin)."""
    seat = JointManagementTeamMember(
        relationship=partnership.relationship,
        user=user,
        partnership=partnership,
        is_leadership=True,
    )
    seat.full_clean()
    seat.save()
