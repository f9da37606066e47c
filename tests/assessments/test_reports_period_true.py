"""Reports true to their period, and re-issues: what the PDF says (read back
with pypdf) for a report back-filled after the partners moved on, and the rules
of re-issuing one."""

import datetime
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments.choices import AssessmentKind, ReportDistribution, ReportStatus
from assessments.models import Assessment, PrincipleRating, Report
from assessments.selectors.reports import ReportPeriod
from assessments.services.reports import (
    RenderOutcome,
    report_reissue,
    report_render,
    report_request,
    reports_requeue_stuck,
)
from principles.models import LifecycleStage
from relationships.choices import ActionStatus, EvidenceStatus, PlanVersionStatus
from relationships.models import (
    ArtefactEvidence,
    Objective,
    RelationshipDocument,
    StageTransition,
)
from tests.assessments.factories_reports import (
    IN_Q1,
    Q1,
    Q4_2025,
    backdate,
    finished_period,
)
from tests.factories import ActionFactory, ObjectiveFactory, PlanVersionFactory

pytestmark = pytest.mark.django_db

PERIOD = ReportPeriod(start=Q1[0], end=Q1[1])


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in reader.pages
    )


def _render(report: Report) -> tuple[Report, bytes]:
    assert report_render(report_id=report.pk) == RenderOutcome.DONE
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        return report, handle.read()


def _moved_on_since_q1(world) -> None:
    """What happened after Q1 2026, before its report was back-filled: plan
    version 2 approved, the KPI updated, the stage moved on, a new objective."""
    relationship = world.relationship
    PlanVersionFactory(
        plan=relationship.plan,
        number=2,
        status=PlanVersionStatus.APPROVED,
        approved_at=timezone.now(),
        summary="Second plan made long after the quarter.",
    )
    relationship.plan.versions.filter(number=1).update(
        status=PlanVersionStatus.SUPERSEDED
    )
    objective = Objective.objects.get(title__startswith="Place six students")
    objective.kpi_actual = 5
    objective.save()
    stage_then = relationship.stage
    stage_now = LifecycleStage.objects.get(number=stage_then.number + 1)
    StageTransition.objects.create(
        relationship=relationship,
        from_stage=stage_then,
        to_stage=stage_now,
        reason="Moved on after the quarter.",
        moved_by=world.alice,
    )
    relationship.stage = stage_now
    relationship.save()
    ObjectiveFactory(relationship=relationship, title="Objective made in the autumn")


def _backfilled(world) -> tuple[Report, str]:
    finished_period(world).delete()
    _moved_on_since_q1(world)
    report, created = report_request(relationship=world.relationship, period=PERIOD)
    assert created
    report, content = _render(report)
    return report, _pdf_text(content)


# --- as at the period's end ---


def test_backfilled_report_names_the_plan_version_in_force_at_the_period_end(
    world,
) -> None:
    report, text = _backfilled(world)

    assert report.plan_version.number == 1
    assert "Version 1: in force at the period's end, approved 10 February 2026" in text
    assert "Version 2" not in text
    assert "Second plan made long after the quarter" not in text


def test_backfilled_report_shows_the_stage_and_kpi_values_of_the_period(
    world,
) -> None:
    stage_then = world.relationship.stage
    _report, text = _backfilled(world)
    stage_now = LifecycleStage.objects.get(number=stage_then.number + 1)

    assert (
        f"lifecycle stage at the period's end {stage_then.number} of 8: "
        f"{stage_then.name}" in text
    )
    assert f"{stage_now.number} of 8: {stage_now.name}" not in text
    assert "Placements: 2 of 6" in text
    assert "Placements: 5 of 6" not in text
    assert "Objective made in the autumn" not in text
    # The move after the period is not among the period's changes.
    assert "Moved on after the quarter" not in text


def test_a_record_with_no_state_from_the_period_is_said_to_be_unknown(world) -> None:
    finished_period(world).delete()
    objective = ObjectiveFactory(
        relationship=world.relationship, title="Objective with no early record"
    )
    backdate(objective, IN_Q1)
    Objective.history.filter(id=objective.pk).delete()

    report, _ = report_request(relationship=world.relationship, period=PERIOD)
    _, content = _render(report)
    text = _pdf_text(content)

    assert "Objective with no early record" not in text
    assert "Not known as at the period's end: 1 joint objective" in text


def test_changes_run_from_the_previous_report_period_end_to_this_period_end(
    world,
) -> None:
    finished_period(world).delete()
    q4_report, _ = report_request(
        relationship=world.relationship,
        period=ReportPeriod(start=Q4_2025[0], end=Q4_2025[1]),
    )
    _render(q4_report)
    _moved_on_since_q1(world)
    report, _ = report_request(relationship=world.relationship, period=PERIOD)
    _, content = _render(report)
    text = _pdf_text(content)

    q4_report.refresh_from_db()
    assert f"Changes since the last report ({q4_report.number})" in text
    assert "1 Jan 2026 to 31 Mar 2026" in text
    assert "Version 1 Approved" in text  # approved in the window
    assert "Version 2" not in text  # approved after it


# --- number, issue, distribution and the auditor's sections ---


def test_report_carries_number_issue_marking_and_the_audit_sections(world) -> None:
    finished_period(world).delete()
    relationship = world.relationship
    previous_joint = Assessment.objects.get(
        kind=AssessmentKind.JOINT, period_start=Q4_2025[0]
    )
    action = ActionFactory(
        relationship=relationship,
        title="Write the data-sharing protocol",
        status=ActionStatus.DONE,
        completed_at=IN_Q1,
    )
    backdate(action, IN_Q1)
    rating = previous_joint.ratings.order_by("principle__number").first()
    rating.improvement_action = action
    rating.save()
    document = RelationshipDocument.objects.create(
        relationship=relationship,
        title="Quarterly review minutes",
        file="documents/minutes.pdf",
        content_type="application/pdf",
    )
    joint_rating = PrincipleRating.objects.get(
        assessment__kind=AssessmentKind.JOINT,
        assessment__period_start=Q1[0],
        principle__number=1,
    )
    joint_rating.documents.add(document)
    joint_rating.plan_section_keys = [joint_rating.principle.key]
    joint_rating.save()
    artefact = LifecycleStage.objects.get(number=1).artefacts.first()
    evidence = ArtefactEvidence.objects.create(
        relationship=relationship,
        artefact=artefact,
        status=EvidenceStatus.EVIDENCED,
        document=document,
    )
    backdate(evidence, IN_Q1)

    report, _ = report_request(
        relationship=relationship,
        period=PERIOD,
        distribution=ReportDistribution.PARTNERS_AND_AUDITORS,
    )
    report, content = _render(report)
    text = _pdf_text(content)

    assert report.number == "joint-venture-2026-Q1-1"
    assert "Report number joint-venture-2026-Q1-1" in text
    assert "Issue 1 (first issue)" in text
    assert (
        "Restricted: partners of Joint venture and their certification auditors" in text
    )
    for heading in (
        "Method and participants",
        "Joint assessment",
        "Lead Org's self-assessment",
        "Each partner's confirmation of the joint assessment",
        "Evidence index",
        "The approved plan: version 1",
        "Lifecycle checklist at the period's end",
        "The previous period's improvement actions",
    ):
        assert heading in text, heading
    assert "Documents: Quarterly review minutes" in text
    assert f"{artefact.name}: Evidenced (Document: Quarterly review minutes)" in text
    assert "Write the data-sharing protocol Done" in text


# --- re-issue ---


@pytest.fixture
def done_report(world) -> Report:
    finished_period(world).delete()
    report, _ = report_request(relationship=world.relationship, period=PERIOD)
    report, _ = _render(report)
    return report


@pytest.mark.parametrize("reason", ["", "   "])
def test_reissue_without_a_reason_is_refused(world, done_report, reason) -> None:
    with pytest.raises(ValidationError, match="Say why the report is re-issued"):
        report_reissue(report=done_report, reason=reason, user=world.alice)

    assert Report.objects.count() == 1


def test_reissue_page_without_a_reason_says_so_and_makes_nothing(
    world, login, done_report
) -> None:
    url = reverse(
        "assessments:report_reissue",
        kwargs={"reference": world.relationship.reference, "pk": done_report.pk},
    )
    response = login(world.alice).post(
        url, {"reason": "", "distribution": "partners_auditors"}
    )

    assert response.status_code == 200
    assert "Say why the report is re-issued" in response.content.decode()
    assert Report.objects.count() == 1


def test_reissue_supersedes_keeps_the_old_file_and_names_it(
    world, done_report, django_capture_on_commit_callbacks
) -> None:
    with open(done_report.file.path, "rb") as handle:
        old_bytes = handle.read()

    with django_capture_on_commit_callbacks(execute=True):
        new = report_reissue(
            report=done_report,
            reason="Evidence for principle 4 was missing.",
            user=world.alice,
            distribution=ReportDistribution.PARTNERS,
        )
    new.refresh_from_db()
    done_report.refresh_from_db()

    assert new.status == ReportStatus.DONE  # rendered by the queued task
    assert (new.issue, new.supersedes, new.number) == (
        2,
        done_report,
        "joint-venture-2026-Q1-2",
    )
    assert done_report.superseded_by == new
    assert new.plan_version == done_report.plan_version
    with open(done_report.file.path, "rb") as handle:
        assert handle.read() == old_bytes
    assert hashlib.sha256(old_bytes).hexdigest() == done_report.sha256
    with new.file.open("rb") as handle:
        text = _pdf_text(handle.read())
    assert "Issue 2, supersedes joint-venture-2026-Q1-1" in text
    assert "Evidence for principle 4 was missing." in text
    assert "Restricted: partners of Joint venture only" in text
    assert done_report.sha256 in text.replace(" ", "")


def test_a_superseded_issue_cannot_be_reissued_again(world, done_report) -> None:
    report_reissue(report=done_report, reason="First correction.", user=world.alice)

    with pytest.raises(ValidationError, match="already been re-issued"):
        report_reissue(report=done_report, reason="Again.", user=world.alice)
    assert Report.objects.count() == 2


def test_only_a_finished_report_can_be_reissued(world) -> None:
    report = finished_period(world)  # queued

    with pytest.raises(ValidationError, match="Only a finished report"):
        report_reissue(report=report, reason="Too early.", user=world.alice)


def test_requesting_again_returns_the_newest_issue(world, done_report) -> None:
    new = report_reissue(report=done_report, reason="Correction.", user=world.alice)

    again, created = report_request(relationship=world.relationship, period=PERIOD)

    assert (again, created) == (new, False)


def test_a_stuck_reissue_is_sent_again(
    world, done_report, django_capture_on_commit_callbacks
) -> None:
    new = report_reissue(report=done_report, reason="Correction.", user=world.alice)
    Report.objects.filter(pk=new.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert reports_requeue_stuck() == 1
    new.refresh_from_db()
    assert new.status == ReportStatus.DONE


def test_both_issues_download_and_each_page_shows_the_other(
    world, login, done_report
) -> None:
    new = report_reissue(report=done_report, reason="Correction.", user=world.bob)
    new, _ = _render(new)
    client = login(world.dave)  # the auditor reads both

    for report in (done_report, new):
        response = client.get(
            reverse(
                "assessments:report_download",
                kwargs={"reference": world.relationship.reference, "pk": report.pk},
            )
        )
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == report.sha256
    old_page = client.get(
        reverse(
            "assessments:report_detail",
            kwargs={"reference": world.relationship.reference, "pk": done_report.pk},
        )
    ).content.decode()
    new_page = client.get(
        reverse(
            "assessments:report_detail",
            kwargs={"reference": world.relationship.reference, "pk": new.pk},
        )
    ).content.decode()
    assert "Superseded by" in old_page and new.number in old_page
    assert new.sha256 in old_page
    assert "supersedes" in new_page and done_report.number in new_page
    assert done_report.sha256 in new_page
    assert "Re-issue</a>" not in old_page  # the auditor may not re-issue
