"""Demo data for local evaluation: three relationships with their people and history.

Every row is found by a natural key (organisation slug, username, relationship
reference, titles, assessment period) and only created when missing, so loading
twice creates nothing new and leaves existing rows, including any edits made while
trying the app, untouched. Dates are relative to the day of the first load; the
assessments cover the four complete calendar quarters before today, so a later
load adds the quarters that have ended since.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone

from accounts.demo_external import demo_external_auditor_load
from assessments.choices import (
    CADENCE_MONTHS,
    AssessmentKind,
    AssessmentStatus,
    Cadence,
    ConfirmationDecision,
)
from assessments.models import (
    Assessment,
    AssessmentConfirmation,
    AssessmentSchedule,
    PrincipleRating,
)
from assessments.selectors.confirmations import assessment_fingerprint
from assessments.selectors.reports import relationship_schedule
from assurance.demo_findings import demo_findings_load
from assurance.demo_reviews import demo_load_reviews
from principles.choices import PrincipleKey
from principles.models import LifecycleStage, Principle, StageArtefact
from relationships.choices import (
    ActionSource,
    ActionStatus,
    EvidenceStatus,
    Horizon,
    MembershipRole,
    MsmeSize,
    ObjectiveStatus,
    OrganisationKind,
    PartnerRole,
    PlanDecisionKind,
    PlanVersionStatus,
    RelationshipKind,
    RelationshipStatus,
    RiskStatus,
    Visibility,
)
from relationships.demo_evidence import load_demo_evidence
from relationships.models import (
    Action,
    ArtefactEvidence,
    JointManagementTeamMember,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Plan,
    PlanDecision,
    PlanSection,
    PlanVersion,
    Relationship,
    Risk,
    StageTransition,
)
from relationships.models.privacy import PartnerPrivateRecord
from relationships.plan_schema import (
    CADENCE_CHOICES,
    FieldKind,
    required_fields,
    section_fields,
)
from relationships.selectors.plans import person_name, plan_version_fingerprint
from relationships.services.plans import plan_default_depth

DEMO_PASSWORD = "partnerplan-demo"
DEMO_ADMIN_USERNAME = "admin"

PRINCIPLE_KEYS: tuple[str, ...] = tuple(PrincipleKey.values)


# --- Tables ---------------------------------------------------------------------


class DemoOrganisation(NamedTuple):
    slug: str
    name: str
    kind: str
    msme_size: str
    domain: str


class DemoPerson(NamedTuple):
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    jmt_title: str = ""  # empty: not on the joint management team
    jmt_leadership: bool = False


class DemoSeat(NamedTuple):
    """A seat on one relationship's joint management team."""

    username: str
    role_title: str
    is_leadership: bool = False


class DemoPartner(NamedTuple):
    organisation: str
    role: str
    senior_executive: str  # username of one of the organisation's people
    # How far the partner's own rating sits from the joint one, per principle in
    # canonical order: partners rarely see themselves exactly as the joint view does.
    self_view: tuple[int, ...]
    # Empty: the organisation's first relationship manager, and its people with a
    # jmt_title. An organisation in several relationships fields other people.
    manager: str = ""
    team: tuple[DemoSeat, ...] = ()


class DemoPlanVersion(NamedTuple):
    number: int
    status: str
    summary: str
    submitted_days_ago: int | None = None
    approved_days_ago: int | None = None


class DemoRelationship(NamedTuple):
    reference: str
    title: str
    kind: str
    description: str
    stage_number: int
    started_days_ago: int
    partners: tuple[DemoPartner, ...]
    # Joint maturity levels in the latest quarter, per principle in canonical order.
    latest_joint_levels: tuple[int, ...]
    plan_versions: tuple[DemoPlanVersion, ...]


class DemoObjective(NamedTuple):
    relationship: str
    owner: str | None  # organisation slug; None for a common objective
    title: str
    horizon: str
    milestone_in_days: int
    kpi_name: str
    kpi_unit: str
    kpi_target: Decimal
    kpi_actual: Decimal | None
    status: str


class DemoRisk(NamedTuple):
    relationship: str
    owner_partner: str | None  # organisation slug; None for a joint risk
    title: str
    likelihood: int
    impact: int
    mitigation: str
    owner: str
    review_in_days: int
    status: str


class DemoAction(NamedTuple):
    relationship: str
    title: str
    source: str
    principle_key: str
    risk: str  # title of the risk it answers, or empty
    owner: str
    due_in_days: int
    status: str


ORGANISATIONS: list[DemoOrganisation] = [
    DemoOrganisation(
        "northbridge",
        "University of Northbridge",
        OrganisationKind.UNIVERSITY,
        "",
        "northbridge.example.org",
    ),
    DemoOrganisation(
        "lumen-sensors",
        "Lumen Sensors Ltd",
        OrganisationKind.MSME,
        MsmeSize.SMALL,
        "lumensensors.example.com",
    ),
    DemoOrganisation(
        "calder-engineering",
        "Calder Engineering plc",
        OrganisationKind.LARGE,
        "",
        "calder.example.com",
    ),
    DemoOrganisation(
        "wren-precision",
        "Wren Precision",
        OrganisationKind.MSME,
        MsmeSize.MICRO,
        "wrenprecision.example.com",
    ),
    DemoOrganisation(
        "hartley-castings",
        "Hartley Castings Ltd",
        OrganisationKind.MSME,
        MsmeSize.MEDIUM,
        "hartleycastings.example.com",
    ),
    DemoOrganisation(
        "eastmere-water",
        "Eastmere Water plc",
        OrganisationKind.LARGE,
        "",
        "eastmerewater.example.org",
    ),
    DemoOrganisation(
        "brightline-digital",
        "Brightline Digital plc",
        OrganisationKind.LARGE,
        "",
        "brightline.example.com",
    ),
]

MANAGER = MembershipRole.RELATIONSHIP_MANAGER
JMT = MembershipRole.JMT_MEMBER
AUDITOR = MembershipRole.AUDITOR
ORG_ADMIN = MembershipRole.ORG_ADMIN

PEOPLE: list[DemoPerson] = [
    DemoPerson(
        "priya.uni", "Priya", "Raman", "northbridge", MANAGER,
        "Head of Business Partnerships",
    ),
    DemoPerson(
        "james.uni", "James", "Okafor", "northbridge", JMT,
        "Professor of Photonics, academic lead", True,
    ),
    DemoPerson("helen.uni", "Helen", "Marsh", "northbridge", AUDITOR),
    DemoPerson("owen.uni", "Owen", "Price", "northbridge", ORG_ADMIN),
    DemoPerson(
        "tom.lumen", "Tom", "Fletcher", "lumen-sensors", MANAGER,
        "Chief Technology Officer", True,
    ),
    DemoPerson(
        "aisha.lumen", "Aisha", "Begum", "lumen-sensors", JMT, "Lead Engineer"
    ),
    DemoPerson("george.lumen", "George", "Whitfield", "lumen-sensors", AUDITOR),
    DemoPerson("nina.lumen", "Nina", "Kowalski", "lumen-sensors", ORG_ADMIN),
    DemoPerson(
        "mark.calder", "Mark", "Devlin", "calder-engineering", MANAGER,
        "Supplier Partnership Manager",
    ),
    DemoPerson(
        "fiona.calder", "Fiona", "Grant", "calder-engineering", JMT,
        "Head of Procurement", True,
    ),
    DemoPerson("raj.calder", "Raj", "Patel", "calder-engineering", AUDITOR),
    DemoPerson("claire.calder", "Claire", "Dawson", "calder-engineering", ORG_ADMIN),
    # Runs Calder's research partnership with Northbridge (see NORTHBRIDGE_CALDER).
    DemoPerson(
        "nadia.calder", "Nadia", "Haddad", "calder-engineering", MANAGER,
    ),
    DemoPerson(
        "sam.wren", "Sam", "Wren", "wren-precision", MANAGER,
        "Owner and Director", True,
    ),
    DemoPerson(
        "lucy.wren", "Lucy", "Hale", "wren-precision", JMT, "Operations Manager"
    ),
    DemoPerson("ben.wren", "Ben", "Osei", "wren-precision", AUDITOR),
    DemoPerson("kate.wren", "Kate", "Morgan", "wren-precision", ORG_ADMIN),
    DemoPerson(
        "emma.hartley", "Emma", "Booth", "hartley-castings", MANAGER,
        "Commercial Manager",
    ),
    DemoPerson(
        "dan.hartley", "Daniel", "Reeves", "hartley-castings", JMT,
        "Managing Director", True,
    ),
    DemoPerson("olivia.hartley", "Olivia", "Chen", "hartley-castings", AUDITOR),
    DemoPerson("paul.hartley", "Paul", "Simmons", "hartley-castings", ORG_ADMIN),
    DemoPerson(
        "rachel.eastmere", "Rachel", "Hughes", "eastmere-water", MANAGER,
        "Alliance Manager",
    ),
    DemoPerson(
        "simon.eastmere", "Simon", "Clarke", "eastmere-water", JMT,
        "Director of Digital Operations", True,
    ),
    DemoPerson("maria.eastmere", "Maria", "Santos", "eastmere-water", AUDITOR),
    DemoPerson("ian.eastmere", "Ian", "Fraser", "eastmere-water", ORG_ADMIN),
    DemoPerson(
        "leo.brightline", "Leo", "Martins", "brightline-digital", MANAGER,
        "Client Partner",
    ),
    DemoPerson(
        "grace.brightline", "Grace", "Ndlovu", "brightline-digital", JMT,
        "Delivery Director", True,
    ),
    DemoPerson(
        "victor.brightline", "Victor", "Ahmed", "brightline-digital", AUDITOR
    ),
    DemoPerson(
        "sophie.brightline", "Sophie", "Turner", "brightline-digital", ORG_ADMIN
    ),
]  # fmt: skip

UBC = "ubc-northbridge-lumen"
LARGE_MSME = "lmsme-calder-suppliers"
ALLIANCE = "gen-eastmere-brightline"
NORTHBRIDGE_CALDER = "ubc-northbridge-calder"

RELATIONSHIPS: list[DemoRelationship] = [
    DemoRelationship(
        reference=UBC,
        title="Northbridge and Lumen low-power gas sensing partnership",
        kind=RelationshipKind.UNIVERSITY_BUSINESS,
        description=(
            "Collaborative research and knowledge transfer on low-power optical gas "
            "sensors: joint PhD supervision, student placements at Lumen, shared "
            "cleanroom access and a route to licensing the university's patented "
            "waveguide design."
        ),
        stage_number=5,
        started_days_ago=700,
        partners=(
            DemoPartner(
                "northbridge",
                PartnerRole.LEAD,
                "owen.uni",
                (0, 1, 0, 0, -1, 0, 0, 1, 1, 0, 0, 0),
            ),
            DemoPartner(
                "lumen-sensors",
                PartnerRole.PARTNER,
                "nina.lumen",
                (0, 0, -1, 0, 1, 0, -1, 0, -1, 0, 0, 1),
            ),
        ),
        latest_joint_levels=(4, 4, 3, 3, 3, 4, 4, 3, 3, 3, 3, 2),
        plan_versions=(
            DemoPlanVersion(
                1,
                PlanVersionStatus.SUPERSEDED,
                "First joint plan, agreed at the kick-off workshop.",
                submitted_days_ago=420,
                approved_days_ago=410,
            ),
            DemoPlanVersion(
                2,
                PlanVersionStatus.APPROVED,
                "Adds the 30-day publication review and the placement scheme.",
                submitted_days_ago=95,
                approved_days_ago=88,
            ),
        ),
    ),
    DemoRelationship(
        reference=LARGE_MSME,
        title="Calder supplier development programme",
        kind=RelationshipKind.LARGE_MSME,
        description=(
            "Calder Engineering's programme with two specialist suppliers of machined "
            "and cast parts for its pump range: simplified contracts, prompt payment, "
            "shared quality training and joint demand planning."
        ),
        stage_number=7,
        started_days_ago=900,
        partners=(
            DemoPartner(
                "calder-engineering",
                PartnerRole.LEAD,
                "claire.calder",
                (0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0),
            ),
            DemoPartner(
                "wren-precision",
                PartnerRole.PARTNER,
                "kate.wren",
                (0, 0, 0, 0, -1, 1, -1, 0, 0, 0, 0, 0),
            ),
            DemoPartner(
                "hartley-castings",
                PartnerRole.PARTNER,
                "paul.hartley",
                (0, 1, 0, 0, 0, 0, 0, -1, 0, 1, 0, 0),
            ),
        ),
        latest_joint_levels=(3, 3, 4, 3, 3, 3, 3, 2, 3, 3, 4, 2),
        plan_versions=(
            DemoPlanVersion(
                1,
                PlanVersionStatus.APPROVED,
                "First joint plan with both suppliers.",
                submitted_days_ago=520,
                approved_days_ago=500,
            ),
            DemoPlanVersion(
                2,
                PlanVersionStatus.SUBMITTED,
                "Adds 30-day payment terms for MSMEs and the two-page framework "
                "agreement.",
                submitted_days_ago=12,
            ),
        ),
    ),
    DemoRelationship(
        reference=ALLIANCE,
        title="Eastmere and Brightline digital operations alliance",
        kind=RelationshipKind.GENERAL,
        description=(
            "A five-year alliance to modernise Eastmere Water's network telemetry "
            "and field-service systems, with shared savings from lower leakage and "
            "fewer field visits."
        ),
        stage_number=6,
        started_days_ago=540,
        partners=(
            DemoPartner(
                "eastmere-water",
                PartnerRole.LEAD,
                "ian.eastmere",
                (0, 0, 0, 0, 0, 0, -1, 1, -1, 0, 0, 0),
            ),
            DemoPartner(
                "brightline-digital",
                PartnerRole.PARTNER,
                "sophie.brightline",
                (0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, -1),
            ),
        ),
        latest_joint_levels=(4, 4, 4, 4, 4, 3, 3, 3, 3, 4, 3, 2),
        plan_versions=(
            DemoPlanVersion(
                1,
                PlanVersionStatus.APPROVED,
                "First joint plan, agreed by the alliance board.",
                submitted_days_ago=400,
                approved_days_ago=392,
            ),
            DemoPlanVersion(
                2,
                PlanVersionStatus.DRAFT,
                "Adds the exit strategy and the board's benefits report.",
            ),
        ),
    ),
    # Calder and Northbridge also work together: both organisations take part in
    # two relationships, so their people's portfolios have several rows.
    DemoRelationship(
        reference=NORTHBRIDGE_CALDER,
        title="Calder and Northbridge fibre-optic pump monitoring",
        kind=RelationshipKind.UNIVERSITY_BUSINESS,
        description=(
            "A knowledge transfer partnership: a Northbridge graduate spends two "
            "years at Calder building fibre-optic vibration sensing into its pump "
            "test rigs, supervised by the university's photonics group."
        ),
        stage_number=5,
        started_days_ago=480,
        partners=(
            DemoPartner(
                "calder-engineering",
                PartnerRole.LEAD,
                "claire.calder",
                (0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0),
                manager="nadia.calder",
                team=(DemoSeat("nadia.calder", "Head of Engineering Research", True),),
            ),
            DemoPartner(
                "northbridge",
                PartnerRole.PARTNER,
                "owen.uni",
                (0, -1, 0, 0, 0, -1, 0, 0, 1, 0, -1, 0),
            ),
        ),
        latest_joint_levels=(3, 3, 3, 3, 3, 3, 3, 2, 3, 3, 3, 2),
        plan_versions=(
            DemoPlanVersion(
                1,
                PlanVersionStatus.APPROVED,
                "First joint plan, agreed when the KTP associate started.",
                submitted_days_ago=300,
                approved_days_ago=291,
            ),
        ),
    ),
]

# Each relationship's plan, one summary per principle in canonical order. Older
# versions hold only the first sentence: later versions expanded them. Facts the
# app also keeps as data are placeholders, filled from that data when the plan is
# loaded (see _plan_summaries), so that the text cannot contradict them:
# {managers}, {senior_executives}, {meeting_cadence} (the governance section's),
# {risk_review_cadence}, {assessment_cadence} (the relationship's assessment
# schedule) and {notice_days} (PLAN_FACTS).
PLAN_SUMMARIES: dict[str, tuple[str, ...]] = {
    UBC: (
        "{managers} manage the partnership day to day and meet every two weeks. The "
        "joint management team meets {meeting_cadence} and reviews this plan each "
        "quarter.",
        "We share a goal of getting low-power gas sensing out of the lab and into "
        "products. Both sides protect each other's intellectual property and follow "
        "the university's research ethics code when bidding for research funding.",
        "Common objectives are a working prototype within the year and student "
        "placements at Lumen. Northbridge also wants peer-reviewed papers; Lumen "
        "wants a licence to the waveguide patent. Either side may ask to revise an "
        "objective at the quarterly review.",
        "Professor James Okafor leads the academic work and Tom Fletcher the "
        "commercial side. Each can commit their organisation within the budget in "
        "the collaboration agreement.",
        "The collaboration agreement and this plan set who decides what. "
        "Disagreements go first to the joint management team, then to the senior "
        "executives: {senior_executives}.",
        "Lumen engineers join the university's research integrity training. PhD "
        "students get a commercial awareness session at Lumen.",
        "Costs and benefits are reviewed openly at each quarterly review. Lumen pays "
        "for cleanroom time at cost; the university gets real-world test data.",
        "Improvement ideas go in a shared log reviewed monthly. Value for Northbridge "
        "is research impact and student experience; for Lumen, a product-ready "
        "sensor design.",
        "Background IP stays with its owner; IP from the joint work belongs to the "
        "university and is licensed to Lumen on agreed terms. Lumen reviews each "
        "paper for 30 days before it is submitted.",
        "One joint risk register covers shared risks; each partner also keeps its "
        "own. The joint management team reviews the joint register "
        "{risk_review_cadence} and reports the highest risks to both senior "
        "executives.",
        "Each side rates itself against the 12 principles {assessment_cadence}. We "
        "then agree a joint view and raise actions for low scores.",
        "Either side may end the partnership with {notice_days} days' notice. "
        "Students finish their placements, shared equipment goes back to its owner "
        "and licence terms survive. A fuller exit plan is due this year.",
    ),
    LARGE_MSME: (
        "{managers} manage the programme. Meetings are short and combined with the "
        "existing {meeting_cadence} supplier reviews so that small firms are not "
        "overloaded.",
        "We want a dependable local supply chain for Calder's pump range in which "
        "small suppliers can grow. We value plain dealing, prompt payment and early "
        "warning of problems.",
        "Common objectives are simplified contracts and a joint demand plan. Wren "
        "wants payment within 30 days, Hartley a second qualified alloy, and Calder "
        "on-time delivery of machined parts above 98%.",
        "Calder's Head of Procurement sponsors the programme. Each supplier's "
        "director can commit their firm, and no supplier is asked to send more than "
        "one person to a meeting.",
        "Issues go to the relationship managers first, then to the senior "
        "executives: {senior_executives}. A two-page framework agreement replaces "
        "Calder's standard supplier contract.",
        "Calder judges supplier competence by track record and management "
        "commitment rather than certificates. Its quality and lean training is open "
        "to supplier staff free of charge.",
        "Calder shares its demand forecast and suppliers give early notice of "
        "capacity problems. MSME invoices are paid on 30-day terms.",
        "Suppliers propose design-for-manufacture changes on a one-page form. "
        "Accepted ideas are credited to the supplier and their savings shared.",
        "Calder shares a rolling six-month demand forecast and drawings under a "
        "short confidentiality letter. Suppliers keep ownership of their process "
        "know-how.",
        "The joint register covers demand, payment and quality risks and is reviewed "
        "{risk_review_cadence}. Calder helps each supplier keep its own register to "
        "a single page.",
        "Each partner rates itself against the 12 principles {assessment_cadence} "
        "and all three agree a joint view. Delivery and payment KPIs are reported "
        "monthly.",
        "Either side can leave with {notice_days} days' notice. Calder will buy "
        "finished stock and tooling made for it, and give a reference to help "
        "suppliers win new customers.",
    ),
    ALLIANCE: (
        "{managers} run the alliance together from a shared office at Eastmere's "
        "operations centre.",
        "Our aim is smarter networks that lose less water. Both firms commit to "
        "honest reporting, shared savings and putting customers first during "
        "system changes.",
        "Common objectives are cutting leakage by 12 Ml/day and agreeing the "
        "shared-savings model. Eastmere wants fewer field visits; Brightline wants "
        "all 14 depots on its field-service platform.",
        "Eastmere's Director of Digital Operations and Brightline's Delivery "
        "Director co-chair the alliance board, which meets {meeting_cadence}.",
        "The alliance board owns this plan and disputes go to an independent "
        "adjudicator. Spending above the agreed budget needs the sign-off of both "
        "senior executives: {senior_executives}.",
        "Joint teams work to one behaviour charter. New staff on either side get a "
        "half-day induction to the alliance and its ways of working.",
        "Savings beyond the baseline are split 60/40 in Eastmere's favour. All "
        "alliance work is costed on an open-book basis.",
        "A joint value log records ideas, their owners and estimated savings. The "
        "board reviews it at each meeting.",
        "Telemetry is shared under the data-sharing agreement and used only for "
        "alliance work. Brightline's platform stays Brightline's; configurations "
        "made for Eastmere belong to Eastmere.",
        "A joint risk register sits alongside each firm's own and the board reviews "
        "it {risk_review_cadence}. Data protection and cut-over risks are on every "
        "agenda.",
        "Each firm assesses itself {assessment_cadence} and the board agrees a joint "
        "view. A gap of two levels or more between the firms triggers a workshop.",
        "On exit Brightline hands back all Eastmere data and configurations and "
        "supports a six-month transition. Either firm may leave with {notice_days} "
        "days' notice; the rest of this section is still to be agreed.",
    ),
    NORTHBRIDGE_CALDER: (
        "{managers} run the partnership; the KTP associate works at Calder and "
        "spends one day a week at the university. The joint management team meets "
        "{meeting_cadence} at Calder's test centre.",
        "We want pump faults found before they happen, and research that shows how. "
        "Calder values reliable products; Northbridge values useful, published "
        "science.",
        "Common objectives are instrumented test rigs and trained Calder engineers. "
        "Calder wants early detection of bearing wear; Northbridge wants to publish "
        "the sensing method.",
        "James Okafor supervises the research and Nadia Haddad leads the work at "
        "Calder. Each can commit their organisation within the partnership's grant "
        "budget.",
        "The KTP grant agreement and this plan set who decides what. Issues go to "
        "the joint management team, then to the senior executives: "
        "{senior_executives}.",
        "The associate follows Calder's engineering training and the university's "
        "research integrity course. Calder engineers attend sensing workshops at "
        "Northbridge.",
        "Calder pays its share of the grant on time and books rig time for the "
        "project. Northbridge gives Calder early sight of all results.",
        "Ideas for other pump lines go in a shared log. Value for Calder is fewer "
        "warranty repairs; for Northbridge, research impact.",
        "Background IP stays with its owner; new sensing IP belongs to Calder, which "
        "licenses it back to the university for research. Calder reviews each paper "
        "for 30 days before it is submitted.",
        "One joint risk register covers the project and the joint management team "
        "reviews it {risk_review_cadence}. Each partner keeps its own register too.",
        "Each partner rates itself against the 12 principles {assessment_cadence} "
        "and the joint management team agrees a joint view.",
        "Either partner may end the partnership with {notice_days} days' notice. The "
        "associate's contract, the rig sensors and the test data are handed over as "
        "the grant agreement sets out.",
    ),
}


class DemoPlanFacts(NamedTuple):
    """Structured answers of a relationship's plan that its texts mention."""

    meeting_cadence: str  # how often the joint management team meets
    risk_review_cadence: str
    engagement_model: str
    ip_ownership: str
    notice_days: int


PLAN_FACTS: dict[str, DemoPlanFacts] = {
    UBC: DemoPlanFacts("monthly", "quarterly", "research", "lead", 90),
    LARGE_MSME: DemoPlanFacts("quarterly", "quarterly", "supply", "case_by_case", 180),
    ALLIANCE: DemoPlanFacts("monthly", "monthly", "alliance", "case_by_case", 365),
    NORTHBRIDGE_CALDER: DemoPlanFacts("quarterly", "quarterly", "research", "lead", 90),
}

OBJECTIVES: list[DemoObjective] = [
    DemoObjective(
        UBC, None, "Demonstrate a working sensor prototype", Horizon.MEDIUM, 120,
        "Prototype test cycles passed", "cycles", Decimal(500), Decimal(310),
        ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        UBC, "northbridge", "Publish joint research papers", Horizon.LONG, 400,
        "Peer-reviewed papers", "papers", Decimal(4), Decimal(1),
        ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        UBC, "lumen-sensors", "Licence the waveguide patent", Horizon.MEDIUM, 200,
        "Licence agreements signed", "agreements", Decimal(1), Decimal(0),
        ObjectiveStatus.AT_RISK,
    ),
    DemoObjective(
        UBC, None, "Place students at Lumen", Horizon.SHORT, -30,
        "Student placements completed", "placements", Decimal(6), Decimal(2),
        ObjectiveStatus.OFF_TRACK,
    ),
    DemoObjective(
        LARGE_MSME, None, "Move both suppliers to the simplified contract",
        Horizon.SHORT, -20, "Suppliers on simplified terms", "suppliers",
        Decimal(2), Decimal(2), ObjectiveStatus.ACHIEVED,
    ),
    DemoObjective(
        LARGE_MSME, "wren-precision", "Get paid within 30 days", Horizon.SHORT, 30,
        "Invoices paid within 30 days", "%", Decimal(95), Decimal(71),
        ObjectiveStatus.OFF_TRACK,
    ),
    DemoObjective(
        LARGE_MSME, "hartley-castings", "Qualify a second casting alloy",
        Horizon.MEDIUM, 150, "Qualification trials passed", "trials", Decimal(3),
        Decimal(1), ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        LARGE_MSME, "calder-engineering",
        "Improve on-time delivery of machined parts", Horizon.MEDIUM, 180,
        "On-time delivery", "%", Decimal(98), Decimal("93.5"),
        ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        LARGE_MSME, None, "Agree a joint demand plan for the pump range",
        Horizon.LONG, 365, "Forecast accuracy at three months", "%", Decimal(85),
        None, ObjectiveStatus.NOT_STARTED,
    ),
    DemoObjective(
        ALLIANCE, None, "Reduce leakage through smarter telemetry", Horizon.LONG,
        700, "Leakage reduction", "Ml/day", Decimal(12), Decimal("3.5"),
        ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        ALLIANCE, "eastmere-water", "Fewer field visits per repair", Horizon.MEDIUM,
        240, "Field visits avoided per month", "visits", Decimal(400), Decimal(150),
        ObjectiveStatus.AT_RISK,
    ),
    DemoObjective(
        ALLIANCE, "brightline-digital", "Migrate every depot to the new platform",
        Horizon.MEDIUM, 90, "Depots migrated", "depots", Decimal(14), Decimal(4),
        ObjectiveStatus.OFF_TRACK,
    ),
    DemoObjective(
        ALLIANCE, None, "Agree the shared-savings model", Horizon.SHORT, -14,
        "Boards that signed off the model", "boards", Decimal(2), Decimal(2),
        ObjectiveStatus.ACHIEVED,
    ),
    DemoObjective(
        NORTHBRIDGE_CALDER, None, "Fit fibre-optic sensing to the pump test rigs",
        Horizon.MEDIUM, 90, "Test rigs instrumented", "rigs", Decimal(3),
        Decimal(1), ObjectiveStatus.ON_TRACK,
    ),
    DemoObjective(
        NORTHBRIDGE_CALDER, None, "Train Calder engineers in optical sensing",
        Horizon.SHORT, -10, "Engineers trained", "engineers", Decimal(8),
        Decimal(5), ObjectiveStatus.OFF_TRACK,
    ),
    DemoObjective(
        NORTHBRIDGE_CALDER, "calder-engineering",
        "Detect bearing wear before failure", Horizon.LONG, 300,
        "Wear faults detected early", "%", Decimal(80), Decimal(45),
        ObjectiveStatus.AT_RISK,
    ),
    DemoObjective(
        NORTHBRIDGE_CALDER, "northbridge", "Publish the sensing method",
        Horizon.LONG, 365, "Peer-reviewed papers", "papers", Decimal(2), None,
        ObjectiveStatus.NOT_STARTED,
    ),
]  # fmt: skip

RISKS: list[DemoRisk] = [
    DemoRisk(
        UBC, None, "Publication delays the patent filing", 3, 4,
        "Lumen reviews every paper for 30 days before submission; filing decisions "
        "are taken at the monthly team meeting.",
        "priya.uni", -10, RiskStatus.OPEN,
    ),
    DemoRisk(
        UBC, "northbridge", "Key researcher leaves before the prototype is done", 2,
        4, "A second postdoc is trained on the test rig; lab notes are kept in the "
        "shared drive.",
        "james.uni", 45, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        UBC, "lumen-sensors", "Cash-flow gap before licence income arrives", 3, 3,
        "Innovation grant application submitted; licence fees to be paid in stages.",
        "tom.lumen", 20, RiskStatus.OPEN,
    ),
    DemoRisk(
        LARGE_MSME, None, "Demand swings leave suppliers with idle capacity", 4, 3,
        "Calder shares a rolling six-month forecast and agrees minimum order "
        "volumes each quarter.",
        "mark.calder", -21, RiskStatus.OPEN,
    ),
    DemoRisk(
        LARGE_MSME, "wren-precision", "Late payment strains cash flow", 4, 4,
        "Calder pays MSME invoices on 30-day terms; late payments are escalated to "
        "its COO.",
        "sam.wren", 14, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        LARGE_MSME, "hartley-castings", "Second alloy fails qualification", 2, 3,
        "Trial plan agreed with Calder's metallurgists; results reviewed after each "
        "trial.",
        "dan.hartley", 60, RiskStatus.OPEN,
    ),
    DemoRisk(
        LARGE_MSME, "calder-engineering",
        "Suppliers struggle with audit paperwork", 3, 2,
        "A short audit checklist for MSMEs replaces the full supplier audit.",
        "fiona.calder", 90, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        ALLIANCE, None, "Telemetry data used beyond agreed purposes", 2, 5,
        "Data-sharing agreement in place; access rights reviewed every quarter.",
        "rachel.eastmere", -5, RiskStatus.OPEN,
    ),
    DemoRisk(
        ALLIANCE, "brightline-digital",
        "Key delivery staff moved to other clients", 3, 3,
        "Core team named in the plan; three months' notice for any change.",
        "grace.brightline", 30, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        ALLIANCE, "eastmere-water", "Regulator changes leakage targets", 2, 4,
        "Follow the consultation; revisit the savings model if targets change.",
        "simon.eastmere", 120, RiskStatus.OPEN,
    ),
    DemoRisk(
        ALLIANCE, None, "Cut-over to the new platform disrupts field crews", 3, 4,
        "Depots migrate one at a time, with the old system kept for two weeks.",
        "leo.brightline", 10, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        NORTHBRIDGE_CALDER, None, "Pump vibration drowns the sensor signal", 3, 4,
        "Filter designs are tested on the rig with Calder's test engineers before "
        "each change.",
        "james.uni", -7, RiskStatus.OPEN,
    ),
    DemoRisk(
        NORTHBRIDGE_CALDER, "northbridge",
        "The KTP associate leaves before the project ends", 2, 4,
        "Method and rig set-up are written up as they go; a second supervisor "
        "follows the work.",
        "priya.uni", 40, RiskStatus.MITIGATING,
    ),
    DemoRisk(
        NORTHBRIDGE_CALDER, "calder-engineering",
        "Production testing takes the rig time", 3, 3,
        "Two rig days a month are booked for the project a quarter ahead.",
        "nadia.calder", 25, RiskStatus.OPEN,
    ),
]  # fmt: skip

ACTIONS: list[DemoAction] = [
    DemoAction(
        UBC, "Agree a publication review procedure", ActionSource.ASSESSMENT,
        PrincipleKey.KNOWLEDGE_SHARING, "Publication delays the patent filing",
        "priya.uni", -7, ActionStatus.IN_PROGRESS,
    ),
    DemoAction(
        UBC, "Draft the exit and IP hand-back terms", ActionSource.ASSESSMENT,
        PrincipleKey.EXIT_STRATEGY, "", "james.uni", 30, ActionStatus.OPEN,
    ),
    DemoAction(
        UBC, "Set up the quarterly review calendar", ActionSource.MEETING, "", "",
        "tom.lumen", -40, ActionStatus.DONE,
    ),
    DemoAction(
        UBC, "Recruit placement students for next term", ActionSource.REVIEW, "", "",
        "aisha.lumen", 20, ActionStatus.OPEN,
    ),
    DemoAction(
        LARGE_MSME, "Publish a one-page contracting guide for MSMEs",
        ActionSource.ASSESSMENT, PrincipleKey.GOVERNANCE_PROCESSES, "",
        "fiona.calder", 14, ActionStatus.IN_PROGRESS,
    ),
    DemoAction(
        LARGE_MSME, "Share the rolling demand forecast every month",
        ActionSource.RISK, "", "Demand swings leave suppliers with idle capacity",
        "mark.calder", -3, ActionStatus.OPEN,
    ),
    DemoAction(
        LARGE_MSME, "Open Calder's quality training to supplier staff",
        ActionSource.ASSESSMENT, PrincipleKey.COMPETENCE_BEHAVIOUR, "",
        "mark.calder", -60, ActionStatus.DONE,
    ),
    DemoAction(
        LARGE_MSME, "Check the payment run for MSME invoices",
        ActionSource.ASSESSMENT, PrincipleKey.TRUST_MUTUAL_BENEFIT, "",
        "fiona.calder", 7, ActionStatus.OPEN,
    ),
    DemoAction(
        ALLIANCE, "Agree the data-sharing schedule", ActionSource.RISK, "",
        "Telemetry data used beyond agreed purposes", "rachel.eastmere", -12,
        ActionStatus.IN_PROGRESS,
    ),
    DemoAction(
        ALLIANCE, "Run a joint value workshop", ActionSource.ASSESSMENT,
        PrincipleKey.VALUE_CREATION, "", "grace.brightline", 25, ActionStatus.OPEN,
    ),
    DemoAction(
        ALLIANCE, "Write the first outline of the exit strategy",
        ActionSource.ASSESSMENT, PrincipleKey.EXIT_STRATEGY, "", "simon.eastmere",
        60, ActionStatus.OPEN,
    ),
    DemoAction(
        ALLIANCE, "Drop the duplicate weekly status call", ActionSource.MEETING, "",
        "", "leo.brightline", -30, ActionStatus.CANCELLED,
    ),
    DemoAction(
        NORTHBRIDGE_CALDER, "Book rig days for next quarter", ActionSource.RISK, "",
        "Production testing takes the rig time", "nadia.calder", -5,
        ActionStatus.OPEN,
    ),
    DemoAction(
        NORTHBRIDGE_CALDER, "Sign the confidentiality letter for test data",
        ActionSource.ASSESSMENT, PrincipleKey.KNOWLEDGE_SHARING, "", "priya.uni",
        15, ActionStatus.IN_PROGRESS,
    ),
    DemoAction(
        NORTHBRIDGE_CALDER, "Run the second sensing workshop at Northbridge",
        ActionSource.REVIEW, PrincipleKey.COMPETENCE_BEHAVIOUR, "", "james.uni", 20,
        ActionStatus.OPEN,
    ),
    DemoAction(
        NORTHBRIDGE_CALDER, "Agree the paper review period", ActionSource.MEETING,
        "", "", "nadia.calder", -30, ActionStatus.DONE,
    ),
]  # fmt: skip


class DemoEvidence(NamedTuple):
    # A plan section key, or OBJECTIVE_LINK / RISK_LINK: the relationship's first
    # common objective or joint risk (records every partner may see).
    link: str
    note: str


OBJECTIVE_LINK = "objective"
RISK_LINK = "risk"

# How a demo relationship evidences each catalogue artefact of the stages it has
# reached (see principles/data/catalogue.toml).
ARTEFACT_EVIDENCE: dict[str, DemoEvidence] = {
    "ser_appointed": DemoEvidence(
        PrincipleKey.COLLABORATIVE_LEADERSHIP,
        "Each partner's senior executive is named in the plan.",
    ),
    "collaboration_policy": DemoEvidence(
        PrincipleKey.VISIONS_VALUES,
        "Both partners' stance on working collaboratively, in the shared values.",
    ),
    "objectives_and_value": DemoEvidence(
        PrincipleKey.BUSINESS_OBJECTIVES, "Why each partner wants this relationship."
    ),
    "relationships_prioritised": DemoEvidence(
        PrincipleKey.RELATIONSHIP_MANAGEMENT,
        "The scope records why both partners put this relationship first.",
    ),
    "initial_risk_assessment": DemoEvidence(
        RISK_LINK, "The first joint risk, scored when the partners first met."
    ),
    "organisation_rmp": DemoEvidence(
        PrincipleKey.RELATIONSHIP_MANAGEMENT,
        "Each partner's own approach to the relationship, summarised in the plan.",
    ),
    "business_case": DemoEvidence(
        PrincipleKey.VALUE_CREATION, "The value each partner expects, in figures."
    ),
    "knowledge_map": DemoEvidence(
        PrincipleKey.KNOWLEDGE_SHARING, "What each partner knows and brings."
    ),
    "early_exit_considerations": DemoEvidence(
        PrincipleKey.EXIT_STRATEGY, "First thoughts on how the partners would part."
    ),
    "risk_evaluation": DemoEvidence(
        RISK_LINK, "Likelihood and impact scored together in the joint register."
    ),
    "capability_assessment": DemoEvidence(
        PrincipleKey.MEASUREMENT_OPTIMIZATION,
        "Each partner's first self-assessment against the twelve principles.",
    ),
    "internal_risks": DemoEvidence(
        PrincipleKey.RISK_MANAGEMENT, "Each partner keeps its own risk register."
    ),
    "collaborative_leaders_identified": DemoEvidence(
        PrincipleKey.COLLABORATIVE_LEADERSHIP, "The leaders named for each partner."
    ),
    "competences_identified": DemoEvidence(
        PrincipleKey.COMPETENCE_BEHAVIOUR, "Skills the relationship needs."
    ),
    "selection_criteria": DemoEvidence(
        PrincipleKey.RELATIONSHIP_MANAGEMENT,
        "What each partner looked for in the other, in the scope.",
    ),
    "shared_vision_evidence": DemoEvidence(
        PrincipleKey.VISIONS_VALUES, "The shared vision both partners signed up to."
    ),
    "proposed_joint_objectives": DemoEvidence(
        OBJECTIVE_LINK, "The first common objective, proposed before agreement."
    ),
    "partner_readiness_risk": DemoEvidence(
        RISK_LINK, "Readiness of both partners reviewed with the joint risks."
    ),
    "joint_rmp": DemoEvidence(
        PrincipleKey.RELATIONSHIP_MANAGEMENT, "The joint plan, signed off by all."
    ),
    "joint_management_team": DemoEvidence(
        PrincipleKey.GOVERNANCE_PROCESSES, "Members, roles and meeting cadence."
    ),
    "roles_and_structure": DemoEvidence(
        PrincipleKey.COLLABORATIVE_LEADERSHIP, "Who leads and what they may decide."
    ),
    "joint_objectives": DemoEvidence(
        OBJECTIVE_LINK, "Common objectives with measures, in the register."
    ),
    "behaviour_charter": DemoEvidence(
        PrincipleKey.VISIONS_VALUES, "The behaviours the partners expect."
    ),
    "information_sharing_and_communication": DemoEvidence(
        PrincipleKey.KNOWLEDGE_SHARING, "What is shared, with whom, and how."
    ),
    "joint_risk_register": DemoEvidence(
        RISK_LINK, "The joint risk register, reviewed by the team."
    ),
    "value_creation_process": DemoEvidence(
        PrincipleKey.VALUE_CREATION, "How ideas are collected, judged and shared."
    ),
    "value_definition": DemoEvidence(
        PrincipleKey.TRUST_MUTUAL_BENEFIT, "What each partner counts as a gain."
    ),
    "improvement_log": DemoEvidence(
        PrincipleKey.VALUE_CREATION, "The shared log of improvement ideas."
    ),
    "benefits_tracking": DemoEvidence(
        OBJECTIVE_LINK, "Benefits measured against the common objectives."
    ),
    "joint_monitoring": DemoEvidence(
        PrincipleKey.MEASUREMENT_OPTIMIZATION, "KPIs and the assessment schedule."
    ),
    "joint_reviews": DemoEvidence(
        PrincipleKey.MEASUREMENT_OPTIMIZATION, "The regular joint reviews."
    ),
    "corrective_actions": DemoEvidence(
        PrincipleKey.MEASUREMENT_OPTIMIZATION,
        "Assessment results become owned actions in the actions register.",
    ),
    "issue_resolution_process": DemoEvidence(
        PrincipleKey.TRUST_MUTUAL_BENEFIT, "The agreed steps for settling issues."
    ),
}


class DemoLifecycle(NamedTuple):
    """What a relationship's lifecycle checklist still lacks, and why."""

    # Items of its current stage the partners are still working on; every item of
    # an earlier stage is evidenced or skipped.
    still_open: tuple[str, ...] = ()
    # (artefact key, why the partners agreed to skip it)
    skipped: tuple[tuple[str, str], ...] = ()


LIFECYCLE: dict[str, DemoLifecycle] = {
    UBC: DemoLifecycle(still_open=("behaviour_charter",)),
    LARGE_MSME: DemoLifecycle(
        skipped=(
            (
                "organisation_rmp",
                "The suppliers are a micro and a medium firm: the partners agreed "
                "that the joint plan stands in for their own plans.",
            ),
        )
    ),
    # Version 2 of the plan, still a draft, adds the benefits report.
    ALLIANCE: DemoLifecycle(still_open=("benefits_tracking",)),
    # The confidentiality letter for test data is still being signed (an action).
    NORTHBRIDGE_CALDER: DemoLifecycle(
        still_open=("information_sharing_and_communication",)
    ),
}

RATING_EVIDENCE: dict[str, str] = {
    PrincipleKey.RELATIONSHIP_MANAGEMENT: "Named managers; meeting notes.",
    PrincipleKey.VISIONS_VALUES: "Shared vision statement in the plan.",
    PrincipleKey.BUSINESS_OBJECTIVES: "Objectives list with KPIs.",
    PrincipleKey.COLLABORATIVE_LEADERSHIP: "Joint team minutes; sponsor updates.",
    PrincipleKey.GOVERNANCE_PROCESSES: "Agreement, escalation route in the plan.",
    PrincipleKey.COMPETENCE_BEHAVIOUR: "Training records; behaviour charter.",
    PrincipleKey.TRUST_MUTUAL_BENEFIT: "Cost and benefit review notes.",
    PrincipleKey.VALUE_CREATION: "Value log.",
    PrincipleKey.KNOWLEDGE_SHARING: "Confidentiality and IP terms; shared drive.",
    PrincipleKey.RISK_MANAGEMENT: "Joint risk register.",
    PrincipleKey.MEASUREMENT_OPTIMIZATION: "Previous assessments and actions.",
    PrincipleKey.EXIT_STRATEGY: "Exit section of the plan.",
}

LEVEL_COMMENTS: dict[int, str] = {
    1: "Not in place yet.",
    2: "Started, but patchy; needs an action.",
    3: "Working as agreed.",
    4: "Working well and still improving.",
    5: "Best practice; worth sharing.",
}

ORGANISATION_NAMES: dict[str, str] = {
    organisation.slug: organisation.name for organisation in ORGANISATIONS
}

# (username, full name, organisation name, role label), for the README and tests.
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    *(
        (
            person.username,
            f"{person.first_name} {person.last_name}",
            ORGANISATION_NAMES[person.organisation],
            str(MembershipRole(person.role).label),
        )
        for person in PEOPLE
    ),
    (DEMO_ADMIN_USERNAME, "Site administrator", "(none)", "Superuser (admin site)"),
]


# --- Result ---------------------------------------------------------------------


@dataclass
class DemoLoadResult:
    """How many rows of each model a demo load created (by verbose plural name)."""

    created: dict[str, int] = field(default_factory=dict)

    def add(self, *, model: type[models.Model]) -> None:
        name = str(model._meta.verbose_name_plural)
        self.created[name] = self.created.get(name, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        if not self.total:
            return "nothing new, every demo row already exists"
        counts = ", ".join(f"{count} {name}" for name, count in self.created.items())
        return f"created {counts}"


# --- Loading --------------------------------------------------------------------


@transaction.atomic
def demo_load() -> DemoLoadResult:
    """Create whatever part of the demo data is missing; never change existing rows."""
    today = timezone.localdate()
    load_started_at = timezone.now()
    result = DemoLoadResult()
    organisations = _load_organisations(result=result)
    users = _load_people(organisations=organisations, result=result)
    _load_admin(result=result)
    _load_verified_addresses(result=result)
    for spec in RELATIONSHIPS:
        relationship = _load_relationship(spec=spec, today=today, result=result)
        partnerships = _load_partnerships(
            relationship=relationship,
            spec=spec,
            organisations=organisations,
            users=users,
            result=result,
        )
        _load_joint_management_team(
            relationship=relationship,
            spec=spec,
            partnerships=partnerships,
            users=users,
            result=result,
        )
        _load_assessment_schedule(relationship=relationship, result=result)
        _load_objectives(
            relationship=relationship,
            partnerships=partnerships,
            today=today,
            result=result,
        )
        risks = _load_risks(
            relationship=relationship,
            partnerships=partnerships,
            users=users,
            today=today,
            result=result,
        )
        _load_actions(
            relationship=relationship,
            risks=risks,
            users=users,
            today=today,
            result=result,
        )
        _load_private_records(
            relationship=relationship,
            partnerships=partnerships,
            since=load_started_at,
        )
        _backdate_new_records(relationship=relationship, since=load_started_at)
        # After the team, schedule and registers: the plan's texts are made from them.
        _load_plan(
            relationship=relationship,
            spec=spec,
            partnerships=partnerships,
            today=today,
            result=result,
        )
        _load_lifecycle(
            relationship=relationship, partnerships=partnerships, result=result
        )
        load_demo_evidence(
            relationship=relationship,
            partnerships=partnerships.values(),
            today=today,
            result=result,
        )
        _load_assessments(
            relationship=relationship,
            spec=spec,
            partnerships=partnerships,
            today=today,
            result=result,
        )
        _load_private_self_assessments(
            relationship=relationship,
            partnerships=partnerships,
            since=load_started_at,
        )
    demo_findings_load(
        organisations=organisations, users=users, today=today, result=result
    )
    demo_load_reviews(result=result)
    demo_external_auditor_load(password=DEMO_PASSWORD, result=result)
    return result


def recent_quarters(*, today: date, count: int = 4) -> list[tuple[date, date]]:
    """The last `count` complete calendar quarters before today, oldest first."""
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarters: list[tuple[date, date]] = []
    for _ in range(count):
        quarter_end = quarter_start - timedelta(days=1)
        quarter_start = date(quarter_end.year, quarter_end.month - 2, 1)
        quarters.append((quarter_start, quarter_end))
    return quarters[::-1]


def demo_level(
    *, latest_joint: int, quarters_before_latest: int, principle_index: int, offset: int
) -> int:
    """A rating level: joint views rise about one level over the year, in steps
    that differ by principle; a partner's own view sits `offset` from the joint."""
    catch_up = (quarters_before_latest + principle_index % 3) // 3
    return min(5, max(1, latest_joint - catch_up + offset))


def _get_or_create[ModelT: models.Model](
    *,
    model: type[ModelT],
    lookup: dict[str, Any],
    defaults: dict[str, Any] | None = None,
    result: DemoLoadResult,
) -> ModelT:
    """The row matching `lookup`, else a new validated one from lookup and defaults."""
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None:
        return existing
    instance = model(**lookup, **(defaults or {}))
    instance.full_clean()
    instance.save()
    result.add(model=model)
    return instance


def _moment(*, day: date) -> datetime:
    """Mid-morning on `day`, but never in the future."""
    return min(timezone.make_aware(datetime.combine(day, time(10, 0))), timezone.now())


def _load_organisations(*, result: DemoLoadResult) -> dict[str, Organisation]:
    return {
        spec.slug: _get_or_create(
            model=Organisation,
            lookup={"slug": spec.slug},
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "msme_size": spec.msme_size,
                "country": "United Kingdom",
                "website": f"https://www.{spec.domain}/",
            },
            result=result,
        )
        for spec in ORGANISATIONS
    }


def _load_people(
    *, organisations: dict[str, Organisation], result: DemoLoadResult
) -> dict[str, AbstractUser]:
    user_model = get_user_model()
    domains = {spec.slug: spec.domain for spec in ORGANISATIONS}
    usernames = [person.username for person in PEOPLE]
    existing = set(
        user_model.objects.filter(username__in=usernames).values_list(
            "username", flat=True
        )
    )
    # Password hashing is deliberately slow; one hash serves every new demo account.
    password_hash = make_password(DEMO_PASSWORD) if set(usernames) - existing else ""
    users: dict[str, AbstractUser] = {}
    for person in PEOPLE:
        user = _get_or_create(
            model=user_model,
            lookup={"username": person.username},
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": (
                    f"{person.first_name}.{person.last_name}@"
                    f"{domains[person.organisation]}"
                ).lower(),
                "password": password_hash,
            },
            result=result,
        )
        _get_or_create(
            model=Membership,
            lookup={
                "user": user,
                "organisation": organisations[person.organisation],
                "role": person.role,
            },
            result=result,
        )
        users[person.username] = user
    return users


def _load_admin(*, result: DemoLoadResult) -> None:
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        return
    _get_or_create(
        model=user_model,
        lookup={"username": DEMO_ADMIN_USERNAME},
        defaults={
            "first_name": "Site",
            "last_name": "Administrator",
            "email": "admin@partnerplan.example.org",
            "is_staff": True,
            "is_superuser": True,
            "password": make_password(DEMO_PASSWORD),
        },
        result=result,
    )


def _load_verified_addresses(*, result: DemoLoadResult) -> None:
    """A verified allauth address for each demo account, so that it logs in by
    e-mail (or username) with ACCOUNT_EMAIL_VERIFICATION "mandatory"."""
    usernames = [person.username for person in PEOPLE] + [DEMO_ADMIN_USERNAME]
    for user in get_user_model().objects.filter(username__in=usernames):
        if user.email:
            _get_or_create(
                model=EmailAddress,
                lookup={"user": user, "email": user.email},
                defaults={"verified": True, "primary": True},
                result=result,
            )


def _load_relationship(
    *, spec: DemoRelationship, today: date, result: DemoLoadResult
) -> Relationship:
    start_date = (today - timedelta(days=spec.started_days_ago)).replace(day=1)
    return _get_or_create(
        model=Relationship,
        lookup={"reference": spec.reference},
        defaults={
            "title": spec.title,
            "kind": spec.kind,
            "description": spec.description,
            "stage": LifecycleStage.objects.get(number=spec.stage_number),
            "status": RelationshipStatus.ACTIVE,
            "start_date": start_date,
        },
        result=result,
    )


def _manager_username(*, partner: DemoPartner) -> str:
    if partner.manager:
        return partner.manager
    return next(
        person.username
        for person in PEOPLE
        if person.organisation == partner.organisation and person.role == MANAGER
    )


def _team_seats(*, partner: DemoPartner) -> tuple[DemoSeat, ...]:
    if partner.team:
        return partner.team
    return tuple(
        DemoSeat(person.username, person.jmt_title, person.jmt_leadership)
        for person in PEOPLE
        if person.organisation == partner.organisation and person.jmt_title
    )


def _load_partnerships(
    *,
    relationship: Relationship,
    spec: DemoRelationship,
    organisations: dict[str, Organisation],
    users: dict[str, AbstractUser],
    result: DemoLoadResult,
) -> dict[str, Partnership]:
    """The relationship's partnerships by organisation slug, lead first."""
    return {
        partner.organisation: _get_or_create(
            model=Partnership,
            lookup={
                "relationship": relationship,
                "organisation": organisations[partner.organisation],
            },
            defaults={
                "role": partner.role,
                "relationship_manager": users[_manager_username(partner=partner)],
                "senior_executive": users[partner.senior_executive],
            },
            result=result,
        )
        for partner in spec.partners
    }


def _load_joint_management_team(
    *,
    relationship: Relationship,
    spec: DemoRelationship,
    partnerships: dict[str, Partnership],
    users: dict[str, AbstractUser],
    result: DemoLoadResult,
) -> None:
    """Each partner's seats, held by people of that partner's own organisation."""
    person_organisations = {person.username: person.organisation for person in PEOPLE}
    for partner in spec.partners:
        for seat in _team_seats(partner=partner):
            if person_organisations[seat.username] != partner.organisation:
                raise ValueError(
                    f"{seat.username} cannot represent {partner.organisation}."
                )
            _get_or_create(
                model=JointManagementTeamMember,
                lookup={"relationship": relationship, "user": users[seat.username]},
                defaults={
                    "partnership": partnerships[partner.organisation],
                    "role_title": seat.role_title,
                    "is_leadership": seat.is_leadership,
                },
                result=result,
            )


def _load_assessment_schedule(
    *, relationship: Relationship, result: DemoLoadResult
) -> None:
    # Stored rather than left to the quarterly default, so that the plan's review
    # cadence can be read from it (and shows on the reports page as chosen).
    _get_or_create(
        model=AssessmentSchedule,
        lookup={"relationship": relationship},
        defaults={"cadence": Cadence.QUARTERLY},
        result=result,
    )


def _load_plan(
    *,
    relationship: Relationship,
    spec: DemoRelationship,
    partnerships: dict[str, Partnership],
    today: date,
    result: DemoLoadResult,
) -> None:
    lead_manager = next(iter(partnerships.values())).relationship_manager
    plan = _get_or_create(
        model=Plan,
        lookup={"relationship": relationship},
        defaults={"depth": plan_default_depth(relationship)},
        result=result,
    )
    latest_number = max(version.number for version in spec.plan_versions)
    for version_spec in spec.plan_versions:
        plan_version = _get_or_create(
            model=PlanVersion,
            lookup={"plan": plan, "number": version_spec.number},
            defaults={
                "status": version_spec.status,
                "summary": version_spec.summary,
                "created_by": lead_manager,
                "submitted_at": _days_ago_moment(
                    today=today, days=version_spec.submitted_days_ago
                ),
                "approved_at": _days_ago_moment(
                    today=today, days=version_spec.approved_days_ago
                ),
                "submission_round": 0 if version_spec.status == "draft" else 1,
            },
            result=result,
        )
        for principle_key, summary in zip(
            PRINCIPLE_KEYS, _plan_summaries(relationship=relationship), strict=True
        ):
            if version_spec.number < latest_number:
                summary = _first_sentence(summary)
            content = {
                **_demo_required_answers(
                    principle_key=principle_key, relationship=relationship, plan=plan
                ),
                **_plan_structured_answers(
                    principle_key=principle_key, relationship=relationship, plan=plan
                ),
                "summary": summary,
            }
            _get_or_create(
                model=PlanSection,
                lookup={"plan_version": plan_version, "principle_key": principle_key},
                defaults={"content": content, "updated_by": lead_manager},
                result=result,
            )
        # After the sections: a sign-off is bound to the content it was given on.
        _load_plan_decisions(
            plan_version=plan_version, partnerships=partnerships, result=result
        )
        _backdate_plan_version(plan_version)
        _backdate_plan_sections(plan_version)
        _backdate_plan_version_history(plan_version)
    _backdate_plan(plan)


def _joined(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]]))


def _cadence_words(cadence: str) -> str:
    return dict(CADENCE_CHOICES)[cadence].lower()


def _plan_summaries(*, relationship: Relationship) -> list[str]:
    """The relationship's section summaries, their placeholders filled from the
    data the app keeps: partnerships, assessment schedule and PLAN_FACTS."""
    facts = PLAN_FACTS[relationship.reference]
    partnerships = list(
        relationship.partnerships.select_related("organisation", "relationship_manager")
    )
    schedule = relationship_schedule(relationship=relationship)
    values = {
        "managers": _joined(
            [
                f"{person_name(partnership.relationship_manager)} "
                f"({partnership.organisation.name})"
                for partnership in partnerships
            ]
        ),
        "senior_executives": "; ".join(
            f"{person_name(partnership.senior_executive)}, for "
            f"{partnership.organisation.name}"
            for partnership in partnerships
        ),
        "meeting_cadence": _cadence_words(facts.meeting_cadence),
        "risk_review_cadence": _cadence_words(facts.risk_review_cadence),
        "assessment_cadence": _cadence_words(schedule.cadence),
        "notice_days": str(facts.notice_days),
    }
    return [
        summary.format_map(values) for summary in PLAN_SUMMARIES[relationship.reference]
    ]


def _plan_structured_answers(
    *, principle_key: str, relationship: Relationship, plan: Plan
) -> dict[str, Any]:
    """The section's answers that restate data the app keeps elsewhere (team seats,
    senior executives, objectives, the assessment schedule) or that its summary
    mentions (PLAN_FACTS), made from that data so that they cannot disagree."""
    facts = PLAN_FACTS[relationship.reference]
    fields = {
        plan_field.key: plan_field
        for plan_field in section_fields(
            principle_key=principle_key, relationship_kind=relationship.kind
        )
    }
    match principle_key:
        case PrincipleKey.RELATIONSHIP_MANAGEMENT:
            answers: dict[str, Any] = {"engagement_model": facts.engagement_model}
        case PrincipleKey.COLLABORATIVE_LEADERSHIP:
            answers = {
                "senior_leaders": "; ".join(
                    f"{partnership.organisation.name}: "
                    f"{person_name(partnership.senior_executive)}"
                    for partnership in relationship.partnerships.select_related(
                        "organisation"
                    )
                )
                + "."
            }
        case PrincipleKey.GOVERNANCE_PROCESSES:
            answers = {
                "joint_management_team": _team_text(relationship=relationship),
                "meeting_cadence": facts.meeting_cadence,
            }
        case PrincipleKey.BUSINESS_OBJECTIVES:
            answers = _objectives_answers(relationship=relationship)
            # A partner's own aims are spelled out to every partner only where the
            # plan's depth asks for them.
            if not fields["partner_objectives"].is_required_at(plan.depth):
                answers.pop("partner_objectives")
        case PrincipleKey.RISK_MANAGEMENT:
            answers = {"review_cadence": facts.risk_review_cadence}
        case PrincipleKey.MEASUREMENT_OPTIMIZATION:
            cadence = relationship_schedule(relationship=relationship).cadence
            answers = {
                "review_cadence": cadence,
                "assessments_per_year": 12 // CADENCE_MONTHS[cadence],
            }
        case PrincipleKey.KNOWLEDGE_SHARING:
            answers = {"ip_ownership": facts.ip_ownership}
        case PrincipleKey.EXIT_STRATEGY:
            answers = {"notice_period_days": facts.notice_days}
        case _:
            answers = {}
    return {key: value for key, value in answers.items() if key in fields}


def _team_text(*, relationship: Relationship) -> str:
    seats = relationship.jmt_members.select_related(
        "user", "partnership__organisation"
    ).order_by(
        "partnership__role",
        "partnership__organisation__name",
        "-is_leadership",
        "user__last_name",
    )
    members = "; ".join(
        f"{person_name(seat.user)}, {seat.role_title} "
        f"({seat.partnership.organisation.name})"
        for seat in seats
    )
    return (
        f"{members}. The team sets priorities, keeps the registers up to date and "
        "settles issues before they reach the senior executives."
    )


def _objectives_answers(*, relationship: Relationship) -> dict[str, str]:
    # The plan is read by every partner: a partner's private objective stays out.
    objectives = list(
        Objective.objects.filter(relationship=relationship, visibility=Visibility.JOINT)
        .select_related("owner__organisation")
        .order_by("pk")
    )
    common = [objective.title for objective in objectives if objective.owner is None]
    own = [
        f"{objective.owner.organisation.name}: {objective.title}"
        for objective in objectives
        if objective.owner is not None
    ]
    return {
        "joint_objectives": "; ".join(common) + ". Measures and dates are in the "
        "objectives register.",
        "partner_objectives": "; ".join(own) + ".",
    }


def _demo_required_answers(
    *, principle_key: str, relationship: Relationship, plan: Plan
) -> dict[str, Any]:
    """Short answers to the fields the plan's depth requires, so that submitted and
    approved demo versions are complete, as the sign-off rules demand."""
    answers: dict[str, Any] = {}
    fields = section_fields(
        principle_key=principle_key, relationship_kind=relationship.kind
    )
    for plan_field in required_fields(fields=fields, depth=plan.depth):
        match plan_field.kind:
            case FieldKind.CHOICE:
                answers[plan_field.key] = plan_field.choices[0][0]
            case FieldKind.DATE:
                answers[plan_field.key] = relationship.start_date.isoformat()
            case FieldKind.INTEGER:
                answers[plan_field.key] = _demo_number(plan_field)
            case _:
                answers[plan_field.key] = (
                    "Agreed at the joint kick-off workshop; see the minutes."
                )
    return answers


def _demo_number(plan_field: Any) -> int:
    """30 (days, people, a cadence...), kept within the field's bounds."""
    number = 30
    if plan_field.max_value is not None:
        number = min(number, plan_field.max_value)
    if plan_field.min_value is not None:
        number = max(number, plan_field.min_value)
    return number


def _load_plan_decisions(
    *,
    plan_version: PlanVersion,
    partnerships: dict[str, Partnership],
    result: DemoLoadResult,
) -> None:
    """Approved versions carry every partner's sign-off; a version awaiting
    sign-off has all but the last partner's, so someone still has to decide."""
    if plan_version.status == PlanVersionStatus.DRAFT:
        return
    signers = list(partnerships.values())
    if plan_version.status == PlanVersionStatus.SUBMITTED:
        signers = signers[:-1]
    for partnership in signers:
        _get_or_create(
            model=PlanDecision,
            lookup={
                "plan_version": plan_version,
                "partnership": partnership,
                "submission_round": 1,
            },
            defaults={
                "decision": PlanDecisionKind.APPROVE,
                "decided_by": partnership.relationship_manager,
                "content_sha256": plan_version_fingerprint(plan_version=plan_version),
            },
            result=result,
        )


def _backdate_plan_version(plan_version: PlanVersion) -> None:
    """A demo version submitted weeks ago was drafted before that, and signed off
    between its submission and its approval; the automatic timestamps say "today".
    Derived from the version's own stored dates, so loading again changes nothing.
    """
    if plan_version.submitted_at is None:
        return  # a draft: started recently, as its timestamp says
    PlanVersion.objects.filter(pk=plan_version.pk).update(
        created_at=plan_version.submitted_at - timedelta(days=14)
    )
    decisions = list(
        plan_version.decisions.order_by("partnership__role", "pk").values_list(
            "pk", flat=True
        )
    )
    for index, decision_pk in enumerate(decisions):
        last = index == len(decisions) - 1
        decided_at = (
            plan_version.approved_at
            if last and plan_version.approved_at
            else plan_version.submitted_at + timedelta(days=2 + index)
        )
        PlanDecision.objects.filter(pk=decision_pk).update(decided_at=decided_at)


def _backdate_plan_sections(plan_version: PlanVersion) -> None:
    """A submitted version's sections were last saved before its submission (and
    so before any approval), not when the demo was loaded. Only what was written
    after the submission moves, so a second load, or sections someone saved
    before submitting a version themselves, stay as they are."""
    if plan_version.submitted_at is None:
        return
    saved_at = plan_version.submitted_at - timedelta(days=1)
    PlanSection.objects.filter(
        plan_version=plan_version, updated_at__gt=plan_version.submitted_at
    ).update(updated_at=saved_at)
    PlanSection.history.model.objects.filter(
        plan_version_id=plan_version.pk,
        history_type="+",
        history_date__gt=plan_version.submitted_at,
    ).update(history_date=saved_at)


def _backdate_plan_version_history(plan_version: PlanVersion) -> None:
    """The History page dates a demo version's creation by its own last step (its
    approval or submission), as it was then, rather than by the day of the load."""
    stamped_at = plan_version.approved_at or plan_version.submitted_at
    if stamped_at is None:
        return
    PlanVersion.history.model.objects.filter(
        id=plan_version.pk, history_type="+", history_date__gt=stamped_at
    ).update(history_date=stamped_at)


def _backdate_plan(plan: Plan) -> None:
    """A plan is as old as its first version."""
    first_created_at = plan.versions.order_by("created_at").values_list(
        "created_at", flat=True
    )[0]
    Plan.objects.filter(pk=plan.pk, created_at__gt=first_created_at).update(
        created_at=first_created_at
    )
    Plan.history.model.objects.filter(
        id=plan.pk, history_type="+", history_date__gt=first_created_at
    ).update(history_date=first_created_at)


def _days_ago_moment(*, today: date, days: int | None) -> datetime | None:
    return None if days is None else _moment(day=today - timedelta(days=days))


def _first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].rstrip(".") + "."


def _load_objectives(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    today: date,
    result: DemoLoadResult,
) -> None:
    for spec in OBJECTIVES:
        if spec.relationship != relationship.reference:
            continue
        _get_or_create(
            model=Objective,
            lookup={"relationship": relationship, "title": spec.title},
            defaults={
                "owner": partnerships[spec.owner] if spec.owner else None,
                "horizon": spec.horizon,
                "milestone_date": today + timedelta(days=spec.milestone_in_days),
                "kpi_name": spec.kpi_name,
                "kpi_unit": spec.kpi_unit,
                "kpi_target": spec.kpi_target,
                "kpi_actual": spec.kpi_actual,
                "status": spec.status,
            },
            result=result,
        )


def _load_risks(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    users: dict[str, AbstractUser],
    today: date,
    result: DemoLoadResult,
) -> dict[str, Risk]:
    """The relationship's demo risks by title."""
    risks: dict[str, Risk] = {}
    for spec in RISKS:
        if spec.relationship != relationship.reference:
            continue
        risks[spec.title] = _get_or_create(
            model=Risk,
            lookup={"relationship": relationship, "title": spec.title},
            defaults={
                "owner_partnership": (
                    partnerships[spec.owner_partner] if spec.owner_partner else None
                ),
                "likelihood": spec.likelihood,
                "impact": spec.impact,
                "mitigation": spec.mitigation,
                "owner": users[spec.owner],
                "review_date": today + timedelta(days=spec.review_in_days),
                "status": spec.status,
            },
            result=result,
        )
    return risks


def _load_actions(
    *,
    relationship: Relationship,
    risks: dict[str, Risk],
    users: dict[str, AbstractUser],
    today: date,
    result: DemoLoadResult,
) -> None:
    for spec in ACTIONS:
        if spec.relationship != relationship.reference:
            continue
        due_date = today + timedelta(days=spec.due_in_days)
        completed_at = (
            _moment(day=due_date - timedelta(days=2))
            if spec.status == ActionStatus.DONE
            else None
        )
        _get_or_create(
            model=Action,
            lookup={"relationship": relationship, "title": spec.title},
            defaults={
                "source": spec.source,
                "principle_key": spec.principle_key,
                "risk": risks[spec.risk] if spec.risk else None,
                "owner": users[spec.owner],
                "due_date": due_date,
                "status": spec.status,
                "completed_at": completed_at,
            },
            result=result,
        )


def _backdate_new_records(*, relationship: Relationship, since: datetime) -> None:
    """Rows this load created say when the story has them made, rather than the
    moment of the load: the relationship and its objectives and risks when it
    started, each action some weeks before it is due. Rows that existed before
    the load, and any edits made while trying the app, are left alone."""
    started_at = _moment(day=relationship.start_date)
    _backdate_created(
        rows=Relationship.objects.filter(pk=relationship.pk),
        since=since,
        moment=lambda _: started_at,
    )
    for model in (Objective, Risk):
        _backdate_created(
            rows=model.objects.filter(relationship=relationship),
            since=since,
            moment=lambda _: started_at,
        )
    _backdate_created(
        rows=Action.objects.filter(relationship=relationship),
        since=since,
        moment=lambda action: max(
            started_at, _moment(day=action.due_date - DEMO_ACTION_LEAD_TIME)
        ),
    )


# How long before its due date a demo action was raised.
DEMO_ACTION_LEAD_TIME = timedelta(days=60)


def _backdate_created(
    *,
    rows: models.QuerySet,
    since: datetime,
    moment: Callable[[Any], datetime],
) -> None:
    model = rows.model
    fields = {field.name for field in model._meta.get_fields()}
    for row in rows.filter(created_at__gte=since):
        created_at = moment(row)
        changes = {"created_at": created_at}
        if "updated_at" in fields:
            changes["updated_at"] = created_at
        model.objects.filter(pk=row.pk).update(**changes)
        model.history.model.objects.filter(id=row.pk, history_type="+").update(
            history_date=created_at
        )


# The stage a relationship enters when its first joint plan is approved.
WORKING_TOGETHER_STAGE = 5
# Time spent in each stage after working together begins.
DEMO_STAGE_SPAN = timedelta(days=91)


def _load_lifecycle(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    result: DemoLoadResult,
) -> None:
    """The demo relationship's way to its stage: a recorded move into each stage
    after the first, and evidence for the items of every stage it has passed and
    of its current one, except those LIFECYCLE says are still open or skipped."""
    lead_manager = next(iter(partnerships.values())).relationship_manager
    entered = _load_stage_transitions(
        relationship=relationship, moved_by=lead_manager, result=result
    )
    _load_artefact_evidence(
        relationship=relationship,
        recorded_by=lead_manager,
        entered=entered,
        result=result,
    )


def _stage_entry_moments(*, relationship: Relationship) -> dict[int, datetime]:
    """When the relationship entered each stage up to its current one: stage 5
    with its first approved joint plan, earlier stages evenly from its start
    date, later ones a quarter apart."""
    current = relationship.stage.number
    start = _moment(day=relationship.start_date)
    first_approval = (
        PlanVersion.objects.filter(plan__relationship=relationship)
        .exclude(approved_at=None)
        .order_by("approved_at")
        .values_list("approved_at", flat=True)
        .first()
    )
    if first_approval is None or current < WORKING_TOGETHER_STAGE:
        step = (timezone.now() - start) / current
        return {
            number: _morning_of(start + step * (number - 1))
            for number in range(1, current + 1)
        }
    step = (first_approval - start) / (WORKING_TOGETHER_STAGE - 1)
    moments = {
        number: _morning_of(start + step * (number - 1))
        for number in range(1, WORKING_TOGETHER_STAGE)
    }
    moments[WORKING_TOGETHER_STAGE] = first_approval
    for number in range(WORKING_TOGETHER_STAGE + 1, current + 1):
        moments[number] = _morning_of(
            first_approval + DEMO_STAGE_SPAN * (number - WORKING_TOGETHER_STAGE)
        )
    return moments


def _morning_of(moment: datetime) -> datetime:
    return _moment(day=timezone.localtime(moment).date())


def _load_stage_transitions(
    *, relationship: Relationship, moved_by: AbstractUser, result: DemoLoadResult
) -> dict[int, datetime]:
    """Stage number -> when the relationship entered it. Moves are recorded only
    for a relationship without any, so moves made while trying the app stand."""
    entered = _stage_entry_moments(relationship=relationship)
    if relationship.stage_transitions.exists():
        return entered
    stages = {stage.number: stage for stage in LifecycleStage.objects.all()}
    for number in range(2, relationship.stage.number + 1):
        transition = StageTransition(
            relationship=relationship,
            from_stage=stages[number - 1],
            to_stage=stages[number],
            reason=(
                f"Checklist of stage {number - 1} reviewed by the joint management "
                "team; both partners agreed to move on."
            ),
            moved_by=moved_by,
        )
        transition.full_clean()
        transition.save()
        StageTransition.objects.filter(pk=transition.pk).update(
            moved_at=entered[number]
        )
        result.add(model=StageTransition)
    return entered


def _load_artefact_evidence(
    *,
    relationship: Relationship,
    recorded_by: AbstractUser,
    entered: dict[int, datetime],
    result: DemoLoadResult,
) -> None:
    lifecycle = LIFECYCLE.get(relationship.reference, DemoLifecycle())
    skipped = dict(lifecycle.skipped)
    current = relationship.stage.number
    evidenced_ids = set(
        ArtefactEvidence.objects.filter(relationship=relationship).values_list(
            "artefact_id", flat=True
        )
    )
    links: dict[str, dict[str, Any]] = {
        OBJECTIVE_LINK: {
            "objective": Objective.objects.filter(
                relationship=relationship, owner=None, visibility=Visibility.JOINT
            )
            .order_by("pk")
            .first()
        },
        RISK_LINK: {
            "risk": Risk.objects.filter(
                relationship=relationship,
                owner_partnership=None,
                visibility=Visibility.JOINT,
            )
            .order_by("pk")
            .first()
        },
    }
    artefacts = StageArtefact.objects.filter(stage__number__lte=current).select_related(
        "stage"
    )
    for artefact in artefacts.order_by("stage__number", "order"):
        stage_number = artefact.stage.number
        if artefact.pk in evidenced_ids or (
            stage_number == current and artefact.key in lifecycle.still_open
        ):
            continue
        if artefact.key in skipped:
            fields: dict[str, Any] = {
                "status": EvidenceStatus.SKIPPED,
                "note": skipped[artefact.key],
            }
        else:
            how = ARTEFACT_EVIDENCE[artefact.key]
            fields = {
                "status": EvidenceStatus.EVIDENCED,
                "note": how.note,
                **links.get(how.link, {"plan_section_key": how.link}),
            }
        evidence = ArtefactEvidence(
            relationship=relationship,
            artefact=artefact,
            recorded_by=recorded_by,
            **fields,
        )
        evidence.full_clean()
        evidence.save()
        result.add(model=ArtefactEvidence)
        # Recorded while the relationship was at that stage: just before it moved
        # on, or a fortnight into its current stage.
        recorded_at = (
            entered[stage_number + 1] - timedelta(days=1)
            if stage_number < current
            else min(entered[current] + timedelta(days=14), timezone.now())
        )
        ArtefactEvidence.objects.filter(pk=evidence.pk).update(recorded_at=recorded_at)


def _load_assessments(
    *,
    relationship: Relationship,
    spec: DemoRelationship,
    partnerships: dict[str, Partnership],
    today: date,
    result: DemoLoadResult,
) -> None:
    principles = list(
        Principle.objects.filter(principle_set__key=relationship.principle_set_key)
    )
    lead_manager = next(iter(partnerships.values())).relationship_manager
    quarters = recent_quarters(today=today)
    for quarter_index, (period_start, period_end) in enumerate(quarters):
        quarters_before_latest = len(quarters) - 1 - quarter_index
        raters: list[tuple[Partnership | None, tuple[int, ...]]] = [
            (partnerships[partner.organisation], partner.self_view)
            for partner in spec.partners
        ]
        raters.append((None, (0,) * len(PRINCIPLE_KEYS)))
        for partnership, self_view in raters:
            assessment = _get_or_create(
                model=Assessment,
                lookup={
                    "relationship": relationship,
                    "period_start": period_start,
                    "kind": AssessmentKind.SELF
                    if partnership
                    else AssessmentKind.JOINT,
                    "partnership": partnership,
                },
                defaults={
                    "period_end": period_end,
                    "status": AssessmentStatus.FINAL,
                    "created_by": (
                        partnership.relationship_manager
                        if partnership
                        else lead_manager
                    ),
                    "submitted_at": _moment(day=period_end + timedelta(days=10)),
                    "finalised_at": _moment(day=period_end + timedelta(days=14)),
                },
                result=result,
            )
            levels = {
                principle_key: demo_level(
                    latest_joint=latest_joint,
                    quarters_before_latest=quarters_before_latest,
                    principle_index=principle_index,
                    offset=offset,
                )
                for principle_index, (principle_key, latest_joint, offset) in enumerate(
                    zip(
                        PRINCIPLE_KEYS, spec.latest_joint_levels, self_view, strict=True
                    )
                )
            }
            _load_ratings(
                assessment=assessment,
                principles=principles,
                levels=levels,
                voice=partnership.organisation.name if partnership else "Joint view",
                result=result,
            )
            if partnership is None:
                _load_confirmations(
                    assessment=assessment,
                    partnerships=list(partnerships.values()),
                    result=result,
                )


def _load_confirmations(
    *,
    assessment: Assessment,
    partnerships: list[Partnership],
    result: DemoLoadResult,
) -> None:
    """A final joint assessment is one every partner's manager confirmed, on the
    ratings it has, between its submission and its finalisation."""
    fingerprint = assessment_fingerprint(assessment=assessment)
    for index, partnership in enumerate(partnerships):
        _get_or_create(
            model=AssessmentConfirmation,
            lookup={
                "assessment": assessment,
                "partnership": partnership,
                "decision": ConfirmationDecision.CONFIRM,
            },
            defaults={
                "content_sha256": fingerprint,
                "decided_by": partnership.relationship_manager,
                "decided_at": _moment(
                    day=assessment.period_end + timedelta(days=11 + index)
                ),
            },
            result=result,
        )


def _load_ratings(
    *,
    assessment: Assessment,
    principles: list[Principle],
    levels: dict[str, int],
    voice: str,
    result: DemoLoadResult,
) -> None:
    rated_principle_ids = set(assessment.ratings.values_list("principle_id", flat=True))
    for principle in principles:
        if principle.pk in rated_principle_ids:
            continue
        level = levels[principle.key]
        principle_rating = PrincipleRating(
            assessment=assessment,
            principle=principle,
            level=level,
            evidence=RATING_EVIDENCE[principle.key],
            comment=f"{voice}: {LEVEL_COMMENTS[level]}",
        )
        principle_rating.full_clean()
        principle_rating.save()
        result.add(model=PrincipleRating)


# --- partner-private records of the supplier programme -------------------------

# Whose eyes the programme's records are for (model, title, shared with). One
# supplier keeps its cash-flow risk between itself and the lead, the other keeps
# its alloy objective to itself, and the lead keeps its delivery objective; the
# common records and the rest stay joint, as do the lead's self-assessments.
type DemoPrivateRecord = tuple[type[PartnerPrivateRecord], str, tuple[str, ...]]
DEMO_PRIVATE_RECORDS: tuple[DemoPrivateRecord, ...] = (
    (Risk, "Late payment strains cash flow", ("calder-engineering",)),
    (Objective, "Qualify a second casting alloy", ()),
    (Objective, "Improve on-time delivery of machined parts", ()),
)


def _load_private_records(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    since: datetime,
) -> None:
    """Make the programme's private register entries private, when this load
    created them (before the plan and the lifecycle evidence, which every partner
    reads, pick their joint records; and before their dates move back into the
    story). Entries that existed before the load are left alone, so a second
    load changes nothing."""
    if relationship.reference != LARGE_MSME:
        return
    for model, title, shared_slugs in DEMO_PRIVATE_RECORDS:
        record = model.objects.filter(
            relationship=relationship,
            title=title,
            visibility=Visibility.JOINT,
            created_at__gte=since,
        ).first()
        if record is not None:
            _make_private(record, [partnerships[slug] for slug in shared_slugs])


def _load_private_self_assessments(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    since: datetime,
) -> None:
    """The suppliers' self-assessments this load created are theirs and the
    lead's (the app's default for a supplier's own record)."""
    if relationship.reference != LARGE_MSME:
        return
    leads = [
        partnership
        for partnership in partnerships.values()
        if partnership.role == PartnerRole.LEAD
    ]
    for assessment in Assessment.objects.filter(
        relationship=relationship,
        kind=AssessmentKind.SELF,
        visibility=Visibility.JOINT,
        created_at__gte=since,
    ).exclude(partnership__in=leads):
        _make_private(assessment, leads)


def _make_private(record: PartnerPrivateRecord, shared_with: list[Partnership]) -> None:
    # Part of creating the record, as the story has it: no change in its history.
    record.visibility = Visibility.PARTNER
    record.full_clean()
    record.skip_history_when_saving = True
    record.save(update_fields=["visibility"])
    del record.skip_history_when_saving
    record.shared_with.set(shared_with)
