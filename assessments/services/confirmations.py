"""Writes for the partners' agreement on a joint assessment: confirm, send back,
and clear confirmations the ratings have moved away from.

A joint assessment becomes final only through `assessment_confirm`, when every
partner has an open confirmation given on the ratings as they are now (their
fingerprint). Counting by fingerprint, not only by the clearing that
`assessment_ratings_save` does, means no other write path (the admin, a shell)
can change the ratings under a confirmation and still have it count.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.choices import (
    AssessmentKind,
    AssessmentStatus,
    ConfirmationClearedBecause,
    ConfirmationDecision,
)
from assessments.models import Assessment, AssessmentConfirmation
from assessments.selectors.confirmations import (
    assessment_confirmed_partnership_ids,
    assessment_fingerprint,
    assessment_open_confirmations,
)
from assessments.services.reports import site_url
from relationships.access import (
    assessment_partnerships_confirmable_by,
    partnerships_taking_part,
)
from relationships.models import Partnership

SEND_BACK_REASON_MAX_LENGTH = 2000


def _locked_joint(assessment: Assessment) -> Assessment:
    """The assessment re-read under a row lock, so confirmations, send-backs and
    rating saves of one assessment happen one after the other."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    locked.relationship = assessment.relationship
    if locked.kind != AssessmentKind.JOINT:
        raise ValidationError(
            "Only the joint assessment is confirmed by the partners; a "
            "self-assessment is finalised by its own partner.",
            code="not_joint",
        )
    if locked.status == AssessmentStatus.FINAL:
        raise ValidationError(
            "This assessment is already final: every partner has confirmed it.",
            code="final",
        )
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(
            "The joint assessment is still a draft: submit it before the partners "
            "confirm it or send it back.",
            code="not_submitted",
        )
    return locked


def _refuse_unless_representative(
    *, assessment: Assessment, partnership: Partnership, user: AbstractBaseUser
) -> None:
    if (
        not assessment_partnerships_confirmable_by(user=user, assessment=assessment)
        .filter(pk=partnership.pk)
        .exists()
    ):
        raise ValidationError(
            f"You are not a named representative of {partnership.organisation}: "
            "only its relationship manager or a leadership member of the joint "
            "management team may confirm for it.",
            code="not_representative",
        )


def _clear(
    confirmation: AssessmentConfirmation,
    *,
    user: AbstractBaseUser | None,
    because: str,
) -> None:
    confirmation.cleared_at = timezone.now()
    confirmation.cleared_by = user
    confirmation.cleared_because = because
    confirmation.full_clean()
    confirmation._history_user = user
    confirmation.save(update_fields=["cleared_at", "cleared_by", "cleared_because"])


def assessment_confirmations_clear_changed(
    *, assessment: Assessment, user: AbstractBaseUser | None
) -> int:
    """Clear open confirmations given on other ratings than the current ones.

    Called by the services that change ratings, inside their transaction and
    after the change; returns how many were cleared."""
    if assessment.kind != AssessmentKind.JOINT:
        return 0
    fingerprint = assessment_fingerprint(assessment=assessment)
    outdated = assessment_open_confirmations(assessment=assessment).exclude(
        content_sha256=fingerprint
    )
    cleared = 0
    for confirmation in outdated:
        _clear(confirmation, user=user, because=ConfirmationClearedBecause.CHANGED)
        cleared += 1
    return cleared


@transaction.atomic
def assessment_confirm(
    *,
    assessment: Assessment,
    partnership: Partnership,
    user: AbstractBaseUser,
    seen_sha256: str,
) -> AssessmentConfirmation:
    """Confirm the joint assessment for one partner, as the user saw it.

    `seen_sha256` is the fingerprint of the ratings the page showed: if they
    changed since, nothing is confirmed (a person confirms what they read, never
    something newer). The last partner's confirmation makes the assessment final.
    """
    assessment = _locked_joint(assessment)
    if partnership.relationship_id != assessment.relationship_id:
        raise ValidationError(
            "Choose a partner of this relationship.", code="not_representative"
        )
    _refuse_unless_representative(
        assessment=assessment, partnership=partnership, user=user
    )
    fingerprint = assessment_fingerprint(assessment=assessment)
    if seen_sha256 != fingerprint:
        raise ValidationError(
            "The ratings changed since you opened the page, so nothing was "
            "confirmed. Read the current ratings and confirm again if you agree.",
            code="changed",
        )
    if partnership.pk in assessment_confirmed_partnership_ids(
        assessment=assessment, fingerprint=fingerprint
    ):
        raise ValidationError(
            f"{partnership.organisation} has already confirmed these ratings.",
            code="already_confirmed",
        )
    # An open confirmation on older ratings (changed by a path that did not clear
    # it) gives way to this one.
    for outdated in assessment_open_confirmations(assessment=assessment).filter(
        partnership=partnership
    ):
        _clear(outdated, user=None, because=ConfirmationClearedBecause.CHANGED)
    confirmation = AssessmentConfirmation(
        assessment=assessment,
        partnership=partnership,
        decision=ConfirmationDecision.CONFIRM,
        content_sha256=fingerprint,
        decided_by=user,
    )
    confirmation.full_clean()
    confirmation._history_user = user
    try:
        with transaction.atomic():
            confirmation.save()
    except IntegrityError as error:
        raise ValidationError(
            f"{partnership.organisation} has already confirmed these ratings.",
            code="already_confirmed",
        ) from error

    partner_ids = set(
        partnerships_taking_part(assessment.relationship).values_list("pk", flat=True)
    )
    if partner_ids <= assessment_confirmed_partnership_ids(
        assessment=assessment, fingerprint=fingerprint
    ):
        assessment.status = AssessmentStatus.FINAL
        assessment.finalised_at = timezone.now()
        assessment.full_clean()
        assessment._history_user = user
        assessment._change_reason = "Confirmed by every partner"
        assessment.save(update_fields=["status", "finalised_at"])
    return confirmation


@transaction.atomic
def assessment_send_back(
    *,
    assessment: Assessment,
    partnership: Partnership,
    user: AbstractBaseUser,
    reason: str,
) -> AssessmentConfirmation:
    """Return the joint assessment to draft for one partner, with a reason.

    Every open confirmation is cleared (the partners confirm the next
    submission afresh) and the people who entered the ratings are e-mailed."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say what needs to change before your partner can confirm."},
            code="reason_required",
        )
    if len(reason) > SEND_BACK_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": f"Keep the reason under {SEND_BACK_REASON_MAX_LENGTH} "
                "characters."
            },
            code="reason_too_long",
        )
    assessment = _locked_joint(assessment)
    if partnership.relationship_id != assessment.relationship_id:
        raise ValidationError(
            "Choose a partner of this relationship.", code="not_representative"
        )
    _refuse_unless_representative(
        assessment=assessment, partnership=partnership, user=user
    )
    for confirmation in assessment_open_confirmations(assessment=assessment):
        _clear(confirmation, user=user, because=ConfirmationClearedBecause.SENT_BACK)
    send_back = AssessmentConfirmation(
        assessment=assessment,
        partnership=partnership,
        decision=ConfirmationDecision.SEND_BACK,
        reason=reason,
        content_sha256=assessment_fingerprint(assessment=assessment),
        decided_by=user,
    )
    send_back.full_clean()
    send_back._history_user = user
    send_back.save()
    assessment.status = AssessmentStatus.DRAFT
    assessment.submitted_at = None
    assessment.full_clean()
    assessment._history_user = user
    assessment._change_reason = f"Sent back by {partnership.organisation}"
    assessment.save(update_fields=["status", "submitted_at"])
    send_back_id = send_back.pk
    # robust: a mail server error after the commit must not turn a recorded
    # send-back into an error page; it is logged instead.
    transaction.on_commit(
        lambda: assessment_send_back_notify(send_back_id=send_back_id), robust=True
    )
    return send_back


def assessment_send_back_recipients(*, send_back: AssessmentConfirmation) -> list[str]:
    """The people who entered the assessment (who started it, who last saved its
    ratings), without the sender: they are the ones to act on the reason."""
    assessment = send_back.assessment
    people = [assessment.created_by, assessment.last_edited_by]
    return sorted(
        {
            person.email
            for person in people
            if person is not None
            and person.is_active
            and person.email
            and person.pk != send_back.decided_by_id
        }
    )


def assessment_send_back_notify(*, send_back_id: int) -> bool:
    """E-mail the people who entered the assessment why it was sent back."""
    send_back = AssessmentConfirmation.objects.select_related(
        "assessment__relationship",
        "assessment__created_by",
        "assessment__last_edited_by",
        "partnership__organisation",
        "decided_by",
    ).get(pk=send_back_id)
    recipients = assessment_send_back_recipients(send_back=send_back)
    if not recipients:
        return False
    assessment = send_back.assessment
    context = {
        "send_back": send_back,
        "assessment": assessment,
        "relationship": assessment.relationship,
        "sender": send_back.decided_by.get_full_name() or send_back.decided_by.username,
        "assessment_url": site_url()
        + reverse(
            "assessments:assessment_detail",
            kwargs={
                "reference": assessment.relationship.reference,
                "pk": assessment.pk,
            },
        ),
    }
    subject = " ".join(
        render_to_string(
            "assessments/email/assessment_sent_back_subject.txt", context
        ).split()
    )
    EmailMessage(
        subject=subject,
        body=render_to_string("assessments/email/assessment_sent_back.txt", context),
        to=recipients,
    ).send()
    return True
