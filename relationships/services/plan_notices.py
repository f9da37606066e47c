"""E-mails of the plan's sign-off: a request to sign when a version is submitted,
a notice to the submitter when a partner rejects it.

Sent after the commit (the callers use `transaction.on_commit`), so nobody is
asked to sign a version whose submission rolled back; a mail server that fails
is logged and does not undo or fail the decision that was recorded.
"""

import logging
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from relationships.models import PlanDecision, PlanVersion
from relationships.selectors.plans import (
    person_name,
    plan_representatives,
    plan_signoff_rows,
)

logger = logging.getLogger(__name__)


def _version_url(plan_version: PlanVersion) -> str:
    relationship = plan_version.plan.relationship
    path = reverse("relationships:plan_overview", args=[relationship.reference])
    return f"{settings.SITE_URL}{path}?version={plan_version.number}"


def _send(*, template: str, context: dict[str, Any], to: list[str]) -> bool:
    subject = " ".join(
        render_to_string(f"relationships/email/{template}_subject.txt", context).split()
    )
    try:
        EmailMessage(
            subject=subject,
            body=render_to_string(f"relationships/email/{template}.txt", context),
            to=to,
        ).send()
    except (SMTPException, OSError):
        logger.exception("Could not send %s to %s", template, ", ".join(to))
        return False
    return True


def plan_signoff_requests_send(*, plan_version: PlanVersion) -> int:
    """Ask everyone who may sign for a partner that has not signed the version's
    current content yet; one e-mail per person, naming the partners they may
    sign for. The submitter is left out: they act on the page they are on."""
    relationship = plan_version.plan.relationship
    waiting = [
        row.partnership
        for row in plan_signoff_rows(
            plan_version=plan_version, relationship=relationship
        )
        if not row.signed
    ]
    representatives = plan_representatives(relationship=relationship)
    partners_by_person: dict[Any, list[Any]] = {}
    for partnership in waiting:
        for person in representatives[partnership.pk]:
            if person.pk != plan_version.submitted_by_id and person.email:
                partners_by_person.setdefault(person, []).append(
                    partnership.organisation
                )
    sent = 0
    for person, organisations in partners_by_person.items():
        sent += _send(
            template="plan_signoff_request",
            context={
                "person": person,
                "organisations": organisations,
                "relationship": relationship,
                "plan_version": plan_version,
                "submitter": person_name(plan_version.submitted_by),
                "version_url": _version_url(plan_version),
            },
            to=[person.email],
        )
    return sent


def plan_rejection_send(*, plan_decision: PlanDecision) -> bool:
    """Tell the person who submitted the version which partner rejected it, who
    did, and why."""
    plan_version = plan_decision.plan_version
    submitter = plan_version.submitted_by
    if (
        submitter is None
        or not submitter.email
        or submitter.pk == plan_decision.decided_by_id
    ):
        return False
    return _send(
        template="plan_rejected",
        context={
            "submitter": submitter,
            "relationship": plan_version.plan.relationship,
            "plan_version": plan_version,
            "organisation": plan_decision.partnership.organisation,
            "rejected_by": person_name(plan_decision.decided_by),
            "reason": plan_decision.reason,
            "version_url": _version_url(plan_version),
        },
        to=[submitter.email],
    )
