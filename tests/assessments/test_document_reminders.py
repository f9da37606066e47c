"""Reminders of the evidence library: a document's review or expiry date near or
past is e-mailed once (per document, kind and date) to its uploader and its
partner's relationship managers, and never to anyone who may not see it."""

import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assessments.choices import NoticeKind
from assessments.models import Notice
from assessments.services.document_reminders import document_reminders_send
from assessments.services.schedules import schedules_run
from relationships.models import Membership, RelationshipDocument
from relationships.services.lifecycle import document_upload

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _upload(world, user, *, owner=None, **dates) -> RelationshipDocument:
    return document_upload(
        relationship=world.relationship,
        user=user,
        file=SimpleUploadedFile("policy.txt", b"Our policy.\n"),
        title="Insurance certificate" if owner is None else "Supplier cost breakdown",
        owner_partnership=owner,
        **dates,
    )


def _recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_review_date_within_two_weeks_is_reminded_once(world, media_root) -> None:
    document = _upload(
        world, world.carol, review_due_on=TODAY + datetime.timedelta(days=10)
    )
    assert document_reminders_send(today=TODAY - datetime.timedelta(days=5)) == 0
    assert document_reminders_send(today=TODAY) == 1
    # The uploader and every partner's relationship manager (a joint document).
    assert _recipients() == {
        world.carol.email,
        world.alice.email,
        world.bob.email,
    }
    assert "Review soon: Insurance certificate" in mail.outbox[0].subject
    assert document.get_absolute_url() in mail.outbox[0].body
    notice = Notice.objects.get(document=document)
    assert notice.kind == NoticeKind.DOCUMENT_REVIEW
    assert notice.period_start == document.review_due_on
    sent = len(mail.outbox)
    assert document_reminders_send(today=TODAY) == 0
    assert document_reminders_send(today=TODAY + datetime.timedelta(days=30)) == 0
    assert len(mail.outbox) == sent


def test_a_new_review_date_is_reminded_again(world, media_root) -> None:
    document = _upload(world, world.alice, review_due_on=TODAY)
    assert document_reminders_send(today=TODAY) == 1
    document.review_due_on = TODAY + datetime.timedelta(days=365)
    document.save()
    assert document_reminders_send(today=TODAY + datetime.timedelta(days=360)) == 1
    assert Notice.objects.filter(document=document).count() == 2


def test_an_expiry_is_reminded_separately_from_the_review(world, media_root) -> None:
    document = _upload(
        world,
        world.alice,
        review_due_on=TODAY - datetime.timedelta(days=40),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    assert document_reminders_send(today=TODAY) == 2
    subjects = sorted(message.subject for message in mail.outbox)
    assert any(subject.startswith("Expired: ") for subject in subjects)
    assert any(subject.startswith("Review due: ") for subject in subjects)
    assert set(
        Notice.objects.filter(document=document).values_list("kind", flat=True)
    ) == {NoticeKind.DOCUMENT_REVIEW, NoticeKind.DOCUMENT_EXPIRY}


def test_a_private_document_is_reminded_only_to_its_own_partner(
    world, frank, media_root
) -> None:
    document = _upload(world, world.bob, owner=world.partner, review_due_on=TODAY)
    assert document.is_private
    assert document_reminders_send(today=TODAY) == 1
    assert _recipients() == {world.bob.email}
    assert "Supplier cost breakdown" not in "".join(
        message.body for message in mail.outbox if frank.email in message.to
    )


def test_nobody_who_no_longer_sees_the_document_is_reminded(world, media_root) -> None:
    _upload(world, world.carol, review_due_on=TODAY)
    Membership.objects.filter(user=world.carol).update(deactivated_at=timezone.now())
    assert document_reminders_send(today=TODAY) == 1
    assert world.carol.email not in _recipients()
    assert _recipients() == {world.alice.email, world.bob.email}


def test_the_daily_run_sends_the_document_reminders(world, media_root) -> None:
    _upload(world, world.alice, review_due_on=TODAY)
    summary = schedules_run(today=TODAY)
    assert summary.document_reminders_sent == 1
    assert "1 document reminders sent" in str(summary)
