"""The daily reminders of the evidence library: a document's review date or
expiry date is near or past. Each is e-mailed once per document, kind and date
(a Notice records it before the next run looks), and only to people who may see
the document."""

import datetime
import logging

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from assessments.choices import NoticeKind
from assessments.models import Notice
from assessments.services.reports import site_url
from relationships.models import RelationshipDocument
from relationships.selectors.documents import (
    DOCUMENT_REMINDER_DAYS,
    document_reminder_recipients,
    documents_to_remind,
)

logger = logging.getLogger(__name__)


def _document_notice_send(
    *,
    document: RelationshipDocument,
    kind: str,
    date: datetime.date,
    today: datetime.date,
) -> bool:
    recipients = document_reminder_recipients(document=document)
    if not recipients:
        return False
    try:
        with transaction.atomic():
            _notice, created = Notice.objects.get_or_create(
                document=document,
                kind=kind,
                period_start=date,
                defaults={
                    "relationship": document.relationship,
                    "period_end": date,
                    "recipients": "\n".join(recipients),
                },
            )
            if not created:
                return False
            context = {
                "document": document,
                "relationship": document.relationship,
                "expiry": kind == NoticeKind.DOCUMENT_EXPIRY,
                "past": date < today
                or (kind == NoticeKind.DOCUMENT_REVIEW and date == today),
                "date": date,
                "document_url": site_url() + document.get_absolute_url(),
            }
            subject = " ".join(
                render_to_string(
                    "assessments/email/document_reminder_subject.txt", context
                ).split()
            )
            body = render_to_string("assessments/email/document_reminder.txt", context)
            # One message each: recipients of a private document's reminder need
            # not learn who else is told. A mail server error rolls the notice
            # back, so the next run sends again.
            for address in recipients:
                EmailMessage(subject=subject, body=body, to=[address]).send()
    except IntegrityError:  # another run recorded it a moment ago
        return False
    return True


def document_reminders_send(*, today: datetime.date) -> int:
    """Remind of every document whose review date is within
    DOCUMENT_REMINDER_DAYS or past, and of every one expiring as soon or
    expired; once per document, kind and date. Returns the reminders sent."""
    soon = today + datetime.timedelta(days=DOCUMENT_REMINDER_DAYS)
    sent = 0
    for document in documents_to_remind(today=today).select_related(
        "owner_partnership__organisation"
    ):
        for kind, date in (
            (NoticeKind.DOCUMENT_REVIEW, document.review_due_on),
            (NoticeKind.DOCUMENT_EXPIRY, document.expires_on),
        ):
            if date is not None and date <= soon:
                sent += _document_notice_send(
                    document=document, kind=kind, date=date, today=today
                )
    return sent
