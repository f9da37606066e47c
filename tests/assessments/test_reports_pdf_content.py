"""What the PDF of a finished period says, read back with pypdf: one render,
shared by the module's tests, which only read it (a WeasyPrint render costs
1-3 s of CPU). The rows are built and the PDF rendered once, in a transaction
rolled back at the module's end (tests/conftest.py)."""

import hashlib
import io
from collections.abc import Iterator
from typing import NamedTuple

import pytest
from pypdf import PdfReader

from assessments.choices import ReportStatus
from assessments.models import Report
from principles.models import Principle
from tests.assessments.factories_reports import (
    JOINT_LEVELS,
    LEAD_LEVELS,
    PARTNER_LEVELS,
    PREVIOUS_JOINT_LEVELS,
    finished_period,
)
from tests.assessments.test_reports_pdf import _pdf_text, _rendered
from tests.conftest import World, rows_shared_by_the_module, world_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered")]


class Rendered(NamedTuple):
    report: Report
    content: bytes
    world: World


@pytest.fixture(scope="module")
def rendered(
    django_db_setup, django_db_blocker, tmp_path_factory
) -> Iterator[Rendered]:
    def render() -> Rendered:
        world = world_build()
        report, content = _rendered(finished_period(world))
        return Rendered(report, content, world)

    yield from rows_shared_by_the_module(
        django_db_blocker, render, media_root=tmp_path_factory.mktemp("media")
    )


def test_report_shows_title_every_principle_and_the_ratings(rendered: Rendered) -> None:
    report, content, world = rendered
    text = _pdf_text(content)

    assert "Joint venture" in text
    assert "Lead Org" in text and "Partner Org" in text
    principles = Principle.objects.filter(
        principle_set__key=world.relationship.principle_set_key
    ).order_by("number")
    assert principles.count() == 12
    # The ratings table: joint, previous, change, then each partner's self view.
    for principle, joint, previous, lead, partner in zip(
        principles,
        JOINT_LEVELS,
        PREVIOUS_JOINT_LEVELS,
        LEAD_LEVELS,
        PARTNER_LEVELS,
        strict=True,
    ):
        change = joint - previous
        change_text = f"+{change}" if change > 0 else str(change)
        row = (
            f"{principle.number}. {principle.name} {joint} {previous} "
            f"{change_text} {lead} {partner}"
        )
        assert row in text, row
    assert report.page_count == len(PdfReader(io.BytesIO(content)).pages)
    assert report.page_count >= 4


def test_report_has_every_section_and_the_registers(rendered: Rendered) -> None:
    _, content, _ = rendered
    text = _pdf_text(content)

    for heading in (
        "Summary",
        "Ratings per principle",
        "Change against the previous period",
        "Perception gaps",
        "Objectives",
        "Risks",
        "Open and overdue actions",
        "Plan changes since",
    ):
        assert heading in text, heading
    assert "Place six students" in text
    assert "Key researcher leaves" in text
    assert "Agree a publication review" in text and "overdue" in text
    # Principle 2: lead rated 4, partner 2: a perception gap of 2.
    assert "spread 2" in text
    assert "Version 1" in text and "Approved" in text


def test_stored_file_hashes_to_the_recorded_sha256(rendered: Rendered) -> None:
    report, content, _ = rendered

    assert report.status == ReportStatus.DONE
    assert hashlib.sha256(content).hexdigest() == report.sha256
    assert report.size_bytes == len(content)
    assert len(report.data_fingerprint) == 64
