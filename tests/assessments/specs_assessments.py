"""Permission-matrix entries for the assessments views (see tests/permissions.py).

The generic matrix uses the joint assessment, which alice, bob and carol may all
change; the stricter rules of self-assessments (only the own partner edits, drafts
hidden from the other partners) are tested in test_assessments_permissions.py.
"""

from assessments.choices import AssessmentKind, AssessmentStatus
from relationships.choices import Visibility
from tests.factories import AssessmentFactory, rate_all_principles
from tests.permissions import ViewSpec


def joint_assessment(world, status: str = AssessmentStatus.DRAFT, levels=None):
    assessment = AssessmentFactory(
        relationship=world.relationship, kind=AssessmentKind.JOINT, status=status
    )
    if levels is not None:
        rate_all_principles(assessment, levels)
    return assessment


def _assessment_kwargs(status: str = AssessmentStatus.DRAFT, levels=None):
    def kwargs(world) -> dict:
        assessment = joint_assessment(world, status=status, levels=levels)
        return {"reference": world.relationship.reference, "pk": assessment.pk}

    return kwargs


def _action_kwargs(world) -> dict:
    assessment = joint_assessment(world, levels=[1] + [3] * 11)
    return {
        "reference": world.relationship.reference,
        "pk": assessment.pk,
        "principle_key": "relationship_management",
    }


ASSESSMENTS_VIEWS: list[ViewSpec] = [
    ViewSpec(
        "assessments:assessment_list",
        kwargs=lambda world: {"reference": world.relationship.reference},
    ),
    ViewSpec(
        "assessments:assessment_start",
        kwargs=lambda world: {"reference": world.relationship.reference},
        writes=True,
        post_data=lambda world: {"subject": "joint"},
    ),
    ViewSpec("assessments:assessment_detail", kwargs=_assessment_kwargs()),
    ViewSpec(
        "assessments:assessment_edit",
        kwargs=_assessment_kwargs(),
        writes=True,
        post_data=lambda world: {"relationship_management-level": "4"},
    ),
    ViewSpec(
        "assessments:assessment_submit",
        kwargs=_assessment_kwargs(levels=[3] * 12),
        writes=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "assessments:assessment_finalise",
        kwargs=_assessment_kwargs(status=AssessmentStatus.SUBMITTED, levels=[3] * 12),
        writes=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "assessments:assessment_confirm",
        kwargs=_assessment_kwargs(status=AssessmentStatus.SUBMITTED, levels=[3] * 12),
        writes=True,
        post_data=lambda world: {
            "partnership": world.partner.pk,
            "content_sha256": "0" * 64,
        },
    ),
    ViewSpec(
        "assessments:assessment_send_back",
        kwargs=_assessment_kwargs(status=AssessmentStatus.SUBMITTED, levels=[3] * 12),
        writes=True,
        post_data=lambda world: {
            "partnership": world.partner.pk,
            "reason": "Hijacked",
        },
    ),
    ViewSpec(
        "assessments:assessment_action_create",
        kwargs=_action_kwargs,
        writes=True,
        post_data=lambda world: {"title": "Hijacked action"},
    ),
    ViewSpec(
        "assessments:assessment_export",
        kwargs=_assessment_kwargs(status=AssessmentStatus.FINAL, levels=[4] * 12),
    ),
]


def _private_self_assessment(status: str = AssessmentStatus.SUBMITTED, **extra: str):
    """Bob's supplier's own self-assessment, shared with the lead, in a programme
    of three partners."""

    def kwargs(world) -> dict:
        assessment = AssessmentFactory(
            relationship=world.relationship,
            kind=AssessmentKind.SELF,
            partnership=world.partner,
            status=status,
            visibility=Visibility.PARTNER,
        )
        assessment.shared_with.add(world.lead)
        rate_all_principles(assessment, [1] + [3] * 11)
        return {
            "reference": world.relationship.reference,
            "pk": assessment.pk,
            **extra,
        }

    return kwargs


PRIVATE_ASSESSMENTS_VIEWS: list[ViewSpec] = [
    ViewSpec("assessments:assessment_detail", kwargs=_private_self_assessment()),
    ViewSpec(
        "assessments:assessment_edit",
        kwargs=_private_self_assessment(AssessmentStatus.DRAFT),
        writes=True,
        draft=True,
        post_data=lambda world: {"relationship_management-level": "4"},
    ),
    ViewSpec(
        "assessments:assessment_submit",
        kwargs=_private_self_assessment(AssessmentStatus.DRAFT),
        writes=True,
        draft=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "assessments:assessment_finalise",
        kwargs=_private_self_assessment(),
        writes=True,
        post_data=lambda world: {},
    ),
    ViewSpec(
        "assessments:assessment_action_create",
        kwargs=_private_self_assessment(principle_key="relationship_management"),
        writes=True,
        post_data=lambda world: {"title": "Hijacked action"},
    ),
    ViewSpec("assessments:assessment_export", kwargs=_private_self_assessment()),
]
