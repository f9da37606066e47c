"""Reads for the lifecycle pages: stage track, artefact checklist, documents.

Every function takes a relationship the caller already obtained through
relationship_get_for_user / relationship_get_for_editing, so tenancy stays decided
in relationships.access alone.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from principles.choices import Phase, PrincipleKey
from principles.models import LifecycleStage, Principle, StageArtefact
from relationships.access import AnyUser, visible_records
from relationships.choices import EvidenceStatus
from relationships.evidence_dates import document_dates
from relationships.models import (
    Action,
    ArtefactEvidence,
    DocumentRevision,
    JointManagementTeamMember,
    Objective,
    Partnership,
    Relationship,
    RelationshipDocument,
    Risk,
    StageTransition,
)
from relationships.selectors.plans import approved_plan_versions

MISSING = "missing"


@dataclass
class ChecklistItem:
    """One expected artefact of a stage and how this relationship meets it."""

    artefact: StageArtefact
    evidence: ArtefactEvidence | None
    plan_section_name: str = ""
    plan_section_url: str = ""
    objective_url: str = ""
    risk_url: str = ""
    # What the app already holds that could evidence a missing item.
    in_app: "InAppHint | None" = None
    # The linked register entries and document the viewer may see; a link to a
    # partner's private record the viewer may not see is only counted.
    objective: Objective | None = None
    risk: Risk | None = None
    document: RelationshipDocument | None = None
    # The revision of the document the evidence names (shown with the document).
    document_revision: DocumentRevision | None = None
    private_links: int = 0

    @property
    def status(self) -> str:
        return self.evidence.status if self.evidence else MISSING

    @property
    def is_missing(self) -> bool:
        return self.evidence is None


@dataclass
class StageRow:
    """A lifecycle stage with its checklist, as seen from one relationship."""

    stage: LifecycleStage
    items: list[ChecklistItem]
    is_current: bool
    is_reached: bool

    @property
    def evidenced_count(self) -> int:
        return sum(item.status == EvidenceStatus.EVIDENCED for item in self.items)

    @property
    def skipped_count(self) -> int:
        return sum(item.status == EvidenceStatus.SKIPPED for item in self.items)

    @property
    def missing_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.is_missing]

    @property
    def missing_count(self) -> int:
        return len(self.missing_items)


@dataclass
class PhaseGroup:
    phase: str
    label: str
    stages: list[StageRow] = field(default_factory=list)


@dataclass
class LifecycleOverview:
    """Everything the lifecycle page shows about one relationship."""

    relationship: Relationship
    stages: list[StageRow]

    @property
    def current(self) -> StageRow:
        return next(row for row in self.stages if row.is_current)

    @property
    def phases(self) -> list[PhaseGroup]:
        groups = {value: PhaseGroup(value, label) for value, label in Phase.choices}
        for row in self.stages:
            groups[row.stage.phase].stages.append(row)
        return [group for group in groups.values() if group.stages]

    def missing_up_to(self, stage_number: int) -> list[StageRow]:
        """Stages up to stage_number that still have missing items."""
        return [
            row
            for row in self.stages
            if row.stage.number <= stage_number and row.missing_count
        ]

    @property
    def missing_so_far(self) -> list[StageRow]:
        return self.missing_up_to(self.relationship.stage.number)

    @property
    def missing_so_far_count(self) -> int:
        return sum(row.missing_count for row in self.missing_so_far)

    def move_warnings(self) -> list[tuple[LifecycleStage, list[StageRow]]]:
        """For every possible target stage, the stages up to it with gaps."""
        return [
            (row.stage, self.missing_up_to(row.stage.number))
            for row in self.stages
            if not row.is_current
        ]


def plan_section_url(*, relationship: Relationship, principle_key: str) -> str:
    return reverse(
        "relationships:plan_section_detail",
        kwargs={"reference": relationship.reference, "principle_key": principle_key},
    )


def register_entry_url(*, relationship: Relationship, kind: str, pk: int) -> str:
    """The page of an objective or risk (kind "objective" or "risk")."""
    return reverse(
        f"relationships:{kind}_detail",
        kwargs={"reference": relationship.reference, "pk": pk},
    )


def plan_section_names(*, relationship: Relationship) -> dict[str, str]:
    """Principle key -> the name the relationship's principle set gives it."""
    names = dict(PrincipleKey.choices)
    names.update(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).values_list("key", "name")
    )
    return names


def plan_section_choices(*, relationship: Relationship) -> list[tuple[str, str]]:
    names = plan_section_names(relationship=relationship)
    return [
        (key, f"{number}. {names[key]}")
        for number, key in enumerate(PrincipleKey.values, start=1)
    ]


@dataclass(frozen=True)
class InAppHint:
    text: str
    url: str


# Catalogue artefacts that data kept in the app can evidence, by the kind of data.
ARTEFACTS_EVIDENCED_BY = {
    "plan": ("joint_rmp",),
    "objectives": ("joint_objectives", "proposed_joint_objectives"),
    "risks": (
        "joint_risk_register",
        "initial_risk_assessment",
        "risk_evaluation",
        "partner_readiness_risk",
    ),
    "actions": ("corrective_actions", "improvement_log"),
    "team": ("joint_management_team",),
    "senior_executives": ("ser_appointed",),
}


# Kinds of data shown as a count: singular and plural wording, and the page.
COUNTED_HINTS = (
    ("objectives", "objective", "objectives", "relationship_objectives"),
    ("risks", "risk in the register", "risks in the register", "relationship_risks"),
    ("actions", "action", "actions", "relationship_actions"),
    (
        "team",
        "joint management team member",
        "joint management team members",
        "detail",
    ),
)


def _count_of(model: type, *conditions: Q, **filters: object) -> Coalesce:
    return Coalesce(
        Subquery(
            model.objects.filter(*conditions, relationship=OuterRef("pk"), **filters)
            .order_by()
            .values("relationship")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        0,
    )


def in_app_hints(*, user: AnyUser, relationship: Relationship) -> dict[str, InAppHint]:
    """Artefact key -> what the app holds that could evidence it: a missing item
    then says where to look, instead of looking as if nothing existed. One query
    whatever the registers hold; register entries counted are those the user
    may see."""
    counts = (
        Relationship.objects.filter(pk=relationship.pk)
        .annotate(
            objectives_count=_count_of(Objective, visible_records(user, Objective)),
            risks_count=_count_of(Risk, visible_records(user, Risk)),
            actions_count=_count_of(Action, visible_records(user, Action)),
            team_count=_count_of(JointManagementTeamMember),
            partners_count=_count_of(Partnership),
            executives_count=_count_of(Partnership, senior_executive__isnull=False),
            approved_version=Subquery(
                approved_plan_versions(relationship=OuterRef("pk")).values("number")[:1]
            ),
        )
        .values(
            "objectives_count",
            "risks_count",
            "actions_count",
            "team_count",
            "partners_count",
            "executives_count",
            "approved_version",
        )
        .get()
    )
    reference = relationship.reference

    def url(name: str) -> str:
        return reverse(f"relationships:{name}", kwargs={"reference": reference})

    found: dict[str, InAppHint] = {}
    if counts["approved_version"]:
        found["plan"] = InAppHint(
            f"plan version {counts['approved_version']}, approved", url("plan_overview")
        )
    for kind, one, many, page in COUNTED_HINTS:
        if number := counts[f"{kind}_count"]:
            found[kind] = InAppHint(
                f"{number} {one if number == 1 else many}", url(page)
            )
    if counts["partners_count"] and (
        counts["executives_count"] == counts["partners_count"]
    ):
        found["senior_executives"] = InAppHint(
            "a senior executive named for every partner", url("detail")
        )
    return {
        artefact_key: found[kind]
        for kind, artefact_keys in ARTEFACTS_EVIDENCED_BY.items()
        if kind in found
        for artefact_key in artefact_keys
    }


def _visible_link_ids(
    user: AnyUser, evidences: list[ArtefactEvidence]
) -> dict[str, set[int]]:
    """Of the records the evidence links to, the ids the user may see, by link
    name. Joint ones are seen by all; only private ones cost a query (per kind)."""
    visible = {}
    for name, model in (
        ("objective", Objective),
        ("risk", Risk),
        ("document", RelationshipDocument),
    ):
        records = [getattr(evidence, name) for evidence in evidences]
        records = [record for record in records if record is not None]
        private = {record.pk for record in records if record.is_private}
        visible[name] = {record.pk for record in records if not record.is_private}
        if private:
            visible[name] |= set(
                model.objects.filter(
                    visible_records(user, model), pk__in=private
                ).values_list("pk", flat=True)
            )
    return visible


def _checklist_item(
    relationship: Relationship,
    artefact: StageArtefact,
    evidence: ArtefactEvidence,
    names: dict[str, str],
    visible_links: dict[str, set[int]],
) -> ChecklistItem:
    item = ChecklistItem(artefact=artefact, evidence=evidence)
    if evidence.plan_section_key:
        item.plan_section_name = names.get(evidence.plan_section_key, "")
        item.plan_section_url = plan_section_url(
            relationship=relationship, principle_key=evidence.plan_section_key
        )
    for name in ("objective", "risk", "document"):
        record_id = getattr(evidence, f"{name}_id")
        if record_id is None:
            continue
        if record_id not in visible_links[name]:
            item.private_links += 1
            continue
        setattr(item, name, getattr(evidence, name))
        if name == "document":
            item.document_revision = evidence.document_revision
        else:
            setattr(
                item,
                f"{name}_url",
                register_entry_url(relationship=relationship, kind=name, pk=record_id),
            )
    return item


def lifecycle_overview(
    *, user: AnyUser, relationship: Relationship
) -> LifecycleOverview:
    """The 8 stages with their catalogue artefacts and this relationship's
    evidence, as the user may see it (links to another partner's private records
    are counted, not named)."""
    stages = LifecycleStage.objects.order_by("number").prefetch_related(
        Prefetch("artefacts", queryset=StageArtefact.objects.order_by("order", "pk"))
    )
    evidence_by_artefact = {
        evidence.artefact_id: evidence
        for evidence in ArtefactEvidence.objects.filter(
            relationship=relationship
        ).select_related(
            "objective", "risk", "document", "document_revision", "recorded_by"
        )
    }
    visible_links = _visible_link_ids(user, list(evidence_by_artefact.values()))
    names = plan_section_names(relationship=relationship)
    hints = in_app_hints(user=user, relationship=relationship)
    current_number = relationship.stage.number
    rows = []
    for stage in stages:
        items = []
        for artefact in stage.artefacts.all():
            evidence = evidence_by_artefact.get(artefact.pk)
            items.append(
                _checklist_item(relationship, artefact, evidence, names, visible_links)
                if evidence
                else ChecklistItem(
                    artefact=artefact, evidence=None, in_app=hints.get(artefact.key)
                )
            )
        rows.append(
            StageRow(
                stage=stage,
                items=items,
                is_current=stage.number == current_number,
                is_reached=stage.number <= current_number,
            )
        )
    return LifecycleOverview(relationship=relationship, stages=rows)


def stage_transitions_for_relationship(
    *, relationship: Relationship
) -> QuerySet[StageTransition]:
    return (
        StageTransition.objects.filter(relationship=relationship)
        .select_related("from_stage", "to_stage", "moved_by")
        .order_by("-moved_at", "-pk")
    )


def lifecycle_stages() -> QuerySet[LifecycleStage]:
    return LifecycleStage.objects.order_by("number")


def stage_artefact_get(*, pk: int) -> StageArtefact:
    """A catalogue artefact (shared reference data, not tenant data), else 404."""
    try:
        return StageArtefact.objects.select_related("stage").get(pk=pk)
    except StageArtefact.DoesNotExist as error:
        raise Http404("No such lifecycle artefact.") from error


def artefact_evidence_get(
    *, relationship: Relationship, artefact: StageArtefact
) -> ArtefactEvidence | None:
    return (
        ArtefactEvidence.objects.filter(relationship=relationship, artefact=artefact)
        .select_related(
            "objective", "risk", "document", "document_revision", "recorded_by"
        )
        .first()
    )


def objective_choices_for_relationship(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Objective]:
    return Objective.objects.filter(
        visible_records(user, Objective), relationship=relationship
    ).order_by("title")


def risk_choices_for_relationship(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[Risk]:
    return Risk.objects.filter(
        visible_records(user, Risk), relationship=relationship
    ).order_by("title")


def _documents_visible_to(
    user: AnyUser, relationship: Relationship
) -> QuerySet[RelationshipDocument]:
    return RelationshipDocument.objects.filter(
        visible_records(user, RelationshipDocument), relationship=relationship
    )


def documents_for_relationship(
    *, user: AnyUser, relationship: Relationship, today: datetime.date | None = None
) -> list[RelationshipDocument]:
    """The relationship's documents that the user may see, newest first, each
    with `evidence_for` (the artefacts it evidences), `filename`, `size_bytes`
    (None when missing), `current_revision_number` and `dates` (where it stands
    against its review and expiry dates `today`)."""
    documents = list(
        _documents_visible_to(user, relationship)
        .annotate(current_revision_number=Max("revisions__number"))
        .select_related("uploaded_by", "owner_partnership__organisation")
        .prefetch_related("shared_with__organisation")
        .order_by("-uploaded_at", "-pk")
    )
    artefacts_by_document: dict[int, list[StageArtefact]] = {}
    for evidence in (
        ArtefactEvidence.objects.filter(
            relationship=relationship, document__isnull=False
        )
        .select_related("artefact__stage")
        .order_by("artefact__stage__number", "artefact__order")
    ):
        artefacts_by_document.setdefault(evidence.document_id, []).append(
            evidence.artefact
        )
    for document in documents:
        document.relationship = relationship
        document.evidence_for = artefacts_by_document.get(document.pk, [])
        document.filename = PurePath(document.file.name).name
        document.size_bytes = _stored_size(document)
        document.dates = document_dates(document, today=today or timezone.localdate())
    return documents


def _stored_size(document: RelationshipDocument) -> int | None:
    try:
        return document.file.size
    except OSError:  # the file went missing from storage; list the row anyway
        return None


def document_choices_for_relationship(
    *, user: AnyUser, relationship: Relationship
) -> QuerySet[RelationshipDocument]:
    return _documents_visible_to(user, relationship).order_by("title", "pk")


def document_get_for_user(
    *, user: AnyUser, relationship: Relationship, pk: int
) -> RelationshipDocument:
    """A document of this relationship that the user may see; any other pk
    (another partner's private document too) is a 404."""
    try:
        return _documents_visible_to(user, relationship).get(pk=pk)
    except RelationshipDocument.DoesNotExist as error:
        raise Http404("No such document.") from error
