"""When a document of the evidence library is flagged and reminded: the one
rule the lists, the document's page and the daily reminders share."""

import datetime
from dataclasses import dataclass

from relationships.models import RelationshipDocument

# How long before its review or expiry date a document is flagged, and reminded.
DOCUMENT_REMINDER_DAYS = 14


@dataclass(frozen=True)
class DocumentDates:
    """Where a document stands against its review and expiry dates today."""

    review_due: bool = False
    review_soon: bool = False
    expired: bool = False
    expires_soon: bool = False

    @property
    def any(self) -> bool:
        return self.review_due or self.review_soon or self.expired or self.expires_soon


def document_dates(
    document: RelationshipDocument, *, today: datetime.date
) -> DocumentDates:
    soon = today + datetime.timedelta(days=DOCUMENT_REMINDER_DAYS)
    review, expiry = document.review_due_on, document.expires_on
    return DocumentDates(
        review_due=document.review_is_due(today),
        review_soon=review is not None and today < review <= soon,
        expired=document.has_expired(today),
        expires_soon=expiry is not None and today <= expiry <= soon,
    )
