"""Reads for reports, schedules and subscriptions.

Pages reach reports only through relationship_get_for_user (404 for outsiders) or
relationship_get_for_editing (403 for read-only roles). The report's content is
gathered here too, in one place, so the same data feeds the PDF and its
fingerprint.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.choices import (
    VISIBLE_TO_PARTNERS,
    AssessmentKind,
    AssessmentStatus,
    ReportStatus,
)
from assessments.models import (
    Assessment,
    AssessmentSchedule,
    PrincipleRating,
    Report,
    ReportSubscription,
)
from assessments.selectors.confirmations import (
    ConfirmationLine,
    assessment_confirmation_lines,
)
from assessments.selectors.ratings import PerceptionGap, perception_gaps_from_levels
from principles.models import Principle
from relationships.access import (
    AnyUser,
    record_audience,
    relationship_get_for_editing,
    relationship_get_for_user,
    relationships_visible_to,
    viewer_audience,
    visible_records,
)
from relationships.choices import (
    ObjectiveStatus,
    PlanVersionStatus,
    RelationshipStatus,
)
from relationships.models import (
    OPEN_ACTION_STATUSES,
    OPEN_RISK_STATUSES,
    Action,
    Objective,
    Partnership,
    PlanVersion,
    Relationship,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord
from relationships.selectors.plans import plan_signoff_rows

# The records that may be private to one partner (visible_records).
PRIVATE_MODELS: tuple[type[PartnerPrivateRecord], ...] = (
    Assessment,
    Objective,
    Risk,
    Action,
)

# An objective whose milestone has passed is late unless it is finished.
CLOSED_OBJECTIVE_STATUSES = (ObjectiveStatus.ACHIEVED, ObjectiveStatus.DROPPED)

# Relationships the schedule looks after: running ones, not proposals, paused or
# closed ones.
SCHEDULED_RELATIONSHIP_STATUSES = (
    RelationshipStatus.ACTIVE,
    RelationshipStatus.EXITING,
)


@dataclass(frozen=True)
class ReportPeriod:
    """The period a report covers: its joint assessment's dates."""

    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    @property
    def value(self) -> str:
        """The form value: '2026-01-01/2026-03-31'."""
        return f"{self.start:%Y-%m-%d}/{self.end:%Y-%m-%d}"


def period_label(start: datetime.date, end: datetime.date) -> str:
    """'2026-Q1', '2026-H2', '2026', '2026-03', else the date range."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    next_day = end + datetime.timedelta(days=1)
    whole_months = start.day == 1 and next_day.day == 1
    if whole_months and months == 3 and start.month in (1, 4, 7, 10):
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if whole_months and months == 6 and start.month in (1, 7):
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    if whole_months and months == 12 and start.month == 1:
        return str(start.year)
    if whole_months and months == 1:
        return f"{start:%Y-%m}"
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


# --- pages ------------------------------------------------------------------


def reports_for_relationship(*, relationship: Relationship) -> QuerySet[Report]:
    """The relationship's reports, newest period first, ready for a list page."""
    return (
        Report.objects.filter(relationship=relationship)
        .select_related("plan_version", "requested_by")
        .order_by("-period_start", "-created_at", "-pk")
    )


def _report_in(relationship: Relationship, pk: int) -> Report:
    try:
        return reports_for_relationship(relationship=relationship).get(pk=pk)
    except Report.DoesNotExist as error:
        raise Http404("No such report in this relationship.") from error


def report_get_for_user(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Report]:
    relationship = relationship_get_for_user(user=user, reference=reference)
    return relationship, _report_in(relationship, pk)


def report_get_for_editing(
    *, user: AnyUser, reference: str, pk: int
) -> tuple[Relationship, Report]:
    relationship = relationship_get_for_editing(user=user, reference=reference)
    return relationship, _report_in(relationship, pk)


def report_subscription_exists(*, relationship: Relationship, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return ReportSubscription.objects.filter(
        relationship=relationship, user=user
    ).exists()


def relationship_finished_periods(*, relationship: Relationship) -> list[ReportPeriod]:
    """Periods whose joint assessment is final, newest first: what a report covers."""
    return [
        ReportPeriod(start=start, end=end)
        for start, end in Assessment.objects.filter(
            relationship=relationship,
            kind=AssessmentKind.JOINT,
            status=AssessmentStatus.FINAL,
        )
        .order_by("-period_start")
        .values_list("period_start", "period_end")
    ]


def relationship_schedule(*, relationship: Relationship) -> AssessmentSchedule:
    """The relationship's schedule, or an unsaved quarterly default."""
    try:
        return relationship.assessment_schedule
    except AssessmentSchedule.DoesNotExist:
        return AssessmentSchedule(relationship=relationship)


# --- the daily schedule -------------------------------------------------------


def relationships_on_schedule() -> QuerySet[Relationship]:
    """Live relationships whose schedule is active (or missing: quarterly)."""
    return (
        Relationship.objects.filter(status__in=SCHEDULED_RELATIONSHIP_STATUSES)
        .exclude(assessment_schedule__active=False)
        .select_related("assessment_schedule")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related(
                    "organisation", "relationship_manager", "senior_executive"
                ),
            )
        )
        .order_by("pk")
    )


def relationship_assessment_overlaps(
    *, relationship: Relationship, start: datetime.date, end: datetime.date
) -> bool:
    return Assessment.objects.filter(
        relationship=relationship, period_start__lte=end, period_end__gte=start
    ).exists()


@dataclass
class OutstandingPeriod:
    """An ended period with assessments still in draft."""

    start: datetime.date
    end: datetime.date
    drafts: list[Assessment] = field(default_factory=list)

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)


def relationship_outstanding_periods(
    *, relationship: Relationship, today: datetime.date
) -> list[OutstandingPeriod]:
    """Ended periods of the relationship that still have draft assessments."""
    periods: dict[tuple[datetime.date, datetime.date], OutstandingPeriod] = {}
    drafts = (
        Assessment.objects.filter(
            relationship=relationship,
            status=AssessmentStatus.DRAFT,
            period_end__lt=today,
        )
        .select_related("partnership__organisation")
        .order_by("period_start", "kind", "partnership__organisation__name")
    )
    for assessment in drafts:
        key = (assessment.period_start, assessment.period_end)
        periods.setdefault(key, OutstandingPeriod(start=key[0], end=key[1]))
        periods[key].drafts.append(assessment)
    return list(periods.values())


@dataclass
class ReminderGroup:
    """Managers who may see the same drafts of a period: they get one e-mail."""

    emails: list[str]
    drafts: list[Assessment]


def reminder_groups(
    *, relationship: Relationship, period: OutstandingPeriod
) -> list[ReminderGroup]:
    """The partners' relationship managers, grouped by the drafts of the period
    each may see: a reminder names a partner's private self-assessment only to
    the people it is for (`record_audience`). Managers who may see none of the
    drafts get no reminder."""
    audiences = {draft.pk: record_audience(draft) for draft in period.drafts}
    groups: dict[tuple[int, ...], ReminderGroup] = {}
    partnerships = relationship.partnerships.select_related("relationship_manager")
    for partnership in partnerships.order_by("pk"):
        manager = partnership.relationship_manager
        if manager is None or not manager.email:
            continue
        sees = set(viewer_audience(user=manager, relationship=relationship))
        drafts = [
            draft
            for draft in period.drafts
            if audiences[draft.pk] is None or audiences[draft.pk] & sees
        ]
        if not drafts:
            continue
        group = groups.setdefault(
            tuple(draft.pk for draft in drafts), ReminderGroup([], drafts)
        )
        if manager.email not in group.emails:
            group.emails.append(manager.email)
    return list(groups.values())


def report_recipients(*, report: Report) -> list[AbstractBaseUser]:
    """Managers and subscribers who may (still) see the report's relationship."""
    user_model = get_user_model()
    relationship = report.relationship
    candidates = user_model.objects.filter(
        Q(managed_partnerships__relationship=relationship)
        | Q(report_subscriptions__relationship=relationship),
        is_active=True,
    ).exclude(email="")
    return [
        user
        for user in candidates.distinct().order_by("pk")
        if relationships_visible_to(user).filter(pk=relationship.pk).exists()
    ]


def reports_stuck(
    *, now: datetime.datetime, stale_after: datetime.timedelta
) -> QuerySet[Report]:
    """Reports whose task was lost: queued long ago, or running past the limit."""
    return Report.objects.filter(
        Q(status=ReportStatus.QUEUED, created_at__lt=now - stale_after)
        | Q(status=ReportStatus.RUNNING, started_at__lt=now - stale_after)
    ).order_by("pk")


def relationship_report_exists(
    *,
    relationship: Relationship,
    period: ReportPeriod,
    plan_version: PlanVersion | None = None,
    any_plan_version: bool = False,
) -> bool:
    """Whether the period has a report for the plan version (or for any version)."""
    reports = Report.objects.filter(
        relationship=relationship, period_start=period.start, period_end=period.end
    )
    if not any_plan_version:
        reports = reports.filter(plan_version=plan_version)
    return reports.exists()


# --- a report's content --------------------------------------------------------


@dataclass(frozen=True)
class PartnerLine:
    name: str
    kind: str
    role: str
    manager: str
    senior_executive: str


@dataclass(frozen=True)
class SignOff:
    partner: str
    state: str
    when: datetime.datetime | None
    who: str
    fingerprint: str = ""  # SHA-256 of the content signed
    stale: bool = False  # signed, but the content changed afterwards


@dataclass(frozen=True)
class ReportRatingRow:
    principle: Principle
    joint: PrincipleRating | None
    previous_level: int | None
    self_levels: list[int | None]

    @property
    def level(self) -> int | None:
        return self.joint.level if self.joint else None

    @property
    def change(self) -> int | None:
        if self.level is None or self.previous_level is None:
            return None
        return self.level - self.previous_level


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read once."""

    relationship: Relationship
    period: ReportPeriod
    plan_version: PlanVersion | None
    sign_offs: list[SignOff]
    partners: list[PartnerLine]
    joint: Assessment | None
    joint_confirmations: list[ConfirmationLine]
    previous_period: ReportPeriod | None
    partner_columns: list[str]
    rows: list[ReportRatingRow]
    gaps: list[PerceptionGap]
    objectives: list[Objective]
    open_risks: list[Risk]
    risk_counts: dict[tuple[int, int], int]
    open_actions: list[Action]
    plan_changes: list[PlanVersion]
    changes_since: datetime.datetime
    previous_report: Report | None
    fingerprint: str
    # A report is read by every partner and by auditors: partner-private records
    # are left out of it, and it says how many.
    private_records_left_out: int = 0

    @property
    def overdue_actions(self) -> list[Action]:
        return [action for action in self.open_actions if action.is_overdue]

    @property
    def joint_average(self) -> float | None:
        """Unrounded: the template shows it with floatformat, as the dashboard does
        (round() would make 3.25 into 3.2 where the dashboard shows 3.3)."""
        levels = [row.level for row in self.rows if row.level is not None]
        return sum(levels) / len(levels) if levels else None

    @property
    def rag_counts(self) -> dict[str, int]:
        counts = {"green": 0, "amber": 0, "red": 0}
        for row in self.rows:
            if row.joint is not None:
                counts[row.joint.rag] += 1
        return counts

    @property
    def improved(self) -> list[ReportRatingRow]:
        return [row for row in self.rows if (row.change or 0) > 0]

    @property
    def declined(self) -> list[ReportRatingRow]:
        return [row for row in self.rows if (row.change or 0) < 0]

    @property
    def objective_counts(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for objective in self.objectives:
            counts[objective.get_status_display()] += 1
        return [
            (label, counts[label])
            for label in ObjectiveStatus.labels
            if counts.get(label)
        ]


def _partner_name(partnership: Partnership | None) -> str:
    return partnership.organisation.name if partnership else "Joint"


def _sign_offs(
    plan_version: PlanVersion | None, relationship: Relationship
) -> list[SignOff]:
    """Each partner's decision on the plan version, as the plan's pages show it:
    who signed, when, the fingerprint of the content signed, and whether the
    content still has it."""
    if plan_version is None:
        return []
    rows = plan_signoff_rows(plan_version=plan_version, relationship=relationship)
    submitted = plan_version.status == PlanVersionStatus.SUBMITTED
    if not submitted and not any(row.signature for row in rows):
        return []
    sign_offs = []
    for row in rows:
        partner = row.partnership.organisation.name
        signature = row.signature
        if signature is None:
            state = "Awaiting sign-off" if submitted else "—"
            sign_offs.append(SignOff(partner, state, None, ""))
            continue
        sign_offs.append(
            SignOff(
                partner=partner,
                state="Signed off" if signature.approved else "Rejected",
                when=signature.decision.decided_at,
                who=signature.signer,
                fingerprint=signature.decision.content_sha256,
                stale=signature.stale,
            )
        )
    return sign_offs


def _levels(assessment: Assessment | None) -> dict[int, int]:
    if assessment is None:
        return {}
    return {rating.principle_id: rating.level for rating in assessment.ratings.all()}


@dataclass(frozen=True)
class _Ratings:
    """The period's joint and self-assessments (joint records only) and what the
    report reads from their ratings."""

    assessments: list[Assessment]
    joint: Assessment | None
    previous_joint: Assessment | None
    partner_columns: list[str]
    rows: list[ReportRatingRow]
    gaps: list[PerceptionGap]


@dataclass(frozen=True)
class _Registers:
    """The relationship's joint objectives, open risks and open actions."""

    objectives: list[Objective]
    open_risks: list[Risk]
    risk_counts: dict[tuple[int, int], int]
    open_actions: list[Action]


@dataclass(frozen=True)
class _Changes:
    """What happened since the previous report (or the period's start)."""

    previous_report: Report | None
    changes_since: datetime.datetime
    plan_changes: list[PlanVersion]


def report_data(*, report: Report, now: datetime.datetime | None = None) -> ReportData:
    """Gather one report's content (about 15 queries, whatever the data size)."""
    now = now or timezone.now()
    relationship = report.relationship
    period = ReportPeriod(start=report.period_start, end=report.period_end)
    partnerships = list(
        relationship.partnerships.select_related(
            "organisation", "relationship_manager", "senior_executive"
        )
    )
    plan_version = report.plan_version
    ratings = _report_ratings(relationship=relationship, period=period)
    registers = _report_registers(
        relationship=relationship, today=timezone.localdate(now)
    )
    changes = _report_changes(report=report, period=period, now=now)
    private_left_out = _private_records_left_out(relationship)
    previous_joint = ratings.previous_joint
    return ReportData(
        relationship=relationship,
        period=period,
        plan_version=plan_version,
        sign_offs=_sign_offs(plan_version, relationship),
        partners=[_partner_line(partnership) for partnership in partnerships],
        joint=ratings.joint,
        joint_confirmations=(
            assessment_confirmation_lines(assessment=ratings.joint)
            if ratings.joint
            else []
        ),
        previous_period=(
            ReportPeriod(
                start=previous_joint.period_start, end=previous_joint.period_end
            )
            if previous_joint
            else None
        ),
        partner_columns=ratings.partner_columns,
        rows=ratings.rows,
        gaps=ratings.gaps,
        objectives=registers.objectives,
        open_risks=registers.open_risks,
        risk_counts=registers.risk_counts,
        open_actions=registers.open_actions,
        plan_changes=changes.plan_changes,
        changes_since=changes.changes_since,
        previous_report=changes.previous_report,
        fingerprint=_report_fingerprint(
            relationship=relationship,
            partnerships=partnerships,
            plan_version=plan_version,
            ratings=ratings,
            registers=registers,
            changes=changes,
            private_left_out=private_left_out,
        ),
        private_records_left_out=private_left_out,
    )


def _report_ratings(*, relationship: Relationship, period: ReportPeriod) -> _Ratings:
    """The period's shared joint assessment and self-assessments, the previous
    final joint one, and per principle the joint level beside each self level."""
    principles = list(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).order_by("number")
    )
    assessments = list(
        Assessment.objects.filter(
            visible_records(None, Assessment),
            relationship=relationship,
            period_start=period.start,
            status__in=VISIBLE_TO_PARTNERS,
        )
        .select_related("partnership__organisation")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=PrincipleRating.objects.select_related("principle").order_by(
                    "principle__number"
                ),
            )
        )
        .order_by("partnership__role", "partnership__organisation__name")
    )
    joint = None
    self_assessments = []
    for assessment in assessments:
        if assessment.kind == AssessmentKind.JOINT:
            joint = assessment
        else:
            self_assessments.append(assessment)
    previous_joint = (
        Assessment.objects.filter(
            relationship=relationship,
            kind=AssessmentKind.JOINT,
            status=AssessmentStatus.FINAL,
            period_start__lt=period.start,
        )
        .prefetch_related("ratings")
        .order_by("-period_start")
        .first()
    )
    joint_ratings = {
        rating.principle_id: rating for rating in (joint.ratings.all() if joint else [])
    }
    previous_levels = _levels(previous_joint)
    self_levels = [_levels(assessment) for assessment in self_assessments]
    partner_columns = [_partner_name(a.partnership) for a in self_assessments]
    return _Ratings(
        assessments=assessments,
        joint=joint,
        previous_joint=previous_joint,
        partner_columns=partner_columns,
        rows=[
            ReportRatingRow(
                principle=principle,
                joint=joint_ratings.get(principle.pk),
                previous_level=previous_levels.get(principle.pk),
                self_levels=[levels.get(principle.pk) for levels in self_levels],
            )
            for principle in principles
        ],
        gaps=perception_gaps_from_levels(
            principles=principles,
            levels_by_partner=dict(zip(partner_columns, self_levels, strict=True)),
        ),
    )


def _report_registers(
    *, relationship: Relationship, today: datetime.date
) -> _Registers:
    """The joint objectives (late milestones marked), open risks (highest score
    first, counted per heat map cell) and open actions."""
    objectives = list(
        Objective.objects.filter(
            visible_records(None, Objective), relationship=relationship
        )
        .select_related("owner__organisation")
        .order_by(F("milestone_date").asc(nulls_last=True), "title", "pk")
    )
    for objective in objectives:
        objective.milestone_overdue = (
            objective.milestone_date is not None
            and objective.milestone_date < today
            and objective.status not in CLOSED_OBJECTIVE_STATUSES
        )
    risks = list(
        Risk.objects.filter(
            visible_records(None, Risk),
            relationship=relationship,
            status__in=OPEN_RISK_STATUSES,
        )
        .select_related("owner_partnership__organisation", "owner")
        .order_by("-likelihood", "-impact", "title", "pk")
    )
    risks.sort(key=lambda risk: -risk.score)
    risk_counts: dict[tuple[int, int], int] = defaultdict(int)
    for risk in risks:
        risk_counts[(risk.likelihood, risk.impact)] += 1
    open_actions = list(
        Action.objects.filter(
            visible_records(None, Action),
            relationship=relationship,
            status__in=OPEN_ACTION_STATUSES,
        )
        .select_related("owner", "risk")
        .order_by(F("due_date").asc(nulls_last=True), "title", "pk")
    )
    return _Registers(
        objectives=objectives,
        open_risks=risks,
        risk_counts=dict(risk_counts),
        open_actions=open_actions,
    )


def _report_changes(
    *, report: Report, period: ReportPeriod, now: datetime.datetime
) -> _Changes:
    """The previous report made before `now`, and the plan versions created or
    approved since it (since the period's start when there is none)."""
    relationship = report.relationship
    previous_report = (
        Report.objects.filter(
            relationship=relationship,
            status=ReportStatus.DONE,
            generated_at__lt=now,
        )
        .exclude(pk=report.pk)
        .order_by("-generated_at")
        .first()
    )
    changes_since = (
        previous_report.generated_at
        if previous_report
        else timezone.make_aware(
            datetime.datetime.combine(period.start, datetime.time.min)
        )
    )
    plan_changes = list(
        PlanVersion.objects.filter(plan__relationship=relationship)
        .filter(
            Q(created_at__gte=changes_since, created_at__lte=now)
            | Q(approved_at__gte=changes_since, approved_at__lte=now)
        )
        .select_related("created_by")
        .order_by("number")
    )
    return _Changes(
        previous_report=previous_report,
        changes_since=changes_since,
        plan_changes=plan_changes,
    )


def _private_records_left_out(relationship: Relationship) -> int:
    """How many partner-private records the report leaves out: it says so."""
    return sum(
        model.objects.filter(relationship=relationship)
        .exclude(visible_records(None, model))
        .count()
        for model in PRIVATE_MODELS
    )


def _partner_line(partnership: Partnership) -> PartnerLine:
    return PartnerLine(
        name=partnership.organisation.name,
        kind=partnership.organisation.get_kind_display(),
        role=partnership.get_role_display(),
        manager=(
            partnership.relationship_manager.get_full_name()
            if partnership.relationship_manager_id
            else ""
        ),
        senior_executive=(
            partnership.senior_executive.get_full_name()
            if partnership.senior_executive_id
            else ""
        ),
    )


def _report_fingerprint(
    *,
    relationship: Relationship,
    partnerships: list[Partnership],
    plan_version: PlanVersion | None,
    ratings: _Ratings,
    registers: _Registers,
    changes: _Changes,
    private_left_out: int,
) -> str:
    """SHA-256 of the data the report was made from: the same data, the same
    fingerprint, so a report can be shown to be up to date (or not)."""
    data = {
        "relationship": [
            relationship.pk,
            relationship.title,
            relationship.description,
            relationship.status,
            relationship.stage_id,
        ],
        "partners": [
            [p.pk, p.organisation.name, p.role, p.relationship_manager_id]
            for p in partnerships
        ],
        "plan_version": (
            [
                plan_version.pk,
                plan_version.number,
                plan_version.status,
                str(plan_version.approved_at),
                plan_version.submission_round,
            ]
            if plan_version
            else None
        ),
        "assessments": [
            [
                assessment.pk,
                assessment.status,
                [
                    [r.principle_id, r.level, r.evidence, r.comment]
                    for r in assessment.ratings.all()
                ],
            ]
            for assessment in [*ratings.assessments, ratings.previous_joint]
            if assessment is not None
        ],
        "objectives": [
            [o.pk, o.title, o.status, str(o.kpi_actual), str(o.updated_at)]
            for o in registers.objectives
        ],
        "risks": [
            [r.pk, r.score, r.status, str(r.updated_at)] for r in registers.open_risks
        ],
        "actions": [
            [a.pk, a.status, str(a.due_date), str(a.updated_at)]
            for a in registers.open_actions
        ],
        "plan_changes": [[v.pk, v.status] for v in changes.plan_changes],
        "private_left_out": private_left_out,
    }
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str).encode()
    ).hexdigest()
