"""Reads for the plan editor: sections, guidance, sign-off state, diffs between
versions (the change history is in selectors/history.py).

Every function takes a relationship the caller already obtained through
`relationship_get_for_user` or `relationship_get_for_editing`, so tenancy is
decided there and nowhere else.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from django.db.models import OuterRef, QuerySet
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from principles.choices import PrincipleKey, PrincipleSetKey
from principles.models import Principle
from relationships.access import (
    AnyUser,
    partnerships_taking_part,
    plan_partnerships_represented_by,
    signers_by_partnership,
)
from relationships.choices import PlanDecisionKind, PlanVersionStatus
from relationships.concurrency import FieldValues, StaleField, stale_fields
from relationships.fingerprints import content_sha256
from relationships.models import (
    Partnership,
    Plan,
    PlanDecision,
    PlanSection,
    PlanVersion,
    Relationship,
)
from relationships.plan_schema import (
    Completeness,
    PlanField,
    section_completeness,
    section_fields,
)

OPEN_VERSION_STATUSES = (PlanVersionStatus.DRAFT, PlanVersionStatus.SUBMITTED)


# --- Plan and versions ------------------------------------------------------------


def plan_get_for_relationship(*, relationship: Relationship) -> Plan | None:
    return Plan.objects.filter(relationship=relationship).first()


def plan_get_or_404(*, relationship: Relationship) -> Plan:
    plan = plan_get_for_relationship(relationship=relationship)
    if plan is None:
        raise Http404("This relationship has no plan yet.")
    return plan


def plan_version_open(*, plan: Plan) -> PlanVersion | None:
    """The version being drafted or awaiting sign-off; there is at most one."""
    return (
        plan.versions.filter(status__in=OPEN_VERSION_STATUSES)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def plan_version_current(*, plan: Plan) -> PlanVersion | None:
    """The open version if there is one, else the latest approved, else the latest."""
    versions = plan.versions.select_related("created_by")
    return (
        plan_version_open(plan=plan)
        or versions.filter(status=PlanVersionStatus.APPROVED)
        .order_by("-number")
        .first()
        or versions.order_by("-number").first()
    )


def plan_version_get(*, plan: Plan, number: int | str | None) -> PlanVersion:
    """A version by number (404 if unknown); without a number, the current one."""
    if number in (None, ""):
        version = plan_version_current(plan=plan)
        if version is None:
            raise Http404("This plan has no versions yet.")
        return version
    try:
        return plan.versions.select_related("created_by").get(number=int(number))
    except (PlanVersion.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("No such plan version.") from error


def plan_versions_for_plan(*, plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("created_by").order_by("-number")


def plan_version_latest_approved(*, plan: Plan) -> PlanVersion | None:
    return (
        plan.versions.filter(status=PlanVersionStatus.APPROVED)
        .order_by("-number")
        .first()
    )


def approved_plan_versions(
    *, relationship: Relationship | OuterRef
) -> QuerySet[PlanVersion]:
    """The relationship's approved plan versions, latest first. `relationship` may
    be an OuterRef, for a subquery over many relationships."""
    return PlanVersion.objects.filter(
        plan__relationship=relationship, status=PlanVersionStatus.APPROVED
    ).order_by("-number")


def relationship_latest_approved_plan_version(
    *, relationship: Relationship
) -> PlanVersion | None:
    return approved_plan_versions(relationship=relationship).first()


def plan_version_in_force_at(
    *, relationship: Relationship, moment: datetime.datetime
) -> PlanVersion | None:
    """The version in force at a moment: the last one approved before it, even if
    a later approval has since superseded it."""
    return (
        PlanVersion.objects.filter(
            plan__relationship=relationship,
            status__in=(PlanVersionStatus.APPROVED, PlanVersionStatus.SUPERSEDED),
            approved_at__lt=moment,
        )
        .select_related("plan")
        .order_by("-approved_at", "-number")
        .first()
    )


def relationship_latest_plan_version(
    *, relationship: Relationship
) -> PlanVersion | None:
    """The newest version, whatever its status (the editor's current version,
    `plan_version_current`, prefers the open one, then the approved one)."""
    return (
        PlanVersion.objects.filter(plan__relationship=relationship)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


def plan_last_depth_change(*, plan: Plan) -> Any | None:
    """The history record of the latest switch of depth, to say who and when."""
    return (
        plan.history.filter(history_change_reason__startswith="Depth set")
        .select_related("history_user")
        .first()
    )


# --- Sections ---------------------------------------------------------------------


@dataclass(frozen=True)
class SectionRow:
    """One section of a plan version, with what the page needs to show it."""

    principle: Principle
    section: PlanSection | None
    fields: tuple[PlanField, ...]
    completeness: Completeness
    depth: str

    @property
    def key(self) -> str:
        return self.principle.key

    @property
    def content(self) -> Mapping[str, Any]:
        return self.section.content if self.section else {}

    @property
    def values(self) -> list[tuple[PlanField, str, str]]:
        """(field, label at the plan's depth, displayed value), in schema order."""
        return [
            (
                plan_field,
                plan_field.label_at(self.depth),
                plan_field.display(self.content.get(plan_field.key)),
            )
            for plan_field in self.fields
        ]


def plan_principles(*, relationship: Relationship) -> list[Principle]:
    """The 12 principles of the relationship's set, in order: one section each."""
    return list(
        Principle.objects.filter(
            principle_set__key=relationship.principle_set_key
        ).order_by("number")
    )


def plan_section_rows(
    *, plan_version: PlanVersion, relationship: Relationship, depth: str
) -> list[SectionRow]:
    sections = {
        section.principle_key: section
        for section in plan_version.sections.select_related("updated_by")
    }
    rows = []
    for principle in plan_principles(relationship=relationship):
        fields = section_fields(
            principle_key=principle.key, relationship_kind=relationship.kind
        )
        section = sections.get(principle.key)
        rows.append(
            SectionRow(
                principle=principle,
                section=section,
                fields=fields,
                completeness=section_completeness(
                    fields=fields,
                    content=section.content if section else {},
                    depth=depth,
                ),
                depth=depth,
            )
        )
    return rows


def plan_section_row(
    *,
    plan_version: PlanVersion,
    relationship: Relationship,
    depth: str,
    principle_key: str,
) -> SectionRow:
    if principle_key not in PrincipleKey.values:
        raise Http404("No such plan section.")
    try:
        principle = Principle.objects.get(
            principle_set__key=relationship.principle_set_key, key=principle_key
        )
        section = plan_version.sections.select_related("updated_by").get(
            principle_key=principle_key
        )
    except (Principle.DoesNotExist, PlanSection.DoesNotExist) as error:
        raise Http404("No such plan section.") from error
    fields = section_fields(
        principle_key=principle_key, relationship_kind=relationship.kind
    )
    return SectionRow(
        principle=principle,
        section=section,
        fields=fields,
        completeness=section_completeness(
            fields=fields, content=section.content, depth=depth
        ),
        depth=depth,
    )


def plan_version_missing_fields(
    *, plan_version: PlanVersion, relationship: Relationship, depth: str
) -> list[tuple[Principle, tuple[PlanField, ...]]]:
    """Sections that lack required fields at the given depth, with those fields."""
    return [
        (row.principle, row.completeness.missing)
        for row in plan_section_rows(
            plan_version=plan_version, relationship=relationship, depth=depth
        )
        if row.completeness.missing
    ]


def plan_section_content_at_revision(
    *, section: PlanSection, revision: int
) -> dict[str, Any] | None:
    """The section's content as it was saved at a revision, from its history."""
    record = (
        PlanSection.history.filter(id=section.pk, revision=revision)
        .order_by("-history_id")
        .first()
    )
    return None if record is None else record.content


def plan_total_completeness(*, rows: list[SectionRow]) -> Completeness:
    """Completeness of a whole version: its sections' required fields together."""
    missing = tuple(field for row in rows for field in row.completeness.missing)
    required = sum(row.completeness.required for row in rows)
    return Completeness(
        filled=required - len(missing), required=required, missing=missing
    )


def plan_section_stale_fields(
    *,
    section: PlanSection,
    fields: tuple[PlanField, ...],
    depth: str,
    yours: Mapping[str, Any],
    opened_revision: int,
) -> list[StaleField]:
    """The fields to show after a refused save: the value when the user opened
    the section, the other person's saved value, and the user's own."""
    base = plan_section_content_at_revision(section=section, revision=opened_revision)
    before_content = base or {}
    return stale_fields(
        (
            FieldValues(
                label=plan_field.label_at(depth),
                theirs=section.content.get(plan_field.key, ""),
                yours=yours.get(plan_field.key, ""),
                before=before_content.get(plan_field.key, ""),
                theirs_shown=plan_field.display(
                    section.content.get(plan_field.key, "")
                ),
                yours_shown=plan_field.display(yours.get(plan_field.key, "")),
                before_shown=plan_field.display(before_content.get(plan_field.key, "")),
            )
            for plan_field in fields
        ),
        has_before=base is not None,
    )


# --- Guidance ---------------------------------------------------------------------


def plan_guidance_set_key_for_user(*, user: AnyUser, relationship: Relationship) -> str:
    """Which principle set's guidance this user reads for this relationship.

    In a large organisation's relationship with MSMEs, people from the MSMEs read
    the guidance written for MSMEs; everyone else reads the relationship's set.
    """
    set_key = relationship.principle_set_key
    if set_key != PrincipleSetKey.LARGE_MSME:
        return set_key
    own_partner_kinds = set(
        relationship.partnerships.filter(
            organisation__memberships__user=user
        ).values_list("organisation__kind", flat=True)
    )
    if own_partner_kinds and all(kind == "msme" for kind in own_partner_kinds):
        return PrincipleSetKey.MSME
    return set_key


def plan_guidance_for_user(
    *, user: AnyUser, relationship: Relationship, principle_key: str
) -> Principle:
    set_key = plan_guidance_set_key_for_user(user=user, relationship=relationship)
    return Principle.objects.select_related("principle_set").get(
        principle_set__key=set_key, key=principle_key
    )


# --- Fingerprint of a plan version -------------------------------------------------


def plan_content_fingerprint(
    *, number: int, depth: str, sections: Iterable[tuple[str, Any]]
) -> str:
    """The SHA-256 of what a partner signs: the version's number, the depth the
    plan asks for, and each section's principle key and content. The one
    definition, used when a decision is recorded and whenever it is checked."""
    snapshot = {
        "version": number,
        "depth": depth,
        "sections": [
            {"principle": principle_key, "content": content}
            for principle_key, content in sorted(sections, key=lambda item: item[0])
        ],
    }
    return content_sha256(snapshot)


def plan_version_depth(plan_version: PlanVersion) -> str:
    """The depth a version is read at: the plan's, until the version is frozen
    with the depth it was approved at."""
    if plan_version.is_frozen and plan_version.approved_depth:
        return plan_version.approved_depth
    return plan_version.plan.depth


def plan_version_fingerprint(*, plan_version: PlanVersion) -> str:
    """The version's content fingerprint now (prefetched sections are used)."""
    return plan_content_fingerprint(
        number=plan_version.number,
        depth=plan_version_depth(plan_version),
        sections=(
            (section.principle_key, section.content)
            for section in plan_version.sections.all()
        ),
    )


# --- Sign-off ---------------------------------------------------------------------


def plan_representatives(*, relationship: Relationship) -> dict[int, list[Any]]:
    """For each partner (by partnership id), the people who may sign for it, its
    relationship manager first (`signers_by_partnership`)."""
    partnerships = list(relationship.partnerships.all())
    signers = signers_by_partnership(partnerships)
    return {
        partnership.pk: sorted(
            signers[partnership.pk],
            key=lambda person: person.pk != partnership.relationship_manager_id,
        )
        for partnership in partnerships
    }


@dataclass(frozen=True)
class Signature:
    """A partner's decision with whether it still holds: a sign-off counts only
    while the version's content has the fingerprint it was given on."""

    decision: PlanDecision
    valid: bool

    @property
    def partner(self) -> Any:
        return self.decision.partnership.organisation

    @property
    def signer(self) -> str:
        return person_name(self.decision.decided_by)

    @property
    def approved(self) -> bool:
        return self.decision.decision == PlanDecisionKind.APPROVE

    @property
    def stale(self) -> bool:
        """A sign-off given on content that has changed since."""
        return self.approved and not self.valid


@dataclass(frozen=True)
class SignOffRow:
    partnership: Partnership
    signature: Signature | None
    representatives: tuple[str, ...]

    @property
    def decision(self) -> PlanDecision | None:
        return self.signature.decision if self.signature else None

    @property
    def signed(self) -> bool:
        return (
            self.signature is not None
            and self.signature.approved
            and (self.signature.valid)
        )


def _round_signatures(
    *, decisions: Iterable[PlanDecision], fingerprint: str
) -> dict[int, Signature]:
    """Each partner's decision that counts in a round: the one on the current
    content if there is one, else its latest (shown as no longer valid)."""
    signatures: dict[int, Signature] = {}
    for decision in sorted(decisions, key=lambda decision: decision.decided_at):
        current = signatures.get(decision.partnership_id)
        if current is not None and current.valid:
            continue
        signatures[decision.partnership_id] = Signature(
            decision=decision, valid=decision.content_sha256 == fingerprint
        )
    return signatures


def plan_signoff_rows(
    *, plan_version: PlanVersion, relationship: Relationship
) -> list[SignOffRow]:
    """Each partner's decision in the version's latest submission round, with the
    people who may sign for it now."""
    signatures = _round_signatures(
        decisions=plan_version.decisions.filter(
            submission_round=plan_version.submission_round
        ).select_related("decided_by", "partnership__organisation"),
        fingerprint=plan_version_fingerprint(plan_version=plan_version),
    )
    representatives = plan_representatives(relationship=relationship)
    return [
        SignOffRow(
            partnership=partnership,
            signature=signatures.get(partnership.pk),
            representatives=tuple(
                person_name(person) for person in representatives[partnership.pk]
            ),
        )
        for partnership in partnerships_taking_part(relationship).select_related(
            "organisation"
        )
    ]


def plan_version_signatures(
    *, versions: Iterable[PlanVersion]
) -> dict[int, list[Signature]]:
    """For each version (by id), the decisions of its latest round, partner by
    partner, each checked against the version's content now. Two queries
    whatever the number of versions."""
    versions = list(versions)
    decisions: dict[int, list[PlanDecision]] = defaultdict(list)
    for decision in PlanDecision.objects.filter(
        plan_version__in=versions
    ).select_related("decided_by", "partnership__organisation"):
        decisions[decision.plan_version_id].append(decision)
    signed = [version for version in versions if decisions[version.pk]]
    sections: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    for principle_key, content, version_id in PlanSection.objects.filter(
        plan_version__in=signed
    ).values_list("principle_key", "content", "plan_version_id"):
        sections[version_id].append((principle_key, content))
    result: dict[int, list[Signature]] = {}
    for version in versions:
        fingerprint = plan_content_fingerprint(
            number=version.number,
            depth=plan_version_depth(version),
            sections=sections[version.pk],
        )
        signatures = _round_signatures(
            decisions=(
                decision
                for decision in decisions[version.pk]
                if decision.submission_round == version.submission_round
            ),
            fingerprint=fingerprint,
        )
        result[version.pk] = sorted(
            signatures.values(), key=lambda signature: signature.decision.decided_at
        )
    return result


def plan_partnerships_to_decide(
    *, user: AnyUser, relationship: Relationship, plan_version: PlanVersion | None
) -> QuerySet[Partnership]:
    """Partners this user may still decide for: the version awaits sign-off and
    the partner has no decision on its current content in this round."""
    partnerships = plan_partnerships_represented_by(
        user=user, relationship=relationship
    )
    if plan_version is None or plan_version.status != PlanVersionStatus.SUBMITTED:
        return partnerships.none()
    return partnerships.exclude(
        pk__in=plan_version.decisions.filter(
            submission_round=plan_version.submission_round,
            content_sha256=plan_version_fingerprint(plan_version=plan_version),
        ).values("partnership_id")
    )


def plan_decisions_for_version(*, plan_version: PlanVersion) -> QuerySet[PlanDecision]:
    return plan_version.decisions.select_related(
        "partnership__organisation", "decided_by"
    ).order_by("-submission_round", "-decided_at")


def person_name(user: Any) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


# --- Diff between versions --------------------------------------------------------

_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """Both texts as HTML, with removed words marked in the old and added ones in
    the new."""
    old_tokens, new_tokens = _TOKENS.findall(old), _TOKENS.findall(new)
    opcodes = SequenceMatcher(
        None, old_tokens, new_tokens, autojunk=False
    ).get_opcodes()
    old_html: list[str] = []
    new_html: list[str] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            old_html.append(f'<del class="diff-del">{escape("".join(removed))}</del>')
        if added:
            new_html.append(f'<ins class="diff-ins">{escape("".join(added))}</ins>')
        removed.clear()
        added.clear()

    for index, (tag, old_start, old_end, new_start, new_end) in enumerate(opcodes):
        old_part = old_tokens[old_start:old_end]
        new_part = new_tokens[new_start:new_end]
        # A lone space between two changes belongs to the change: "Not started"
        # replaced by "At risk" reads as one replacement, not two.
        between_changes = (
            0 < index < len(opcodes) - 1
            and not "".join(old_part).strip()
            and opcodes[index - 1][0] != "equal"
            and opcodes[index + 1][0] != "equal"
        )
        if tag == "equal" and not between_changes:
            flush()
            old_html.append(escape("".join(old_part)))
            new_html.append(escape("".join(new_part)))
        else:
            removed.extend(old_part)
            added.extend(new_part)
    flush()
    return mark_safe("".join(old_html)), mark_safe("".join(new_html))


@dataclass(frozen=True)
class FieldDiff:
    label: str
    old_html: SafeString
    new_html: SafeString
    changed: bool


@dataclass(frozen=True)
class SectionDiff:
    principle: Principle
    fields: list[FieldDiff]

    @property
    def changed_count(self) -> int:
        return sum(field.changed for field in self.fields)


def plan_versions_diff(
    *,
    relationship: Relationship,
    from_version: PlanVersion,
    to_version: PlanVersion,
) -> list[SectionDiff]:
    """Section by section and field by field, what changed between two versions."""
    contents = defaultdict(dict)
    for section in PlanSection.objects.filter(
        plan_version__in=(from_version, to_version)
    ):
        contents[section.plan_version_id][section.principle_key] = section.content
    diffs = []
    for principle in plan_principles(relationship=relationship):
        old_content = contents[from_version.pk].get(principle.key, {})
        new_content = contents[to_version.pk].get(principle.key, {})
        fields = section_fields(
            principle_key=principle.key, relationship_kind=relationship.kind
        )
        field_diffs = []
        for plan_field in fields:
            old = plan_field.display(old_content.get(plan_field.key))
            new = plan_field.display(new_content.get(plan_field.key))
            old_html, new_html = word_diff(old, new)
            field_diffs.append(
                FieldDiff(plan_field.label, old_html, new_html, old != new)
            )
        diffs.append(SectionDiff(principle=principle, fields=field_diffs))
    return diffs
