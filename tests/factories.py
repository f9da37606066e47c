import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from assessments.choices import AssessmentKind, AssessmentStatus
from assessments.models import Assessment, PrincipleRating
from principles.models import LifecycleStage, Principle
from relationships.choices import (
    Horizon,
    MembershipRole,
    OrganisationKind,
    PartnerRole,
    RelationshipKind,
)
from relationships.models import (
    Action,
    JointManagementTeamMember,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Plan,
    PlanVersion,
    Relationship,
    Risk,
)

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user, create: bool, extracted, **kwargs) -> None:
        if create:
            user.save()

    @factory.post_generation
    def verified_email(user, create: bool, extracted, **kwargs) -> None:
        # Accounts log in (by e-mail or username) only with a verified address.
        if create and user.email:
            EmailAddress.objects.get_or_create(
                user=user,
                email=user.email,
                defaults={"verified": True, "primary": True},
            )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = OrganisationKind.BUSINESS
    msme_size = ""


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.RELATIONSHIP_MANAGER


class RelationshipFactory(DjangoModelFactory):
    class Meta:
        model = Relationship

    title = factory.Sequence(lambda n: f"Relationship {n}")
    reference = factory.Sequence(lambda n: f"rel-{n}")
    kind = RelationshipKind.GENERAL
    stage = factory.LazyFunction(lambda: LifecycleStage.objects.get(number=5))
    start_date = datetime.date(2025, 1, 1)


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    relationship = factory.SubFactory(RelationshipFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = PartnerRole.PARTNER


class JointManagementTeamMemberFactory(DjangoModelFactory):
    """A valid seat: its holder is made a member of the partner's organisation
    (as a joint management team member) unless already one."""

    class Meta:
        model = JointManagementTeamMember

    partnership = factory.SubFactory(PartnershipFactory)
    relationship = factory.SelfAttribute("partnership.relationship")
    user = factory.SubFactory(UserFactory)
    is_leadership = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs) -> JointManagementTeamMember:
        seat = model_class(*args, **kwargs)
        if not Membership.objects.filter(
            user=seat.user, organisation=seat.partnership.organisation
        ).exists():
            MembershipFactory(
                user=seat.user,
                organisation=seat.partnership.organisation,
                role=MembershipRole.JMT_MEMBER,
            )
        seat.full_clean()
        seat.save()
        return seat


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    relationship = factory.SubFactory(RelationshipFactory)


class PlanVersionFactory(DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    relationship = factory.SubFactory(RelationshipFactory)
    title = factory.Sequence(lambda n: f"Objective {n}")
    horizon = Horizon.SHORT


class RiskFactory(DjangoModelFactory):
    class Meta:
        model = Risk

    relationship = factory.SubFactory(RelationshipFactory)
    title = factory.Sequence(lambda n: f"Risk {n}")
    likelihood = 3
    impact = 3


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    relationship = factory.SubFactory(RelationshipFactory)
    title = factory.Sequence(lambda n: f"Action {n}")


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    relationship = factory.SubFactory(RelationshipFactory)
    period_start = datetime.date(2026, 1, 1)
    period_end = datetime.date(2026, 3, 31)
    kind = AssessmentKind.JOINT
    status = AssessmentStatus.FINAL


def rate_all_principles(assessment: Assessment, levels: list[int]) -> None:
    """Give the assessment one rating per principle of its relationship's set."""
    principles = Principle.objects.filter(
        principle_set__key=assessment.relationship.principle_set_key
    ).order_by("number")
    PrincipleRating.objects.bulk_create(
        PrincipleRating(assessment=assessment, principle=principle, level=level)
        for principle, level in zip(principles, levels, strict=True)
    )
