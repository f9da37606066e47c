import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.choices import (
    REPORT_DISTRIBUTION_MARKINGS,
    AssessmentKind,
    AssessmentStatus,
    Cadence,
    ConfirmationClearedBecause,
    ConfirmationDecision,
    NoticeKind,
    RatingChange,
    ReportDistribution,
    ReportStatus,
)
from principles.models import Principle, rag_for_level
from relationships.choices import RelationshipKind
from relationships.concurrency import Revisioned
from relationships.models import (
    Action,
    Objective,
    Partnership,
    PlanVersion,
    Relationship,
    RelationshipDocument,
    Risk,
)
from relationships.models.privacy import PartnerPrivateRecord, private_needs_owner


class Assessment(Revisioned, PartnerPrivateRecord):
    """One period's rating of a relationship against its 12 principles."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="assessments"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_assessments",
        help_text="The partner rating itself; empty for a joint assessment.",
    )
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last saved its ratings: told when it is sent back.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier assessment this one started from.",
    )
    history = HistoricalRecords()

    owner_partnership_field = "partnership"

    class Meta:
        ordering = ["relationship", "-period_start", "kind"]
        constraints = [
            private_needs_owner("partnership", "assessment_private_has_owner"),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="assessment_period_end_after_start",
                violation_error_message="The period cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(kind=AssessmentKind.SELF, partnership__isnull=False)
                | Q(kind=AssessmentKind.JOINT, partnership__isnull=True),
                name="assessment_partner_only_for_self",
                violation_error_message=(
                    "A self-assessment names its partner; a joint one names none."
                ),
            ),
            models.UniqueConstraint(
                fields=["relationship", "period_start", "partnership"],
                condition=Q(kind=AssessmentKind.SELF),
                name="assessment_one_self_per_partner_and_period",
            ),
            models.UniqueConstraint(
                fields=["relationship", "period_start"],
                condition=Q(kind=AssessmentKind.JOINT),
                name="assessment_one_joint_per_period",
            ),
        ]

    def __str__(self) -> str:
        who = self.partnership.organisation if self.partnership_id else "joint"
        return f"{self.relationship} {self.period_label} ({who})"

    @property
    def period_label(self) -> str:
        return assessment_period_label(self.period_start, self.period_end)


def assessment_period_label(start: datetime.date, end: datetime.date) -> str:
    """'2026-Q1' for calendar quarters, else the date range."""
    if (
        start.day == 1
        and start.month in (1, 4, 7, 10)
        and (end.year == start.year and end.month == start.month + 2)
    ):
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"


# Kept by name so that a service can write one history record of a rating with its
# final links, instead of one per link set (see assessments.services.assessments).
PRINCIPLE_RATING_HISTORY = HistoricalRecords(
    m2m_fields=["objectives", "risks", "documents", "document_revisions"]
)


class PrincipleRating(models.Model):
    """An assessment's maturity level for one principle, with its evidence."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="ratings"
    )
    principle = models.ForeignKey(
        Principle, on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField(help_text="Maturity level, 1 to 5.")
    evidence = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    prompt_answers = models.JSONField(
        default=list,
        blank=True,
        help_text="Answers to the principle's prompts, in order.",
    )
    change = models.CharField(
        max_length=10,
        choices=RatingChange.choices,
        blank=True,
        help_text="Compared with the assessment this one was copied from.",
    )
    plan_section_keys = models.JSONField(
        default=list, blank=True, help_text="Plan sections cited as evidence."
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="+")
    risks = models.ManyToManyField(Risk, blank=True, related_name="+")
    documents = models.ManyToManyField(
        RelationshipDocument, blank=True, related_name="+"
    )
    document_revisions = models.ManyToManyField(
        "relationships.DocumentRevision",
        blank=True,
        related_name="+",
        help_text=(
            "For each linked document, the revision current when it was linked."
        ),
    )
    improvement_action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The action raised for a low rating.",
    )
    history = PRINCIPLE_RATING_HISTORY

    class Meta:
        ordering = ["assessment", "principle__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "principle"],
                name="principle_rating_unique_per_assessment",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="principle_rating_level_1_to_5",
                violation_error_message="A maturity level is between 1 and 5.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.level}"

    @property
    def rag(self) -> str:
        return rag_for_level(self.level)


class AssessmentConfirmation(models.Model):
    """A partner representative's confirmation, or sending back, of a joint
    assessment, with the fingerprint of the ratings they were shown."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="confirmations"
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="assessment_confirmations"
    )
    decision = models.CharField(max_length=10, choices=ConfirmationDecision.choices)
    reason = models.TextField(blank=True)
    content_sha256 = models.CharField(
        "SHA-256 of the ratings",
        max_length=64,
        validators=[RegexValidator(r"^[0-9a-f]{64}$", "Not a SHA-256 digest.")],
        help_text="Fingerprint of the ratings as they were when this was decided.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cleared_because = models.CharField(
        max_length=10, choices=ConfirmationClearedBecause.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "partnership"],
                condition=Q(
                    decision=ConfirmationDecision.CONFIRM, cleared_at__isnull=True
                ),
                name="assessment_confirmation_one_open_per_partner",
                violation_error_message=(
                    "This partner has already confirmed the assessment."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(decision=ConfirmationDecision.SEND_BACK) | ~Q(reason=""),
                name="assessment_confirmation_send_back_has_reason",
                violation_error_message="Sending an assessment back needs a reason.",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True, cleared_because="")
                | Q(cleared_at__isnull=False) & ~Q(cleared_because=""),
                name="assessment_confirmation_cleared_says_why",
                violation_error_message="A cleared confirmation says why.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.partnership.organisation}"


class Report(models.Model):
    """A generated PDF assessment report; once done it is never changed.

    A report can be re-issued: the new issue supersedes the old one, which stays
    as it was (file, SHA-256) and is linked from the new one."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    plan_version = models.ForeignKey(
        PlanVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text="The plan version in force at the period's end.",
    )
    issue = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first issue of the period's report."
    )
    number = models.CharField(
        "report number",
        max_length=160,
        blank=True,
        help_text="Reference, period and issue, fixed when the report is made.",
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text="The earlier issue this one replaces.",
    )
    reissue_reason = models.TextField(
        "reason for re-issue", blank=True, help_text="Why the report was re-issued."
    )
    distribution = models.CharField(
        max_length=20,
        choices=ReportDistribution.choices,
        default=ReportDistribution.PARTNERS_AND_AUDITORS,
        help_text="Who the report is meant for: marked on every page.",
    )
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_schedule = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Why a report failed, in words for its readers; what went wrong (exception
    # and traceback) is for operators only: the log and the admin site.
    error = models.TextField(blank=True)
    error_detail = models.TextField(
        blank=True, help_text="For operators: the error behind a failure."
    )
    data_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        help_text="Digest of the data the report reflects (ratings, registers, plan).",
    )
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["relationship", "-period_start", "-issue", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="report_period_end_after_start",
            ),
            # One row per relationship, period and issue: a retried or
            # redelivered task finds the row instead of making a second report,
            # and two people re-issuing at once make one new issue.
            models.UniqueConstraint(
                fields=["relationship", "period_start", "period_end", "issue"],
                name="report_unique_issue_per_period",
            ),
            models.CheckConstraint(
                condition=Q(issue__gte=1), name="report_issue_positive"
            ),
            models.CheckConstraint(
                condition=Q(supersedes__isnull=True) | ~Q(reissue_reason=""),
                name="report_reissue_has_reason",
                violation_error_message="A re-issue needs a reason.",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE)
                | (Q(generated_at__isnull=False) & ~Q(sha256="") & ~Q(file="")),
                name="report_done_has_file_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Report {self.relationship} {self.period_start:%Y-%m-%d}"

    @property
    def distribution_marking(self) -> str:
        return REPORT_DISTRIBUTION_MARKINGS[self.distribution].format(
            relationship=self.relationship.title
        )


class AssessmentSchedule(Revisioned):
    """How often a relationship is assessed; the beat task opens due periods from it."""

    relationship = models.OneToOneField(
        Relationship, on_delete=models.CASCADE, related_name="assessment_schedule"
    )
    cadence = models.CharField(
        max_length=12, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    active = models.BooleanField(default=True)
    grace_days = models.PositiveSmallIntegerField(
        default=30, help_text="Days after a period ends before it counts as overdue."
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.relationship}: {self.get_cadence_display()}"


class ReportSubscription(models.Model):
    """A user (often an auditor) who receives a link to each new report."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="report_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "user"], name="report_subscription_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} subscribes to {self.relationship}"


class Notice(models.Model):
    """An e-mail sent once: an assessment due or overdue, a report ready, or a
    document's review or expiry coming up.

    The daily schedule runs every day; this record is what stops it from sending
    the same reminder again.
    """

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    report = models.ForeignKey(
        Report,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    document = models.ForeignKey(
        RelationshipDocument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The document a review or expiry reminder is about.",
    )
    recipients = models.TextField(
        blank=True, help_text="E-mail addresses it went to, one a line."
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["relationship", "-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["relationship", "kind", "period_start", "period_end"],
                condition=Q(report__isnull=True, document__isnull=True),
                name="notice_once_per_period_and_kind",
            ),
            # A document's reminder is sent once per date: a new review date
            # (the document was reviewed) is reminded of again.
            models.UniqueConstraint(
                fields=["document", "kind", "period_start"],
                condition=Q(document__isnull=False),
                name="notice_once_per_document_date_and_kind",
            ),
            models.UniqueConstraint(
                fields=["report", "kind"],
                condition=Q(report__isnull=False),
                name="notice_once_per_report_and_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=NoticeKind.REPORT_READY) | Q(report__isnull=False),
                name="notice_report_ready_names_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.relationship} {self.period_start}"


class RelationshipSummary(models.Model):
    """What one partner's people see of a relationship on the portfolio dashboard:
    its latest joint levels, score and trend, where it stands against its
    assessment schedule, and the counts of its overdue items that they may see.

    Derived data, one row per partnership (the audience, since private records
    differ between partners), rebuilt by `relationship_summaries_refresh` whenever
    a row of the relationship changes and each night for the day's overdue
    counts (`as_of`). The portfolio pages and sorts it in the database."""

    partnership = models.OneToOneField(
        "relationships.Partnership",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="summary",
    )
    relationship = models.ForeignKey(
        "relationships.Relationship", on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        "relationships.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    # Copied from the relationship, so that a page of one organisation's rows is
    # read, filtered and sorted from one index.
    title = models.CharField(max_length=200)
    reference = models.SlugField(max_length=60)
    kind = models.CharField(max_length=30, choices=RelationshipKind.choices)
    stage_number = models.PositiveSmallIntegerField()
    stage_name = models.CharField(max_length=160)
    # The latest shared joint assessment: levels by principle number ("1".."12").
    latest_joint_start = models.DateField(null=True)
    levels = models.JSONField(default=dict)
    score = models.SmallIntegerField(null=True)
    score_band = models.PositiveSmallIntegerField(default=0)
    trend = models.SmallIntegerField(null=True)
    assessment_state = models.CharField(max_length=10)
    expected_end = models.DateField(null=True)
    # Principle numbers where this partner's visible self-assessments of the
    # latest period differ by PERCEPTION_GAP_LEVELS or more.
    gap_principles = models.JSONField(default=list)
    overdue_actions = models.PositiveIntegerField(default=0)
    risks_past_review = models.PositiveIntegerField(default=0)
    objectives_off_track = models.PositiveIntegerField(default=0)
    # How many of the relationship's objectives, risks and actions this partner
    # may see: summed in the totals, they count the unfiltered register lists.
    objectives = models.PositiveIntegerField(default=0)
    risks = models.PositiveIntegerField(default=0)
    actions = models.PositiveIntegerField(default=0)
    # The earliest date among those items (an off-track objective's milestone;
    # None when none has one): the portfolio's attention lists read the few
    # relationships whose items come first, not every item it could see.
    first_overdue_action = models.DateField(null=True)
    first_risk_past_review = models.DateField(null=True)
    first_off_track_milestone = models.DateField(null=True)
    has_overdue_items = models.BooleanField(default=False)
    # The first few of those overdue actions, risks past review and objectives
    # off track, as the portfolio's attention lists name them: {"actions" |
    # "risks" | "objectives": [[id, title, date or None], ...]}, each in the
    # lists' order (by date, none last, then id). The lists of a member's
    # portfolio read them here, not from the registers.
    attention_entries = models.JSONField(default=dict)
    # The relationship's plan version out for sign-off, while this partner has
    # not decided on it in its current round: when it was submitted, its number.
    plan_awaiting_since = models.DateTimeField(null=True)
    plan_awaiting_version = models.PositiveIntegerField(null=True)
    as_of = models.DateField(help_text="The day the overdue counts are for.")

    class Meta:
        verbose_name_plural = "relationship summaries"
        indexes = [
            models.Index(fields=["organisation", "title", "relationship"]),
            models.Index(fields=["organisation", "score"]),
            models.Index(fields=["organisation", "trend"]),
            models.Index(fields=["organisation", "stage_number"]),
            models.Index(
                fields=["organisation", "as_of"], name="assessments_organis_asof_idx"
            ),
            # The attention lists' ranking (attention.py, _leading_relationships):
            # the first few relationships by their earliest entry, from an index.
            *(
                models.Index(
                    fields=["organisation", earliest, "relationship"],
                    condition=models.Q(**{f"{count}__gt": 0}),
                    name=f"assessments_sum_{name}_idx",
                )
                for name, count, earliest in (
                    ("actions", "overdue_actions", "first_overdue_action"),
                    ("risks", "risks_past_review", "first_risk_past_review"),
                    ("objectives", "objectives_off_track", "first_off_track_milestone"),
                )
            ),
            models.Index(
                fields=["organisation", "plan_awaiting_since", "relationship"],
                condition=models.Q(plan_awaiting_since__isnull=False),
                name="assessments_sum_plans_idx",
            ),
            # The joint assessments overdue, then due (AssessmentState: "overdue"
            # sorts after "due"), by the end of the period they are about: the
            # attention list's first few, from one walk of a small index.
            models.Index(
                fields=["organisation", "-assessment_state", "expected_end", "title"],
                condition=models.Q(assessment_state__in=["due", "overdue"]),
                name="assessments_sum_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} as {self.organisation_id} sees it"

    @property
    def principle_levels(self) -> list[int | None]:
        """The latest joint level of principles 1 to 12, None where not rated."""
        return [self.levels.get(str(number)) for number in range(1, 13)]

    @property
    def trend_points(self) -> int | None:
        """The size of the trend, whichever way it goes."""
        return None if self.trend is None else abs(self.trend)


class PortfolioTotals(models.Model):
    """The sums of one organisation's relationship summaries that its people's
    portfolio shows beside the grid when unfiltered: how many relationships, the
    attention counters, and the relationships by stage, kind and summary day;
    and the number of rows of their unfiltered register lists.

    Derived data, one row per organisation: `relationship_summaries_refresh`
    adds the difference between the summaries it writes and those they replace,
    in the same transaction, and `portfolio_totals_recount` counts them afresh
    (the nightly job, a partner's removal, `manage.py recount_portfolio_totals`).
    So the unfiltered portfolio reads one row, however many relationships the
    organisation has."""

    organisation = models.OneToOneField(
        "relationships.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    # Signed: a difference added to totals that were put out (by writes around
    # the services) must not fail the save it follows; the recount puts it right.
    relationships = models.IntegerField(default=0)
    assessments_due = models.IntegerField(default=0)
    assessments_overdue = models.IntegerField(default=0)
    with_gaps = models.IntegerField(default=0)
    overdue_actions = models.IntegerField(default=0)
    risks_past_review = models.IntegerField(default=0)
    objectives_off_track = models.IntegerField(default=0)
    plans_awaiting = models.IntegerField(default=0)
    # Register entries the organisation sees, in all: the unfiltered objectives,
    # risks and actions lists of its people count from here.
    objectives = models.IntegerField(default=0)
    risks = models.IntegerField(default=0)
    actions = models.IntegerField(default=0)
    # Relationships by stage number, by kind and by the day their summary is for
    # (as text: JSON keys), only those with some.
    by_stage = models.JSONField(default=dict)
    by_kind = models.JSONField(default=dict)
    by_as_of = models.JSONField(default=dict)

    class Meta:
        verbose_name_plural = "portfolio totals"

    def __str__(self) -> str:
        return f"Portfolio totals of organisation {self.organisation_id}"

    def is_for(self, day: datetime.date) -> bool:
        """True when every summary counted is for `day` (none is stale)."""
        return all(key == day.isoformat() for key in self.by_as_of)
