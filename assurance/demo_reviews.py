"""Demo data of management reviews and an organisation's own lifecycle records:
Northbridge's own review of its partnership with Lumen, a month ago, with one
action done and one open, and Northbridge's records of its own stages.

Made through the services, as a person would, so the review gathers its
inputs from the demo's other data. Loading again adds nothing."""

import datetime
from typing import Protocol

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from assurance.models import (
    ManagementReview,
    ManagementReviewAction,
    OrganisationStageRecord,
    ReviewActionStatus,
    StageRecordStatus,
)
from assurance.services.organisation_records import organisation_stage_record_save
from assurance.services.reviews import (
    management_review_action_add,
    management_review_record,
)
from principles.models import LifecycleStage
from relationships.access import review_evidence_revisions_q
from relationships.models import DocumentRevision, Organisation, Relationship

ORGANISATION = "northbridge"
RELATIONSHIP = "ubc-northbridge-lumen"


class _Result(Protocol):
    def add(self, *, model: type[models.Model]) -> None: ...


def _person(username: str) -> models.Model:
    return get_user_model().objects.get(username=username)


def demo_load_reviews(*, result: _Result) -> None:
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    relationship = Relationship.objects.filter(reference=RELATIONSHIP).first()
    if organisation is None or relationship is None:
        return
    _load_stage_records(organisation=organisation, result=result)
    _load_review(organisation=organisation, relationship=relationship, result=result)


def _load_stage_records(*, organisation: Organisation, result: _Result) -> None:
    priya, owen = _person("priya.uni"), _person("owen.uni")
    today = timezone.localdate()
    records = {
        "operational_awareness": {
            "status": StageRecordStatus.IN_PLACE,
            "recorded_on": today - datetime.timedelta(days=400),
            "policy_statement": (
                "Northbridge works with business through long-term partnerships "
                "that share risk and reward openly. Each partnership has a named "
                "academic lead and a relationship manager, a joint plan approved "
                "by both sides, and a yearly review of how well we collaborate."
            ),
            "senior_executive": owen,
            "notes": "Approved by the University Executive Board.",
            "evidence": "Executive Board minutes, item 7; Collaboration policy v2.",
        },
        "knowledge": {
            "status": StageRecordStatus.IN_PLACE,
            "recorded_on": today - datetime.timedelta(days=300),
            "notes": (
                "The research office keeps a register of what each school may "
                "share with industry partners, under which agreements."
            ),
            "evidence": "Knowledge-sharing register (research office SharePoint).",
        },
        "internal_assessment": {
            "status": StageRecordStatus.IN_PROGRESS,
            "recorded_on": today - datetime.timedelta(days=60),
            "readiness_assessment": (
                "Strong academic leadership and contract support; weaker at "
                "following up joint actions between steering meetings. Training "
                "for partnership leads is planned for next term."
            ),
            "evidence": "Self-assessment workshop notes.",
        },
    }
    for key, values in records.items():
        stage = LifecycleStage.objects.get(key=key)
        if OrganisationStageRecord.objects.filter(
            organisation=organisation, stage=stage
        ).exists():
            continue
        organisation_stage_record_save(
            organisation=organisation,
            stage=stage,
            values=values,
            expected_revision=0,
            user=priya,
        )
        result.add(model=OrganisationStageRecord)


def _load_review(
    *, organisation: Organisation, relationship: Relationship, result: _Result
) -> None:
    if ManagementReview.objects.filter(
        organisation=organisation, relationship=relationship
    ).exists():
        return
    priya, james, owen = (
        _person("priya.uni"),
        _person("james.uni"),
        _person("owen.uni"),
    )
    today = timezone.localdate()
    # The review looked at the partnership's two newest documents it may cite.
    considered = list(
        DocumentRevision.objects.filter(
            review_evidence_revisions_q(
                organisation=organisation, relationship=relationship, is_joint=False
            )
        ).order_by("-uploaded_at", "-pk")[:2]
    )
    review = management_review_record(
        organisation=organisation,
        relationship=relationship,
        is_joint=False,
        user=priya,
        values={
            "held_on": today - datetime.timedelta(days=30),
            "chair": owen,
            "attendees": [priya, james],
            "other_attendees": "Research office contracts manager",
            "previous_actions_input": "First review of this partnership.",
            "context_changes_input": (
                "Lumen has grown to 40 staff and opened a second site; the "
                "university restructured its research office."
            ),
            "performance_input": (
                "Joint objectives mostly on track; placements behind plan. The "
                "latest joint assessment shows knowledge sharing improving."
            ),
            "nonconformities_input": "None raised.",
            "audit_results_input": "The internal audit of partnership files is due.",
            "opportunities_input": "Shared cleanroom booking could be simpler.",
            "decisions": (
                "Keep the partnership at its current scope; revisit licensing "
                "terms before the next review."
            ),
            "resource_needs": "Half a day a week of contracts support.",
            "plan_changes": "Add the placement calendar to the plan's section 4.",
            "evidence_revisions": considered,
        },
    )
    result.add(model=ManagementReview)
    management_review_action_add(
        review=review,
        user=priya,
        values={
            "description": "Agree a placement calendar with Lumen for next year.",
            "owner": james,
            "due_date": today - datetime.timedelta(days=5),
            "status": ReviewActionStatus.DONE,
            "status_note": "Agreed at the steering meeting.",
        },
    )
    management_review_action_add(
        review=review,
        user=priya,
        values={
            "description": "Draft licensing terms for the waveguide patent.",
            "owner": priya,
            "due_date": today + datetime.timedelta(days=45),
            "status": ReviewActionStatus.OPEN,
        },
    )
    result.add(model=ManagementReviewAction)
    result.add(model=ManagementReviewAction)
