"""Reads of findings and corrective actions.

Pages fetch one scope (a relationship through `relationship_get_for_user`, an
organisation through `organisation_get_for_records`) and then read its rows
here; the functions taking a scope trust the caller to have authorised it. The
summaries at the end are what a management review or an audit pack gathers.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assurance.models import CorrectiveAction, CorrectiveActionNotice, Finding
from assurance.models.findings import (
    CorrectiveActionStatus,
    FindingKind,
    FindingStatus,
    VerificationResult,
)
from relationships.access import (
    AnyUser,
    finding_check_editable,
    organisation_get_for_record_editing,
    organisation_get_for_records,
    organisations_with_records_readable_by,
    relationship_get_for_editing,
    relationship_get_for_user,
    visible_records,
)
from relationships.models import Organisation, Relationship, RelationshipDocument


@dataclass(frozen=True)
class FindingScope:
    """Where findings are raised: one relationship, or one organisation's own
    management system. Pages of both share their templates through it."""

    relationship: Relationship | None = None
    organisation: Organisation | None = None

    @property
    def prefix(self) -> str:
        return "relationship" if self.relationship is not None else "organisation"

    @property
    def url_kwargs(self) -> dict[str, str]:
        if self.relationship is not None:
            return {"reference": self.relationship.reference}
        return {"slug": self.organisation.slug}

    @property
    def label(self) -> str:
        if self.relationship is not None:
            return self.relationship.title
        return f"{self.organisation.name}: own management system"

    def filter(self) -> Q:
        if self.relationship is not None:
            return Q(relationship=self.relationship)
        return Q(organisation=self.organisation)


def finding_scope_for_user(
    *, user: AnyUser, reference: str | None = None, slug: str | None = None
) -> FindingScope:
    """The scope named by a URL, if the user may read it (else Http404)."""
    if reference is not None:
        return FindingScope(
            relationship=relationship_get_for_user(user=user, reference=reference)
        )
    return FindingScope(organisation=organisation_get_for_records(user=user, slug=slug))


def finding_scope_for_editing(
    *, user: AnyUser, reference: str | None = None, slug: str | None = None
) -> FindingScope:
    """The scope named by a URL, if the user may write in it (404, else 403)."""
    if reference is not None:
        return FindingScope(
            relationship=relationship_get_for_editing(user=user, reference=reference)
        )
    return FindingScope(
        organisation=organisation_get_for_record_editing(user=user, slug=slug)
    )


def _open_actions() -> Q:
    return Q(corrective_actions__status=CorrectiveActionStatus.OPEN)


def findings_with_action_counts(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings with the counts a register shows: actions, actions still open,
    overdue, and verified effective."""
    today = timezone.localdate()
    # Explicit: a grouped query ignores the model's default ordering.
    findings = findings.order_by(*Finding._meta.ordering)
    return findings.select_related(
        "stage", "raised_by", "internal_audit", "relationship", "organisation"
    ).annotate(
        actions_total=Count("corrective_actions", distinct=True),
        actions_open=Count("corrective_actions", filter=_open_actions(), distinct=True),
        actions_overdue=Count(
            "corrective_actions",
            filter=_open_actions() & Q(corrective_actions__due_date__lt=today),
            distinct=True,
        ),
        actions_effective=Count(
            "corrective_actions",
            filter=Q(corrective_actions__status=CorrectiveActionStatus.VERIFIED),
            distinct=True,
        ),
    )


def scope_findings(*, scope: FindingScope) -> QuerySet[Finding]:
    """A scope's findings register, open ones first, then newest first, with
    its action counts."""
    return findings_with_action_counts(Finding.objects.filter(scope.filter())).order_by(
        "-status", "-raised_on", "-id"
    )


def finding_get_in_scope(*, scope: FindingScope, pk: int) -> Finding:
    """One finding of an authorised scope, with its actions, or Http404."""
    finding = (
        Finding.objects.filter(scope.filter(), pk=pk)
        .select_related(
            "stage",
            "raised_by",
            "closed_by",
            "internal_audit",
            "evidence_revision__document",
            "relationship",
            "organisation",
        )
        .prefetch_related(
            Prefetch(
                "corrective_actions",
                queryset=CorrectiveAction.objects.select_related(
                    "owner", "verified_by"
                ).order_by("due_date", "id"),
            )
        )
        .first()
    )
    if finding is None:
        raise Http404("No such finding.")
    return finding


def finding_get_for_user(
    *,
    user: AnyUser,
    pk: int,
    reference: str | None = None,
    slug: str | None = None,
) -> tuple[FindingScope, Finding]:
    scope = finding_scope_for_user(user=user, reference=reference, slug=slug)
    return scope, finding_get_in_scope(scope=scope, pk=pk)


def finding_get_for_editing(
    *,
    user: AnyUser,
    pk: int,
    reference: str | None = None,
    slug: str | None = None,
) -> tuple[FindingScope, Finding]:
    """A finding the user may change: 404 if unseen, 403 if read-only."""
    scope, finding = finding_get_for_user(
        user=user, pk=pk, reference=reference, slug=slug
    )
    finding_check_editable(user=user, finding=finding)
    return scope, finding


def corrective_action_get_for_editing(
    *,
    user: AnyUser,
    pk: int,
    action_pk: int,
    reference: str | None = None,
    slug: str | None = None,
) -> tuple[FindingScope, Finding, CorrectiveAction]:
    scope, finding = finding_get_for_editing(
        user=user, pk=pk, reference=reference, slug=slug
    )
    corrective_action = next(
        (
            action
            for action in finding.corrective_actions.all()
            if action.pk == action_pk
        ),
        None,
    )
    if corrective_action is None:
        raise Http404("No such corrective action.")
    return scope, finding, corrective_action


def finding_evidence_document_visible(*, user: AnyUser, finding: Finding) -> bool:
    """Whether the viewer may see the finding's evidence document: it may be a
    partner's private document, named only to its audience."""
    if finding.evidence_revision_id is None:
        return False
    return (
        RelationshipDocument.objects.filter(revisions__pk=finding.evidence_revision_id)
        .filter(visible_records(user, RelationshipDocument))
        .exists()
    )


def finding_audit_visible(*, user: AnyUser, finding: Finding) -> bool:
    """Whether the viewer may open the internal audit that raised the finding:
    an audit is its organisation's own record, which a partner does not read."""
    if finding.internal_audit_id is None:
        return False
    return (
        organisations_with_records_readable_by(user)
        .filter(pk=finding.internal_audit.organisation_id)
        .exists()
    )


def finding_close_blocker(*, finding: Finding) -> str:
    """Why the finding may not close yet ("" when it may): every corrective
    action must be verified effective, and a nonconformity needs at least one.
    Observations, opportunities and good practice may close without any."""
    if finding.status == FindingStatus.CLOSED:
        return "This finding is already closed."
    statuses = list(finding.corrective_actions.values_list("status", flat=True))
    unverified = sum(status != CorrectiveActionStatus.VERIFIED for status in statuses)
    if unverified:
        return (
            f"Not closed: {unverified} of its corrective actions "
            f"{'is' if unverified == 1 else 'are'} not yet verified effective. "
            "A finding closes only when every action has been completed and "
            "checked to have worked."
        )
    if finding.is_nonconformity and not statuses:
        return (
            "Not closed: a nonconformity needs at least one corrective action, "
            "completed and verified effective, before it closes."
        )
    return ""


# --- summaries for management reviews and audit packs ---------------------------


@dataclass
class FindingsSummary:
    """Counts of a set of findings and of their corrective actions."""

    open_by_kind: dict[str, int] = field(default_factory=dict)
    closed_by_kind: dict[str, int] = field(default_factory=dict)
    actions_open: int = 0
    actions_overdue: int = 0
    actions_awaiting_verification: int = 0
    actions_verified_effective: int = 0
    actions_found_not_effective: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.open_by_kind.values())

    @property
    def closed_total(self) -> int:
        return sum(self.closed_by_kind.values())


def findings_for_relationship(
    *,
    relationship: Relationship,
    status: str | None = None,
    raised_from: datetime.date | None = None,
    raised_until: datetime.date | None = None,
) -> QuerySet[Finding]:
    """A relationship's findings (optionally open or closed, raised in a
    period), with their action counts, for a review or an audit pack."""
    return _findings_between(
        findings_with_action_counts(Finding.objects.filter(relationship=relationship)),
        status=status,
        raised_from=raised_from,
        raised_until=raised_until,
    )


def findings_for_organisation(
    *,
    organisation: Organisation,
    status: str | None = None,
    raised_from: datetime.date | None = None,
    raised_until: datetime.date | None = None,
) -> QuerySet[Finding]:
    """An organisation's own management-system findings (not those of its
    relationships), as `findings_for_relationship`."""
    return _findings_between(
        findings_with_action_counts(Finding.objects.filter(organisation=organisation)),
        status=status,
        raised_from=raised_from,
        raised_until=raised_until,
    )


def _findings_between(
    findings: QuerySet[Finding],
    *,
    status: str | None,
    raised_from: datetime.date | None,
    raised_until: datetime.date | None,
) -> QuerySet[Finding]:
    if status is not None:
        findings = findings.filter(status=status)
    if raised_from is not None:
        findings = findings.filter(raised_on__gte=raised_from)
    if raised_until is not None:
        findings = findings.filter(raised_on__lte=raised_until)
    return findings


def corrective_actions_of(findings: QuerySet[Finding]) -> QuerySet[CorrectiveAction]:
    """The corrective actions of some findings, with owner and verifier."""
    return (
        CorrectiveAction.objects.filter(finding__in=findings.values("pk"))
        .select_related("finding", "owner", "verified_by")
        .order_by("due_date", "id")
    )


def findings_summary(findings: QuerySet[Finding]) -> FindingsSummary:
    """Open and closed findings by kind, and where their actions stand: two
    queries whatever the number of findings."""
    summary = FindingsSummary(
        open_by_kind=dict.fromkeys(FindingKind.values, 0),
        closed_by_kind=dict.fromkeys(FindingKind.values, 0),
    )
    for kind, status, count in (
        findings.order_by()
        .values_list("kind", "status")
        .annotate(count=Count("pk", distinct=True))
    ):
        target = (
            summary.open_by_kind
            if status == FindingStatus.OPEN
            else summary.closed_by_kind
        )
        target[kind] = count
    today = timezone.localdate()
    open_status = Q(status=CorrectiveActionStatus.OPEN)
    counts = (
        CorrectiveAction.objects.filter(finding__in=findings.values("pk"))
        .order_by()
        .aggregate(
            open=Count("pk", filter=open_status),
            overdue=Count("pk", filter=open_status & Q(due_date__lt=today)),
            awaiting=Count("pk", filter=Q(status=CorrectiveActionStatus.COMPLETED)),
            effective=Count("pk", filter=Q(status=CorrectiveActionStatus.VERIFIED)),
            not_effective=Count(
                "pk", filter=Q(verification_result=VerificationResult.NOT_EFFECTIVE)
            ),
        )
    )
    summary.actions_open = counts["open"]
    summary.actions_overdue = counts["overdue"]
    summary.actions_awaiting_verification = counts["awaiting"]
    summary.actions_verified_effective = counts["effective"]
    summary.actions_found_not_effective = counts["not_effective"]
    return summary


def corrective_actions_overdue(*, today: datetime.date) -> QuerySet[CorrectiveAction]:
    """Every open corrective action past its due date whose owner has not yet
    been e-mailed about that due date (the daily run's work list)."""
    already_sent = CorrectiveActionNotice.objects.filter(
        corrective_action=OuterRef("pk"), due_date=OuterRef("due_date")
    )
    return (
        CorrectiveAction.objects.filter(
            ~Exists(already_sent),
            status=CorrectiveActionStatus.OPEN,
            due_date__lt=today,
        )
        .select_related("owner", "finding__relationship", "finding__organisation")
        .order_by("due_date", "id")
    )
