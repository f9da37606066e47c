"""Demo data for local evaluation: three relationships with their people and history.

Every row is found by a natural key (organisation slug, username, relationship
reference, titles, assessment period) and only created when missing, so loading
twice creates nothing new and leaves existing rows, including any edits made while
trying the app, untouched. Dates are relative to the day of the first load; the
assessments cover the four complete calendar quarters before today, so a later
load adds the quarters that have ended since.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone

from assessments.choices import (
    AssessmentKind,
    AssessmentStatus,
    ConfirmationDecision,
)
from assessments.models import Assessment, AssessmentConfirmation, PrincipleRating
from assessments.selectors.confirmations import assessment_fingerprint
from principles.choices import PrincipleKey
from principles.models import LifecycleStage, Principle
from relationships.choices import (
    ActionSource,
    ActionStatus,
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
)
from relationships.models import (
    Action,
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
)
from relationships.plan_schema import FieldKind, required_fields, section_fields
from relationships.selectors.plans import plan_version_fingerprint
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


class DemoPartner(NamedTuple):
    organisation: str
    role: str
    senior_executive: str
    # How far the partner's own rating sits from the joint one, per principle in
    # canonical order: partners rarely see themselves exactly as the joint view does.
    self_view: tuple[int, ...]


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
                "Professor Ruth Adeyemi, Pro-Vice-Chancellor for Research",
                (0, 1, 0, 0, -1, 0, 0, 1, 1, 0, 0, 0),
            ),
            DemoPartner(
                "lumen-sensors",
                PartnerRole.PARTNER,
                "Sarah Lund, Managing Director",
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
                "Adds IP ownership and publication review rules; new placement target.",
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
                "David Calloway, Chief Operating Officer",
                (0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0),
            ),
            DemoPartner(
                "wren-precision",
                PartnerRole.PARTNER,
                "Sam Wren, Director",
                (0, 0, 0, 0, -1, 1, -1, 0, 0, 0, 0, 0),
            ),
            DemoPartner(
                "hartley-castings",
                PartnerRole.PARTNER,
                "Daniel Reeves, Managing Director",
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
                "Andrew Blake, Chief Information Officer",
                (0, 0, 0, 0, 0, 0, -1, 1, -1, 0, 0, 0),
            ),
            DemoPartner(
                "brightline-digital",
                PartnerRole.PARTNER,
                "Grace Ndlovu, Delivery Director",
                (0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, -1),
            ),
        ),
        latest_joint_levels=(4, 4, 4, 4, 4, 3, 3, 3, 3, 4, 3, 2),
        plan_versions=(
            DemoPlanVersion(
                1,
                PlanVersionStatus.DRAFT,
                "First draft of the joint plan for the alliance board.",
            ),
        ),
    ),
]

# Each relationship's plan, one summary per principle in canonical order. Older
# versions hold only the first sentence: later versions expanded them.
PLAN_SUMMARIES: dict[str, tuple[str, ...]] = {
    UBC: (
        "Priya Raman (Northbridge) and Tom Fletcher (Lumen) manage the partnership "
        "day to day and meet every fortnight. The joint management team meets "
        "monthly and reviews this plan each quarter.",
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
        "Disagreements go first to the joint management team, then to the "
        "Pro-Vice-Chancellor and Lumen's managing director.",
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
        "own. The highest risks are reported to both senior executives.",
        "Every quarter each side rates itself against the 12 principles. We then "
        "agree a joint view and raise actions for low scores.",
        "If the partnership ends, students finish their placements, shared equipment "
        "goes back to its owner and licence terms survive. A fuller exit plan is due "
        "this year.",
    ),
    LARGE_MSME: (
        "Mark Devlin manages the programme for Calder; Sam Wren and Emma Booth are "
        "the supplier contacts. Meetings are short and combined with existing "
        "supplier reviews so that small firms are not overloaded.",
        "We want a dependable local supply chain for Calder's pump range in which "
        "small suppliers can grow. We value plain dealing, prompt payment and early "
        "warning of problems.",
        "Common objectives are simplified contracts and a joint demand plan. Wren "
        "wants payment within 30 days, Hartley a second qualified alloy, and Calder "
        "on-time delivery of machined parts above 98%.",
        "Calder's Head of Procurement sponsors the programme. Each supplier's "
        "director can commit their firm, and no supplier is asked to send more than "
        "one person to a meeting.",
        "A two-page framework agreement replaces Calder's standard supplier "
        "contract. Issues go to the relationship managers first, then to Calder's "
        "COO and the supplier's director.",
        "Calder judges supplier competence by track record and management "
        "commitment rather than certificates. Its quality and lean training is open "
        "to supplier staff free of charge.",
        "Calder pays MSME invoices on 30-day terms and shares its forecast. "
        "Suppliers give early notice of capacity problems.",
        "Suppliers propose design-for-manufacture changes on a one-page form. "
        "Accepted ideas are credited to the supplier and their savings shared.",
        "Calder shares a rolling six-month demand forecast and drawings under a "
        "short confidentiality letter. Suppliers keep ownership of their process "
        "know-how.",
        "The joint register covers demand, payment and quality risks. Calder helps "
        "each supplier keep its own register to a single page reviewed quarterly.",
        "Each quarter all three partners rate themselves against the 12 principles "
        "and agree a joint view. Delivery and payment KPIs are reported monthly.",
        "Either side can leave with six months' notice. Calder will buy finished "
        "stock and tooling made for it, and give a reference to help suppliers win "
        "new customers.",
    ),
    ALLIANCE: (
        "Rachel Hughes (Eastmere) and Leo Martins (Brightline) run the alliance "
        "together from a shared office at Eastmere's operations centre.",
        "Our aim is smarter networks that lose less water. Both firms commit to "
        "honest reporting, shared savings and putting customers first during "
        "system changes.",
        "Common objectives are cutting leakage by 12 Ml/day and agreeing the "
        "shared-savings model. Eastmere wants fewer field visits; Brightline wants "
        "all 14 depots on its field-service platform.",
        "Eastmere's Director of Digital Operations and Brightline's Delivery "
        "Director co-chair the alliance board, which meets monthly.",
        "The alliance board owns this plan. Spending above the agreed budget needs "
        "sign-off from both firms; disputes go to an independent adjudicator.",
        "Joint teams work to one behaviour charter. New staff on either side get a "
        "half-day induction to the alliance and its ways of working.",
        "Savings beyond the baseline are split 60/40 in Eastmere's favour. All "
        "alliance work is costed on an open-book basis.",
        "A joint value log records ideas, their owners and estimated savings. The "
        "board reviews it every month.",
        "Telemetry is shared under the data-sharing agreement and used only for "
        "alliance work. Brightline's platform stays Brightline's; configurations "
        "made for Eastmere belong to Eastmere.",
        "A joint risk register sits alongside each firm's own. Data protection and "
        "cut-over risks are reviewed at every board meeting.",
        "Each firm assesses itself quarterly and the board agrees a joint view. A "
        "gap of two levels or more between the firms triggers a workshop.",
        "On exit Brightline hands back all Eastmere data and configurations and "
        "supports a six-month transition. This section is still to be agreed.",
    ),
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
]  # fmt: skip

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
    result = DemoLoadResult()
    organisations = _load_organisations(result=result)
    users = _load_people(organisations=organisations, result=result)
    _load_admin(result=result)
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
            partnerships=partnerships,
            users=users,
            result=result,
        )
        _load_plan(
            relationship=relationship,
            spec=spec,
            partnerships=partnerships,
            today=today,
            result=result,
        )
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
        _load_assessments(
            relationship=relationship,
            spec=spec,
            partnerships=partnerships,
            today=today,
            result=result,
        )
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


def _manager_username(*, organisation_slug: str) -> str:
    return next(
        person.username
        for person in PEOPLE
        if person.organisation == organisation_slug and person.role == MANAGER
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
                "relationship_manager": users[
                    _manager_username(organisation_slug=partner.organisation)
                ],
                "senior_executive": partner.senior_executive,
            },
            result=result,
        )
        for partner in spec.partners
    }


def _load_joint_management_team(
    *,
    relationship: Relationship,
    partnerships: dict[str, Partnership],
    users: dict[str, AbstractUser],
    result: DemoLoadResult,
) -> None:
    for person in PEOPLE:
        if person.organisation not in partnerships or not person.jmt_title:
            continue
        _get_or_create(
            model=JointManagementTeamMember,
            lookup={"relationship": relationship, "user": users[person.username]},
            defaults={
                "partnership": partnerships[person.organisation],
                "role_title": person.jmt_title,
                "is_leadership": person.jmt_leadership,
            },
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
            PRINCIPLE_KEYS, PLAN_SUMMARIES[spec.reference], strict=True
        ):
            if version_spec.number < latest_number:
                summary = _first_sentence(summary)
            content = {
                **_demo_required_answers(
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
