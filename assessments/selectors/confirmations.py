"""Reads for the partners' confirmation of a joint assessment.

A joint assessment is final once a representative of every partner has confirmed
it. A confirmation counts only while the ratings are exactly those it was given
on: `assessment_fingerprint` is the one definition of "exactly", and both the
page (what the person saw) and the services (what still counts) use it.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from assessments.choices import (
    AssessmentKind,
    AssessmentStatus,
    ConfirmationClearedBecause,
    ConfirmationDecision,
)
from assessments.models import Assessment, AssessmentConfirmation, PrincipleRating
from relationships.access import (
    AnyUser,
    assessment_partnerships_confirmable_by,
    partnerships_taking_part,
)
from relationships.fingerprints import content_sha256
from relationships.models import Partnership


def assessment_content_snapshot(*, assessment: Assessment) -> dict[str, Any]:
    """What the partners confirm: every rating with its level, words and links.

    Improvement actions are left out on purpose: raising one for a low rating is
    follow-up work, not a change of the partners' view, and must not undo their
    confirmations."""
    ratings = (
        PrincipleRating.objects.filter(assessment=assessment)
        .select_related("principle")
        .prefetch_related("objectives", "risks", "documents")
        .order_by("principle__number")
    )
    return {
        "assessment": assessment.pk,
        "period": [assessment.period_start, assessment.period_end],
        "ratings": [
            {
                "principle": rating.principle.key,
                "level": rating.level,
                "evidence": rating.evidence,
                "comment": rating.comment,
                "prompt_answers": list(rating.prompt_answers),
                "plan_section_keys": sorted(rating.plan_section_keys),
                "objectives": sorted(record.pk for record in rating.objectives.all()),
                "risks": sorted(record.pk for record in rating.risks.all()),
                "documents": sorted(record.pk for record in rating.documents.all()),
            }
            for rating in ratings
        ],
    }


def assessment_fingerprint(*, assessment: Assessment) -> str:
    """The SHA-256 of the assessment's ratings as they are now."""
    return content_sha256(assessment_content_snapshot(assessment=assessment))


def assessment_open_confirmations(
    *, assessment: Assessment
) -> QuerySet[AssessmentConfirmation]:
    """Confirmations not cleared by a change or a sending back."""
    return AssessmentConfirmation.objects.filter(
        assessment=assessment,
        decision=ConfirmationDecision.CONFIRM,
        cleared_at__isnull=True,
    )


def assessment_confirmed_partnership_ids(
    *, assessment: Assessment, fingerprint: str
) -> set[int]:
    """Partners whose confirmation counts: open, and given on these exact ratings."""
    return set(
        assessment_open_confirmations(assessment=assessment)
        .filter(content_sha256=fingerprint)
        .values_list("partnership_id", flat=True)
    )


def assessment_partners_cleared_since(
    *, assessment: Assessment, since: datetime.datetime
) -> list[str]:
    """Partners whose confirmation a change cleared from `since` on: what the
    person who saved is told."""
    return list(
        AssessmentConfirmation.objects.filter(
            assessment=assessment,
            cleared_because=ConfirmationClearedBecause.CHANGED,
            cleared_at__gte=since,
        )
        .order_by("partnership__organisation__name")
        .values_list("partnership__organisation__name", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ConfirmationRow:
    """One partner's standing on the joint assessment, for the pages and the PDF."""

    partnership: Partnership
    confirmation: AssessmentConfirmation | None
    counts: bool
    user_may_confirm: bool

    @property
    def state(self) -> str:
        if self.counts:
            return "confirmed"
        if self.confirmation is None:
            return "awaiting"
        if self.confirmation.cleared_at is None:
            # Open but given on other ratings: changed by a path that did not clear.
            return "outdated"
        return "cleared"

    @property
    def decided_by_name(self) -> str:
        user = self.confirmation.decided_by if self.confirmation else None
        return (user.get_full_name() or user.username) if user else ""

    @property
    def cleared_by_name(self) -> str:
        user = self.confirmation.cleared_by if self.confirmation else None
        return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class ConfirmationState:
    """Everything the confirmation panel shows for one user."""

    fingerprint: str
    rows: list[ConfirmationRow]
    is_representative: bool
    can_send_back: bool
    latest_send_back: AssessmentConfirmation | None

    @property
    def confirmable_rows(self) -> list[ConfirmationRow]:
        return [row for row in self.rows if row.user_may_confirm]

    @property
    def confirmed_count(self) -> int:
        return sum(row.counts for row in self.rows)


def assessment_confirmation_rows(
    *,
    assessment: Assessment,
    fingerprint: str,
    represented_ids: frozenset[int] = frozenset(),
) -> list[ConfirmationRow]:
    """Each partner with its latest confirmation (if any) and whether it counts."""
    latest: dict[int, AssessmentConfirmation] = {}
    for confirmation in AssessmentConfirmation.objects.filter(
        assessment=assessment, decision=ConfirmationDecision.CONFIRM
    ).select_related("decided_by", "cleared_by"):
        latest[confirmation.partnership_id] = confirmation  # ordered by decided_at
    rows = []
    for partnership in (
        partnerships_taking_part(assessment.relationship)
        .select_related("organisation")
        .order_by("role", "organisation__name")
        .all()
    ):
        confirmation = latest.get(partnership.pk)
        counts = (
            confirmation is not None
            and confirmation.cleared_at is None
            and confirmation.content_sha256 == fingerprint
        )
        rows.append(
            ConfirmationRow(
                partnership=partnership,
                confirmation=confirmation,
                counts=counts,
                user_may_confirm=(
                    assessment.status == AssessmentStatus.SUBMITTED
                    and not counts
                    and partnership.pk in represented_ids
                ),
            )
        )
    return rows


def assessment_latest_send_back(
    *, assessment: Assessment
) -> AssessmentConfirmation | None:
    return (
        AssessmentConfirmation.objects.filter(
            assessment=assessment, decision=ConfirmationDecision.SEND_BACK
        )
        .select_related("decided_by", "partnership__organisation")
        .order_by("-decided_at", "-pk")
        .first()
    )


def assessment_confirmation_state(
    *, user: AnyUser, assessment: Assessment
) -> ConfirmationState | None:
    """The confirmation panel of a joint assessment; None for a self-assessment."""
    if assessment.kind != AssessmentKind.JOINT:
        return None
    represented_ids = frozenset(
        assessment_partnerships_confirmable_by(
            user=user, assessment=assessment
        ).values_list("pk", flat=True)
    )
    fingerprint = assessment_fingerprint(assessment=assessment)
    return ConfirmationState(
        fingerprint=fingerprint,
        rows=assessment_confirmation_rows(
            assessment=assessment,
            fingerprint=fingerprint,
            represented_ids=represented_ids,
        ),
        is_representative=bool(represented_ids),
        can_send_back=(
            assessment.status == AssessmentStatus.SUBMITTED and bool(represented_ids)
        ),
        latest_send_back=(
            assessment_latest_send_back(assessment=assessment)
            if assessment.status == AssessmentStatus.DRAFT
            else None
        ),
    )


@dataclass(frozen=True)
class ConfirmationLine:
    """One partner's confirmation as the PDF report prints it."""

    partner: str
    who: str
    when: datetime.datetime | None


def assessment_confirmation_lines(*, assessment: Assessment) -> list[ConfirmationLine]:
    """Who confirmed the joint assessment for each partner, and when."""
    rows = assessment_confirmation_rows(
        assessment=assessment,
        fingerprint=assessment_fingerprint(assessment=assessment),
    )
    return [
        ConfirmationLine(
            partner=row.partnership.organisation.name,
            who=row.decided_by_name if row.counts else "",
            when=row.confirmation.decided_at if row.counts else None,
        )
        for row in rows
    ]
