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
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

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
from assessments.selectors.report_as_at import (
    ChecklistStage,
    lifecycle_checklist_as_at,
    moment_after,
    moment_of,
    objectives_as_at,
    open_actions_as_at,
    open_risks_as_at,
    plan_versions_changed_between,
    stage_as_at,
    stage_moves_between,
)
from assessments.selectors.report_sections import (
    AssessmentSteps,
    EvidenceEntry,
    PlanContentSection,
    PreviousAction,
    assessment_steps,
    evidence_index,
    plan_content,
    previous_improvement_actions,
)
from principles.models import LifecycleStage, Principle
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
    Action,
    Objective,
    Partnership,
    PlanVersion,
    Relationship,
    Risk,
    StageTransition,
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


def report_period_code(start: datetime.date, end: datetime.date) -> str:
    """The period in a report number: its label, or its dates without spaces."""
    label = period_label(start, end)
    return label if " " not in label else f"{start:%Y%m%d}-{end:%Y%m%d}"


def report_number(*, reference: str, period: ReportPeriod, issue: int) -> str:
    """'ubc-2026-01-2026-Q1-2': relationship, period, issue; fixed once made."""
    return f"{reference}-{report_period_code(period.start, period.end)}-{issue}"


# --- pages ------------------------------------------------------------------


def reports_for_relationship(*, relationship: Relationship) -> QuerySet[Report]:
    """The relationship's reports, newest period first, ready for a list page."""
    return (
        Report.objects.filter(relationship=relationship)
        .select_related("plan_version", "requested_by", "supersedes", "superseded_by")
        .order_by("-period_start", "-issue", "-created_at", "-pk")
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
    *, relationship: Relationship, period: ReportPeriod
) -> bool:
    """Whether the period has a report (of any issue)."""
    return Report.objects.filter(
        relationship=relationship, period_start=period.start, period_end=period.end
    ).exists()


def report_latest_issue(
    *, relationship: Relationship, period: ReportPeriod
) -> Report | None:
    """The period's newest issue: the report in force for it."""
    return (
        Report.objects.filter(
            relationship=relationship,
            period_start=period.start,
            period_end=period.end,
        )
        .order_by("-issue")
        .first()
    )


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
class ReportRegisters:
    """The joint objectives, open risks and open actions at the period's end,
    and how many joint records of each kind have no recorded state from then."""

    objectives: list[Objective]
    open_risks: list[Risk]
    risk_counts: dict[tuple[int, int], int]
    open_actions: list[Action]
    unknown: dict[str, int]

    @property
    def unknown_total(self) -> int:
        return sum(self.unknown.values())


@dataclass(frozen=True)
class ReportChanges:
    """What happened between the previous report's period end (or this period's
    start) and this period's end."""

    previous_report: Report | None
    changes_since: datetime.datetime
    changes_until: datetime.datetime
    plan_changes: list[PlanVersion]
    stage_moves: list[StageTransition]


@dataclass(frozen=True)
class ReportAudit:
    """The sections an auditor reads: method and participants, evidence index,
    the plan's content, the lifecycle checklist, last period's actions."""

    steps: list[AssessmentSteps]
    evidence: list[EvidenceEntry]
    plan_depth: str
    plan_sections: list[PlanContentSection]
    checklist: list[ChecklistStage]
    previous_actions: list[PreviousAction]
    previous_actions_unknown: int


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, read once, as at the period's end."""

    relationship: Relationship
    period: ReportPeriod
    as_at: datetime.datetime  # the first instant after the period's last day
    stage: LifecycleStage | None  # None: not known as at the period's end
    plan_version: PlanVersion | None
    sign_offs: list[SignOff]
    partners: list[PartnerLine]
    joint: Assessment | None
    joint_confirmations: list[ConfirmationLine]
    previous_period: ReportPeriod | None
    partner_columns: list[str]
    rows: list[ReportRatingRow]
    gaps: list[PerceptionGap]
    registers: ReportRegisters
    changes: ReportChanges
    audit: ReportAudit
    fingerprint: str
    # A report is read by every partner and by auditors: partner-private records
    # are left out of it, and it says how many.
    private_records_left_out: int = 0

    @property
    def objectives(self) -> list[Objective]:
        return self.registers.objectives

    @property
    def open_risks(self) -> list[Risk]:
        return self.registers.open_risks

    @property
    def risk_counts(self) -> dict[tuple[int, int], int]:
        return self.registers.risk_counts

    @property
    def open_actions(self) -> list[Action]:
        return self.registers.open_actions

    @property
    def plan_changes(self) -> list[PlanVersion]:
        return self.changes.plan_changes

    @property
    def previous_report(self) -> Report | None:
        return self.changes.previous_report

    @property
    def changes_since(self) -> datetime.datetime:
        return self.changes.changes_since

    @property
    def period_end_day(self) -> datetime.date:
        return self.period.end

    @property
    def overdue_actions(self) -> list[Action]:
        return [action for action in self.open_actions if action.overdue_then]

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


def plan_sign_offs(
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


def report_data(*, report: Report, now: datetime.datetime | None = None) -> ReportData:
    """Gather one report's content as at its period's end (a few dozen queries,
    whatever the data size). `now` is kept for callers; nothing is read as of
    today except the period's assessments, which are final."""
    relationship = report.relationship
    period = ReportPeriod(start=report.period_start, end=report.period_end)
    as_at = moment_after(period.end)
    partnerships = list(
        relationship.partnerships.select_related(
            "organisation", "relationship_manager", "senior_executive"
        )
    )
    plan_version = report.plan_version
    stage = stage_as_at(relationship=relationship, moment=as_at)
    ratings = _report_ratings(relationship=relationship, period=period)
    registers = _report_registers(relationship=relationship, moment=as_at)
    changes = _report_changes(report=report, period=period, until=as_at)
    audit = _report_audit(
        relationship=relationship,
        plan_version=plan_version,
        ratings=ratings,
        stage=stage,
        moment=as_at,
    )
    private_left_out = private_records_left_out(relationship)
    return ReportData(
        relationship=relationship,
        period=period,
        as_at=as_at,
        stage=stage,
        plan_version=plan_version,
        sign_offs=plan_sign_offs(plan_version, relationship),
        partners=[partner_line(partnership) for partnership in partnerships],
        joint=ratings.joint,
        joint_confirmations=(
            assessment_confirmation_lines(assessment=ratings.joint)
            if ratings.joint
            else []
        ),
        previous_period=_previous_period(ratings.previous_joint),
        partner_columns=ratings.partner_columns,
        rows=ratings.rows,
        gaps=ratings.gaps,
        registers=registers,
        changes=changes,
        audit=audit,
        fingerprint=_report_fingerprint(
            relationship=relationship,
            partnerships=partnerships,
            stage=stage,
            plan_version=plan_version,
            ratings=ratings,
            registers=registers,
            changes=changes,
            audit=audit,
            private_left_out=private_left_out,
        ),
        private_records_left_out=private_left_out,
    )


def _previous_period(previous_joint: Assessment | None) -> ReportPeriod | None:
    if previous_joint is None:
        return None
    return ReportPeriod(
        start=previous_joint.period_start, end=previous_joint.period_end
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
    *, relationship: Relationship, moment: datetime.datetime
) -> ReportRegisters:
    """The joint objectives (with their KPI values then), open risks (counted per
    heat map cell) and open actions, as they stood at `moment`."""
    objectives = objectives_as_at(relationship=relationship, moment=moment)
    risks = open_risks_as_at(relationship=relationship, moment=moment)
    actions = open_actions_as_at(relationship=relationship, moment=moment)
    risk_counts: dict[tuple[int, int], int] = defaultdict(int)
    for risk in risks.records:
        risk_counts[(risk.likelihood, risk.impact)] += 1
    return ReportRegisters(
        objectives=objectives.records,
        open_risks=risks.records,
        risk_counts=dict(risk_counts),
        open_actions=actions.records,
        unknown={
            "objectives": objectives.unknown,
            "risks": risks.unknown,
            "actions": actions.unknown,
        },
    )


def _report_changes(
    *, report: Report, period: ReportPeriod, until: datetime.datetime
) -> ReportChanges:
    """The newest finished report of an earlier period, and the plan versions
    and stage moves from its period's end (this period's start when there is
    none) to this period's end."""
    previous_report = (
        Report.objects.filter(
            relationship=report.relationship,
            status=ReportStatus.DONE,
            period_end__lt=period.end,
            period_start__lt=period.start,
        )
        .order_by("-period_end", "-issue")
        .first()
    )
    since = (
        moment_after(previous_report.period_end)
        if previous_report
        else moment_of(period.start)
    )
    return ReportChanges(
        previous_report=previous_report,
        changes_since=since,
        changes_until=until,
        plan_changes=plan_versions_changed_between(
            relationship=report.relationship, since=since, until=until
        ),
        stage_moves=stage_moves_between(
            relationship=report.relationship, since=since, until=until
        ),
    )


def _report_audit(
    *,
    relationship: Relationship,
    plan_version: PlanVersion | None,
    ratings: _Ratings,
    stage: LifecycleStage | None,
    moment: datetime.datetime,
) -> ReportAudit:
    plan_depth, plan_sections = plan_content(
        plan_version=plan_version, relationship=relationship
    )
    previous_actions, previous_unknown = previous_improvement_actions(
        relationship=relationship,
        previous_start=(
            ratings.previous_joint.period_start if ratings.previous_joint else None
        ),
        moment=moment,
    )
    return ReportAudit(
        steps=assessment_steps(assessments=ratings.assessments),
        evidence=evidence_index(relationship=relationship, joint=ratings.joint),
        plan_depth=plan_depth,
        plan_sections=plan_sections,
        checklist=lifecycle_checklist_as_at(
            relationship=relationship, moment=moment, stage_then=stage
        ),
        previous_actions=previous_actions,
        previous_actions_unknown=previous_unknown,
    )


def private_records_left_out(relationship: Relationship) -> int:
    """How many partner-private records the report leaves out: it says so."""
    return sum(
        model.objects.filter(relationship=relationship)
        .exclude(visible_records(None, model))
        .count()
        for model in PRIVATE_MODELS
    )


def partner_line(partnership: Partnership) -> PartnerLine:
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
    stage: LifecycleStage | None,
    plan_version: PlanVersion | None,
    ratings: _Ratings,
    registers: ReportRegisters,
    changes: ReportChanges,
    audit: ReportAudit,
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
            stage.pk if stage else None,
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
            [o.pk, o.title, o.status, str(o.kpi_actual), str(o.history_date)]
            for o in registers.objectives
        ],
        "risks": [
            [r.pk, r.score, r.status, str(r.history_date)] for r in registers.open_risks
        ],
        "actions": [
            [a.pk, a.status, str(a.due_date), str(a.history_date)]
            for a in registers.open_actions
        ],
        "unknown": registers.unknown,
        "plan_changes": [[v.pk, v.status_then] for v in changes.plan_changes],
        "stage_moves": [move.pk for move in changes.stage_moves],
        "checklist": [
            [line.artefact.pk, line.status, line.links]
            for stage_row in audit.checklist
            for line in stage_row.lines
        ],
        "previous_actions": [
            [row.action.pk, row.action.status, str(row.action.history_date)]
            for row in audit.previous_actions
            if row.action
        ],
        "private_left_out": private_left_out,
    }
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, default=str).encode()
    ).hexdigest()
