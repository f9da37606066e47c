"""The fields of the joint plan, section by section, one section per principle.

Each field is declared once, with two labels: the usual one, and a plain-language
one used at the essentials depth, which a plan gets when a partner is an MSME
(ISO/TR 44004 asks large organisations not to bury small partners in paperwork).
`essential` fields are required at both depths, `required` ones only at the full
depth; everything else is optional. `ubc_only` fields appear only in
university-business relationships (ISO/TS 44006).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from principles.choices import PrincipleKey
from relationships.choices import PlanDepth, RelationshipKind

TEXT_MAX_LENGTH = 200
TEXTAREA_MAX_LENGTH = 4000


class FieldKind(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    CHOICE = "choice"
    DATE = "date"
    INTEGER = "integer"


@dataclass(frozen=True)
class PlanField:
    """One field of a plan section."""

    key: str
    label: str
    plain_label: str
    kind: FieldKind
    help: str
    essential: bool = False
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    ubc_only: bool = False
    min_value: int | None = None
    max_value: int | None = None

    def __post_init__(self) -> None:
        if self.essential and not self.required:
            raise ValueError(f"{self.key}: an essential field is required too.")
        if self.kind == FieldKind.CHOICE and not self.choices:
            raise ValueError(f"{self.key}: a choice field needs choices.")
        if self.max_length is None and self.kind == FieldKind.TEXT:
            object.__setattr__(self, "max_length", TEXT_MAX_LENGTH)
        if self.max_length is None and self.kind == FieldKind.TEXTAREA:
            object.__setattr__(self, "max_length", TEXTAREA_MAX_LENGTH)

    def is_required_at(self, depth: str) -> bool:
        return self.essential if depth == PlanDepth.ESSENTIALS else self.required

    def label_at(self, depth: str) -> str:
        return self.plain_label if depth == PlanDepth.ESSENTIALS else self.label

    def display(self, value: Any) -> str:
        """A stored value as people read it (choice labels, not codes)."""
        if value in (None, ""):
            return ""
        if self.kind == FieldKind.CHOICE:
            return dict(self.choices).get(value, str(value))
        return str(value)


def _text(
    key: str, label: str, plain_label: str, help: str, **options: Any
) -> PlanField:
    return PlanField(key, label, plain_label, FieldKind.TEXT, help, **options)


def _textarea(
    key: str, label: str, plain_label: str, help: str, **options: Any
) -> PlanField:
    return PlanField(key, label, plain_label, FieldKind.TEXTAREA, help, **options)


def _choice(
    key: str, label: str, plain_label: str, help: str, **options: Any
) -> PlanField:
    return PlanField(key, label, plain_label, FieldKind.CHOICE, help, **options)


def _date(
    key: str, label: str, plain_label: str, help: str, **options: Any
) -> PlanField:
    return PlanField(key, label, plain_label, FieldKind.DATE, help, **options)


def _integer(
    key: str, label: str, plain_label: str, help: str, **options: Any
) -> PlanField:
    return PlanField(key, label, plain_label, FieldKind.INTEGER, help, **options)


CADENCE_CHOICES: tuple[tuple[str, str], ...] = (
    ("weekly", "Weekly"),
    ("fortnightly", "Every two weeks"),
    ("monthly", "Monthly"),
    ("quarterly", "Quarterly"),
    ("half_yearly", "Every six months"),
    ("yearly", "Yearly"),
)

ENGAGEMENT_MODEL_CHOICES: tuple[tuple[str, str], ...] = (
    ("project", "A single project"),
    ("programme", "A programme of projects"),
    ("supply", "Supply or service agreement"),
    ("alliance", "Long-term alliance"),
    ("research", "Research and innovation collaboration"),
    ("other", "Other"),
)

IP_OWNERSHIP_CHOICES: tuple[tuple[str, str], ...] = (
    ("lead", "The lead partner owns it"),
    ("partner", "The other partner(s) own it"),
    ("joint", "Owned jointly"),
    ("case_by_case", "Agreed case by case"),
)

ETHICS_STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("not_needed", "Not needed for this work"),
    ("planned", "Application being prepared"),
    ("submitted", "Submitted, awaiting decision"),
    ("approved", "Approved"),
    ("conditions", "Approved with conditions"),
)


def _summary(plain_label: str) -> PlanField:
    # Every section opens with a short summary: it is what a reader scans first,
    # and what the demo plans and older versions hold.
    return _textarea(
        "summary",
        "Summary",
        plain_label,
        "A few sentences a newcomer to the relationship would understand.",
        essential=True,
        required=True,
        max_length=1500,
    )


SECTION_FIELDS: dict[str, tuple[PlanField, ...]] = {
    PrincipleKey.RELATIONSHIP_MANAGEMENT: (
        _summary("In short: how do we run this relationship?"),
        _textarea(
            "scope",
            "Scope of the relationship",
            "What does the relationship cover, and what not?",
            "Products, services, sites or research themes included, and anything "
            "deliberately left out.",
            essential=True,
            required=True,
        ),
        _choice(
            "engagement_model",
            "Engagement model",
            "How do we work together?",
            "The overall shape of the collaboration.",
            required=True,
            choices=ENGAGEMENT_MODEL_CHOICES,
        ),
        _textarea(
            "stakeholders",
            "Key stakeholders",
            "Who else has a stake in this?",
            "People and groups inside and outside the partners who are affected by "
            "the relationship or can influence it.",
            required=True,
        ),
        _textarea(
            "funding_sources",
            "Funding sources",
            "Who pays for the work?",
            "Grants, company contributions, in-kind support and who applies for or "
            "manages each.",
            required=True,
            ubc_only=True,
        ),
        _date(
            "next_plan_review",
            "Next review of this plan",
            "When do we look at this plan again?",
            "The date of the next joint review of the whole plan.",
        ),
    ),
    PrincipleKey.VISIONS_VALUES: (
        _summary("In short: what is this relationship for?"),
        _textarea(
            "shared_vision",
            "Shared vision",
            "What do we want to achieve together?",
            "One or two sentences both partners would sign up to.",
            essential=True,
            required=True,
            max_length=1500,
        ),
        _textarea(
            "values",
            "Shared values",
            "What matters to both of us?",
            "The values both partners hold and want the relationship to show.",
            required=True,
        ),
        _textarea(
            "behaviour_charter",
            "Behaviour charter",
            "How have we agreed to behave?",
            "The behaviours the partners expect of each other, for example how "
            "quickly they answer and how they raise bad news.",
            required=True,
        ),
        _textarea(
            "known_differences",
            "Known differences",
            "Where do we differ?",
            "Differences in priorities, pace or appetite for risk, and how the "
            "partners will handle them.",
        ),
        _choice(
            "ethics_status",
            "Ethics approval status",
            "Do we have ethics approval?",
            "Where the work involves people, personal data or animals, the state of "
            "the university's ethics review.",
            required=True,
            choices=ETHICS_STATUS_CHOICES,
            ubc_only=True,
        ),
        _text(
            "ethics_reference",
            "Ethics approval reference",
            "Ethics approval number",
            "The reference the ethics committee gave the application, if any.",
            max_length=100,
            ubc_only=True,
        ),
    ),
    PrincipleKey.BUSINESS_OBJECTIVES: (
        _summary("In short: what do we want out of this?"),
        _textarea(
            "joint_objectives",
            "Joint objectives",
            "What do we want to achieve together?",
            "The objectives both partners share. Each one, with its measure and "
            "target date, goes in the objectives register.",
            essential=True,
            required=True,
        ),
        _textarea(
            "partner_objectives",
            "Each partner's own objectives",
            "What does each of us want for ourselves?",
            "What each partner wants from the relationship for itself, stated "
            "openly so that conflicts show early.",
            required=True,
        ),
        _textarea(
            "objectives_revision",
            "How objectives are revised",
            "How do we change our objectives?",
            "Who may propose a change, when, and how the partners agree it.",
            required=True,
        ),
    ),
    PrincipleKey.COLLABORATIVE_LEADERSHIP: (
        _summary("In short: who leads this relationship?"),
        _textarea(
            "senior_leaders",
            "Senior leaders per partner",
            "Who is in charge on each side?",
            "The named senior person of each partner who is accountable for the "
            "relationship.",
            essential=True,
            required=True,
        ),
        _textarea(
            "leaders_authority",
            "Authority of the leaders",
            "What can they decide?",
            "What each leader may commit their organisation to without going back "
            "for approval, such as spending limits.",
            required=True,
        ),
        _textarea(
            "leadership_commitment",
            "How leaders show commitment",
            "How do our leaders back the relationship?",
            "For example attending reviews, unblocking resources or sponsoring "
            "joint events.",
        ),
    ),
    PrincipleKey.GOVERNANCE_PROCESSES: (
        _summary("In short: how do we organise ourselves?"),
        _textarea(
            "joint_management_team",
            "Joint management team",
            "Who meets to run things?",
            "Members of the joint management team, their roles and what the team "
            "decides.",
            required=True,
        ),
        _choice(
            "meeting_cadence",
            "Meeting cadence",
            "How often do we meet?",
            "How often the joint management team meets.",
            essential=True,
            required=True,
            choices=CADENCE_CHOICES,
        ),
        _textarea(
            "decision_escalation",
            "Decision and escalation path",
            "Who decides, and who do we go to when we disagree?",
            "Which decisions are taken where, and the steps to take an issue higher "
            "when it cannot be settled.",
            essential=True,
            required=True,
        ),
        _text(
            "agreement_reference",
            "Contract or agreement reference",
            "Which contract covers this?",
            "The contract, framework or collaboration agreement this plan sits beside.",
        ),
    ),
    PrincipleKey.COMPETENCE_BEHAVIOUR: (
        _summary("In short: what skills and behaviours do we need?"),
        _textarea(
            "competences_needed",
            "Competences needed",
            "What skills does working together need?",
            "Collaborative and technical skills people in the relationship need. "
            "Judge small partners by practical experience rather than formal "
            "qualifications.",
            essential=True,
            required=True,
        ),
        _textarea(
            "development",
            "Development and training",
            "How do we build those skills?",
            "Training, coaching or shared learning, including resources a larger "
            "partner can open to a smaller one.",
            required=True,
        ),
        _textarea(
            "student_researcher_involvement",
            "Student and researcher involvement",
            "Which students and researchers take part?",
            "Placements, doctoral projects, visiting researchers and how they are "
            "supervised on both sides.",
            required=True,
            ubc_only=True,
        ),
    ),
    PrincipleKey.TRUST_MUTUAL_BENEFIT: (
        _summary("In short: why can we rely on each other?"),
        _textarea(
            "mutual_benefit",
            "Benefit to each partner",
            "What does each of us gain?",
            "What each partner gets out of the relationship, so that both can see "
            "it is fair.",
            essential=True,
            required=True,
        ),
        _textarea(
            "trust_measures",
            "How trust is built and checked",
            "How do we keep trusting each other?",
            "Commitments that build trust, such as prompt payment or open books, "
            "and how the partners notice when trust slips.",
            required=True,
        ),
        _textarea(
            "dispute_resolution",
            "Issue and dispute resolution",
            "What do we do when something goes wrong?",
            "The steps for settling disagreements before they become disputes.",
            required=True,
        ),
    ),
    PrincipleKey.VALUE_CREATION: (
        _summary("In short: what extra value do we create together?"),
        _textarea(
            "value_targets",
            "Value targets",
            "What extra value are we aiming for?",
            "The value beyond the contract the partners aim for, such as savings, "
            "new products or faster delivery, with rough numbers where possible.",
            essential=True,
            required=True,
        ),
        _textarea(
            "improvement_ideas",
            "Improvement ideas",
            "What ideas are we working on?",
            "Current ideas for improvement and how new ones are collected and judged.",
            required=True,
        ),
        _textarea(
            "value_sharing",
            "How gains are shared",
            "How do we share the gains?",
            "How savings or income from joint improvements are split.",
        ),
    ),
    PrincipleKey.KNOWLEDGE_SHARING: (
        _summary("In short: what do we share, and how?"),
        _textarea(
            "shared_information",
            "What is shared",
            "What information do we share?",
            "Information and knowledge the partners share, what they keep to "
            "themselves, and the channels they use.",
            essential=True,
            required=True,
        ),
        _textarea(
            "confidentiality",
            "Confidentiality",
            "What must stay confidential?",
            "Confidentiality rules, who may see what, and any agreement that "
            "covers it.",
            required=True,
        ),
        _choice(
            "ip_ownership",
            "Ownership of new intellectual property",
            "Who owns new ideas and designs?",
            "Who owns intellectual property created in the relationship.",
            essential=True,
            required=True,
            choices=IP_OWNERSHIP_CHOICES,
        ),
        _textarea(
            "ip_terms",
            "Intellectual property terms",
            "What are the rules for existing and new IP?",
            "Background IP each partner brings, rights to use results, and "
            "licensing or revenue terms.",
            required=True,
            ubc_only=True,
        ),
        _textarea(
            "publication_rights",
            "Publication rights",
            "What may the university publish, and when?",
            "How results are reviewed before publication, how long the business "
            "may delay it, and what stays unpublished.",
            essential=True,
            required=True,
            ubc_only=True,
        ),
    ),
    PrincipleKey.RISK_MANAGEMENT: (
        _summary("In short: how do we handle risk?"),
        _textarea(
            "approach",
            "Risk management approach",
            "How do we spot and deal with risks?",
            "How joint and individual risks are found, scored and owned. The risks "
            "themselves go in the risk register.",
            essential=True,
            required=True,
        ),
        _choice(
            "review_cadence",
            "Risk review cadence",
            "How often do we look at the risks?",
            "How often the partners review the risk register together.",
            required=True,
            choices=CADENCE_CHOICES,
        ),
        _date(
            "next_review",
            "Next joint risk review",
            "When is the next risk review?",
            "The date of the next joint review of the risk register.",
        ),
    ),
    PrincipleKey.MEASUREMENT_OPTIMIZATION: (
        _summary("In short: how do we know it is working?"),
        _textarea(
            "kpis",
            "Relationship KPIs",
            "What do we measure?",
            "The indicators for the health and results of the relationship, with "
            "targets where they exist.",
            essential=True,
            required=True,
        ),
        _choice(
            "review_cadence",
            "Review cadence",
            "How often do we review how it is going?",
            "How often the partners review the KPIs together.",
            essential=True,
            required=True,
            choices=CADENCE_CHOICES,
        ),
        _integer(
            "assessments_per_year",
            "Principle assessments per year",
            "How many check-ups a year?",
            "How many times a year the partners rate the relationship against the "
            "twelve principles (1 to 12).",
            required=True,
            min_value=1,
            max_value=12,
        ),
        _textarea(
            "improvement_process",
            "From results to improvements",
            "What do we do with the results?",
            "How assessment results and KPI gaps turn into owned actions.",
        ),
    ),
    PrincipleKey.EXIT_STRATEGY: (
        _summary("In short: how would we part ways well?"),
        _textarea(
            "triggers",
            "Exit triggers",
            "What would make us end the relationship?",
            "Events or conditions that would lead either partner to leave, planned "
            "or unplanned.",
            essential=True,
            required=True,
        ),
        _integer(
            "notice_period_days",
            "Notice period (days)",
            "How many days' notice do we give?",
            "The notice either partner gives before leaving, in days.",
            required=True,
            min_value=0,
            max_value=3650,
        ),
        _textarea(
            "transition",
            "Transition plan",
            "How do we hand over?",
            "How work moves on, and who does what, during an exit.",
            required=True,
        ),
        _textarea(
            "continuity",
            "Continuity for customers and supply chain",
            "How do we keep customers and suppliers safe?",
            "How customers, suppliers and the partners' reputations are protected "
            "during and after an exit.",
            required=True,
        ),
        _textarea(
            "hand_back",
            "Knowledge and asset hand-back",
            "What do we give back to each other?",
            "Information, equipment, tools and intellectual property each partner "
            "returns or keeps.",
            essential=True,
            required=True,
        ),
    ),
}

if list(SECTION_FIELDS) != list(PrincipleKey.values):
    raise ImproperlyConfigured("Plan sections must follow the canonical principles.")


def section_fields(
    *, principle_key: str, relationship_kind: str
) -> tuple[PlanField, ...]:
    """The fields of one section for a relationship of the given kind."""
    is_ubc = relationship_kind == RelationshipKind.UNIVERSITY_BUSINESS
    return tuple(
        plan_field
        for plan_field in SECTION_FIELDS[principle_key]
        if is_ubc or not plan_field.ubc_only
    )


def required_fields(
    *, fields: tuple[PlanField, ...], depth: str
) -> tuple[PlanField, ...]:
    return tuple(
        plan_field for plan_field in fields if plan_field.is_required_at(depth)
    )


def is_filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


@dataclass(frozen=True)
class Completeness:
    """How many of a section's required fields (at the plan's depth) are filled."""

    filled: int
    required: int
    missing: tuple[PlanField, ...]

    @property
    def percent(self) -> int:
        if self.required == 0:
            return 100
        return round(self.filled * 100 / self.required)

    @property
    def is_complete(self) -> bool:
        return not self.missing


def section_completeness(
    *, fields: tuple[PlanField, ...], content: Mapping[str, Any], depth: str
) -> Completeness:
    needed = required_fields(fields=fields, depth=depth)
    missing = tuple(
        plan_field
        for plan_field in needed
        if not is_filled(content.get(plan_field.key))
    )
    return Completeness(
        filled=len(needed) - len(missing), required=len(needed), missing=missing
    )
