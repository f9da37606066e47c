"""Generate a large synthetic portfolio of relationships for benchmarks.

Every relationship gets two or three partners, four to eight quarters of final self
and joint assessments, objectives, risks, actions and a plan. The rows are written
with bulk_create, so django-simple-history records no history for them: this is
throw-away benchmark data, not something anybody edited.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from assessments.choices import AssessmentKind, AssessmentStatus, Cadence
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from principles.models import LifecycleStage, Principle
from relationships.caching import relationships_changed
from relationships.choices import (
    PRINCIPLE_SET_FOR_KIND,
    ActionSource,
    ActionStatus,
    Horizon,
    MembershipRole,
    MsmeSize,
    ObjectiveStatus,
    OrganisationKind,
    PartnerRole,
    PlanVersionStatus,
    RelationshipKind,
    RelationshipStatus,
    RiskStatus,
)
from relationships.demo import recent_quarters
from relationships.models import (
    Action,
    Membership,
    Objective,
    Organisation,
    Partnership,
    Plan,
    PlanVersion,
    Relationship,
    Risk,
)

VIEWER_USERNAME = "portfolio.viewer"
SAMPLE_USERNAME = "portfolio.sample"
VIEWER_ORGANISATION_SLUG = "portfolio-holdings"
SAMPLE_ORGANISATION_SLUG = "portfolio-sample"
DEFAULT_PASSWORD = "partnerplan-bench"
SAMPLE_SIZE = 10
BATCH_SIZE = 2000

TOPICS = (
    "sensor",
    "logistics",
    "water",
    "energy",
    "software",
    "materials",
    "health",
    "training",
    "castings",
    "telemetry",
    "robotics",
    "packaging",
)
FORMS = ("partnership", "alliance", "programme", "collaboration", "framework")
OBJECTIVE_STATUSES = (
    ObjectiveStatus.ON_TRACK,
    ObjectiveStatus.ON_TRACK,
    ObjectiveStatus.ON_TRACK,
    ObjectiveStatus.AT_RISK,
    ObjectiveStatus.OFF_TRACK,
    ObjectiveStatus.NOT_STARTED,
    ObjectiveStatus.ACHIEVED,
)
RISK_STATUSES = (
    RiskStatus.OPEN,
    RiskStatus.OPEN,
    RiskStatus.MITIGATING,
    RiskStatus.ACCEPTED,
    RiskStatus.CLOSED,
)
ACTION_STATUSES = (
    ActionStatus.OPEN,
    ActionStatus.OPEN,
    ActionStatus.IN_PROGRESS,
    ActionStatus.DONE,
    ActionStatus.DONE,
    ActionStatus.CANCELLED,
)
# How far a partner's own rating sits from the joint one: mostly agreeing.
SELF_VIEW_OFFSETS = (-1, 0, 0, 0, 0, 0, 0, 0, 1)
CADENCES = (Cadence.QUARTERLY,) * 17 + (Cadence.HALF_YEARLY, Cadence.YEARLY)


@dataclass
class PortfolioCounts:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.created[name] = self.created.get(name, 0) + count

    def summary(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.created.items())


def _moment(day: date) -> datetime:
    return min(timezone.make_aware(datetime.combine(day, time(10, 0))), timezone.now())


def _clamp(level: int) -> int:
    return max(1, min(5, level))


class Command(BaseCommand):
    help = (
        "Generate a large synthetic portfolio for benchmarks: N relationships "
        "(default 1000) among 2.5 x N organisations, 4 to 8 quarters of final self "
        "and joint assessments each, objectives, risks, actions and plans. Seeded, "
        "so the same seed on the same day gives the same data. Rows are written with "
        "bulk_create and so bypass django-simple-history (no history rows): use it "
        "on a disposable database only. It refuses to run twice. Creates the users "
        f"{VIEWER_USERNAME} (sees every generated relationship) and "
        f"{SAMPLE_USERNAME} (sees {SAMPLE_SIZE})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--relationships",
            type=int,
            default=1000,
            help="How many relationships to generate (default 1000).",
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=None,
            help="How many partner organisations (default 2.5 x relationships).",
        )
        parser.add_argument(
            "--seed", type=int, default=44001, help="Random seed (default 44001)."
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of the generated users (default {DEFAULT_PASSWORD!r}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "Synthetic benchmark data is refused here. Set DEMO_DATA_ALLOWED=true "
                "on a disposable database to generate it."
            )
        relationship_count: int = options["relationships"]
        if relationship_count < 1:
            raise CommandError("--relationships must be at least 1.")
        organisation_count: int = options["organisations"] or max(
            3, math.ceil(relationship_count * 2.5)
        )
        if Organisation.objects.filter(slug=VIEWER_ORGANISATION_SLUG).exists():
            raise CommandError(
                "A synthetic portfolio is already loaded (organisation "
                f"{VIEWER_ORGANISATION_SLUG!r} exists); it is generated once per "
                "database. Use a fresh database to generate another."
            )
        generator = PortfolioGenerator(
            seed=options["seed"],
            password=options["password"],
            today=timezone.localdate(),
        )
        counts = generator.generate(
            relationship_count=relationship_count,
            organisation_count=organisation_count,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic portfolio generated: {counts.summary()}. Log in as "
                f"{VIEWER_USERNAME} (all {relationship_count} relationships) or "
                f"{SAMPLE_USERNAME} ({min(SAMPLE_SIZE, relationship_count)}) with "
                f"the password {options['password']!r}."
            )
        )


class PortfolioGenerator:
    def __init__(self, *, seed: int, password: str, today: date) -> None:
        self.random = random.Random(seed)
        self.password = password
        self.today = today
        self.counts = PortfolioCounts()

    @transaction.atomic
    def generate(
        self, *, relationship_count: int, organisation_count: int
    ) -> PortfolioCounts:
        viewer, sample = self._users()
        viewer_organisation, sample_organisation = self._home_organisations(
            viewer=viewer, sample=sample
        )
        partners = self._partner_organisations(count=organisation_count)
        relationships = self._relationships(count=relationship_count)
        partnerships = self._partnerships(
            relationships=relationships,
            viewer=viewer,
            viewer_organisation=viewer_organisation,
            sample=sample,
            sample_organisation=sample_organisation,
            partners=partners,
        )
        self._schedules(relationships=relationships)
        self._plans(relationships=relationships, viewer=viewer)
        self._registers(
            relationships=relationships, partnerships=partnerships, viewer=viewer
        )
        self._assessments(relationships=relationships, partnerships=partnerships)
        return self.counts

    def _users(self) -> tuple[Any, Any]:
        user_model = get_user_model()
        password_hash = make_password(self.password)
        users = [
            user_model(
                username=VIEWER_USERNAME,
                first_name="Portfolio",
                last_name="Viewer",
                email="portfolio.viewer@example.org",
                password=password_hash,
            ),
            user_model(
                username=SAMPLE_USERNAME,
                first_name="Sample",
                last_name="Viewer",
                email="portfolio.sample@example.org",
                password=password_hash,
            ),
        ]
        for user in users:
            user.save()
        # With ACCOUNT_EMAIL_VERIFICATION "mandatory", allauth logs in only an
        # account with a verified address: without one, the login form sends the
        # benchmark's users to "confirm your e-mail" instead of their dashboard.
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            ]
        )
        self.counts.add("users", len(users))
        return users[0], users[1]

    def _home_organisations(
        self, *, viewer: Any, sample: Any
    ) -> tuple[Organisation, Organisation]:
        viewer_organisation = Organisation.objects.create(
            name="Portfolio Holdings plc",
            slug=VIEWER_ORGANISATION_SLUG,
            kind=OrganisationKind.LARGE,
            country="United Kingdom",
        )
        sample_organisation = Organisation.objects.create(
            name="Portfolio Sample Ltd",
            slug=SAMPLE_ORGANISATION_SLUG,
            kind=OrganisationKind.BUSINESS,
            country="United Kingdom",
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=viewer,
                    organisation=viewer_organisation,
                    role=MembershipRole.RELATIONSHIP_MANAGER,
                ),
                Membership(
                    user=sample,
                    organisation=sample_organisation,
                    role=MembershipRole.RELATIONSHIP_MANAGER,
                ),
            ]
        )
        self.counts.add("organisations", 2)
        return viewer_organisation, sample_organisation

    def _partner_organisations(self, *, count: int) -> list[Organisation]:
        kinds = (
            OrganisationKind.MSME,
            OrganisationKind.MSME,
            OrganisationKind.BUSINESS,
            OrganisationKind.UNIVERSITY,
            OrganisationKind.LARGE,
            OrganisationKind.PUBLIC_BODY,
        )
        sizes = tuple(MsmeSize.values)
        organisations = []
        for number in range(1, count + 1):
            kind = self.random.choice(kinds)
            organisations.append(
                Organisation(
                    name=f"Synthetic {self.random.choice(TOPICS).title()} {number:04d}",
                    slug=f"synthetic-{number:04d}",
                    kind=kind,
                    msme_size=(
                        self.random.choice(sizes)
                        if kind == OrganisationKind.MSME
                        else ""
                    ),
                    country="United Kingdom",
                )
            )
        organisations = Organisation.objects.bulk_create(
            organisations, batch_size=BATCH_SIZE
        )
        self.counts.add("organisations", len(organisations))
        return organisations

    def _relationships(self, *, count: int) -> list[Relationship]:
        stages = list(LifecycleStage.objects.order_by("number"))
        kinds = RelationshipKind.values
        relationships = []
        for number in range(1, count + 1):
            started = self.today - timedelta(days=self.random.randint(400, 1500))
            relationships.append(
                Relationship(
                    title=(
                        f"{self.random.choice(TOPICS).title()} "
                        f"{self.random.choice(FORMS)} {number:04d}"
                    ),
                    reference=f"pf-{number:04d}",
                    kind=self.random.choice(kinds),
                    stage=self.random.choices(stages, weights=(1, 1, 1, 2, 5, 4, 5, 1))[
                        0
                    ],
                    status=self.random.choices(
                        (
                            RelationshipStatus.ACTIVE,
                            RelationshipStatus.ON_HOLD,
                            RelationshipStatus.EXITING,
                        ),
                        weights=(18, 1, 1),
                    )[0],
                    start_date=started.replace(day=1),
                    description="Synthetic relationship for benchmarks.",
                )
            )
        relationships = Relationship.objects.bulk_create(
            relationships, batch_size=BATCH_SIZE
        )
        self.counts.add("relationships", len(relationships))
        return relationships

    def _partnerships(
        self,
        *,
        relationships: list[Relationship],
        viewer: Any,
        viewer_organisation: Organisation,
        sample: Any,
        sample_organisation: Organisation,
        partners: list[Organisation],
    ) -> dict[int, list[Partnership]]:
        # Walk the shuffled organisations so that every one partners somewhere.
        pool = list(partners)
        self.random.shuffle(pool)
        position = 0
        rows: list[Partnership] = []
        for index, relationship in enumerate(relationships):
            rows.append(
                Partnership(
                    relationship=relationship,
                    organisation=viewer_organisation,
                    role=PartnerRole.LEAD,
                    relationship_manager=viewer,
                    senior_executive=viewer,
                )
            )
            if index < SAMPLE_SIZE:
                rows.append(
                    Partnership(
                        relationship=relationship,
                        organisation=sample_organisation,
                        relationship_manager=sample,
                    )
                )
            for _ in range(self.random.choice((1, 2, 2, 3))):
                rows.append(
                    Partnership(relationship=relationship, organisation=pool[position])
                )
                position = (position + 1) % len(pool)
        rows = Partnership.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.counts.add("partnerships", len(rows))
        by_relationship: dict[int, list[Partnership]] = {}
        for partnership in rows:
            by_relationship.setdefault(partnership.relationship_id, []).append(
                partnership
            )
        return by_relationship

    def _schedules(self, *, relationships: list[Relationship]) -> None:
        schedules = AssessmentSchedule.objects.bulk_create(
            [
                AssessmentSchedule(
                    relationship=relationship, cadence=self.random.choice(CADENCES)
                )
                for relationship in relationships
            ],
            batch_size=BATCH_SIZE,
        )
        self.counts.add("assessment schedules", len(schedules))

    def _plans(self, *, relationships: list[Relationship], viewer: Any) -> None:
        plans = Plan.objects.bulk_create(
            [Plan(relationship=relationship) for relationship in relationships],
            batch_size=BATCH_SIZE,
        )
        versions = []
        for plan in plans:
            approved_at = _moment(self.today - timedelta(days=300))
            versions.append(
                PlanVersion(
                    plan=plan,
                    number=1,
                    status=PlanVersionStatus.APPROVED,
                    summary="First joint plan.",
                    created_by=viewer,
                    submitted_at=approved_at,
                    approved_at=approved_at,
                    submission_round=1,
                )
            )
            if self.random.random() < 0.05:
                versions.append(
                    PlanVersion(
                        plan=plan,
                        number=2,
                        status=PlanVersionStatus.SUBMITTED,
                        summary="Updated objectives after the annual review.",
                        created_by=viewer,
                        submitted_at=_moment(self.today - timedelta(days=5)),
                        submission_round=1,
                    )
                )
        PlanVersion.objects.bulk_create(versions, batch_size=BATCH_SIZE)
        self.counts.add("plans", len(plans))
        self.counts.add("plan versions", len(versions))

    def _registers(
        self,
        *,
        relationships: list[Relationship],
        partnerships: dict[int, list[Partnership]],
        viewer: Any,
    ) -> None:
        objectives: list[Objective] = []
        risks: list[Risk] = []
        actions: list[Action] = []
        for relationship in relationships:
            owners = [None, *partnerships[relationship.pk]]
            for number in range(1, self.random.randint(3, 6) + 1):
                target = Decimal(self.random.choice((10, 20, 50, 100, 250)))
                objectives.append(
                    Objective(
                        relationship=relationship,
                        owner=self.random.choice(owners),
                        title=f"Objective {number} of {relationship.reference}",
                        horizon=self.random.choice(Horizon.values),
                        milestone_date=self.today
                        + timedelta(days=self.random.randint(-120, 400)),
                        kpi_name="Delivered units",
                        kpi_unit="units",
                        kpi_target=target,
                        kpi_actual=(target * Decimal(self.random.randint(0, 110)))
                        / 100,
                        status=self.random.choice(OBJECTIVE_STATUSES),
                    )
                )
            for number in range(1, self.random.randint(3, 6) + 1):
                risks.append(
                    Risk(
                        relationship=relationship,
                        owner_partnership=self.random.choice(owners),
                        title=f"Risk {number} of {relationship.reference}",
                        likelihood=self.random.randint(1, 5),
                        impact=self.random.randint(1, 5),
                        mitigation="Reviewed at each joint meeting.",
                        owner=viewer,
                        review_date=self.today
                        + timedelta(days=self.random.randint(-60, 180)),
                        status=self.random.choice(RISK_STATUSES),
                    )
                )
            for number in range(1, self.random.randint(4, 8) + 1):
                status = self.random.choice(ACTION_STATUSES)
                due = self.today + timedelta(days=self.random.randint(-90, 120))
                actions.append(
                    Action(
                        relationship=relationship,
                        title=f"Action {number} of {relationship.reference}",
                        source=self.random.choice(ActionSource.values),
                        owner=viewer,
                        due_date=due,
                        status=status,
                        completed_at=(
                            _moment(due) if status == ActionStatus.DONE else None
                        ),
                    )
                )
        Objective.objects.bulk_create(objectives, batch_size=BATCH_SIZE)
        Risk.objects.bulk_create(risks, batch_size=BATCH_SIZE)
        Action.objects.bulk_create(actions, batch_size=BATCH_SIZE)
        self.counts.add("objectives", len(objectives))
        self.counts.add("risks", len(risks))
        self.counts.add("actions", len(actions))

    def _assessments(
        self,
        *,
        relationships: list[Relationship],
        partnerships: dict[int, list[Partnership]],
    ) -> None:
        principles_by_set: dict[str, list[Principle]] = {}
        for principle in Principle.objects.select_related("principle_set").order_by(
            "number"
        ):
            principles_by_set.setdefault(principle.principle_set.key, []).append(
                principle
            )
        quarters = recent_quarters(today=self.today, count=8)
        assessments: list[Assessment] = []
        planned_levels: list[tuple[list[Principle], list[int]]] = []
        for relationship in relationships:
            principles = principles_by_set[PRINCIPLE_SET_FOR_KIND[relationship.kind]]
            # One in ten relationships has not yet done the latest quarter.
            periods = quarters[-self.random.randint(4, 8) :]
            if self.random.random() < 0.1:
                periods = periods[:-1]
            joint = [self.random.randint(2, 4) for _ in principles]
            for period_start, period_end in periods:
                joint = [
                    _clamp(level + self.random.choice((-1, 0, 0, 0, 1, 1)))
                    for level in joint
                ]
                raters = [None, *partnerships[relationship.pk]]
                for partnership in raters:
                    levels = (
                        joint
                        if partnership is None
                        else [
                            _clamp(level + self.random.choice(SELF_VIEW_OFFSETS))
                            for level in joint
                        ]
                    )
                    assessments.append(
                        Assessment(
                            relationship=relationship,
                            period_start=period_start,
                            period_end=period_end,
                            kind=AssessmentKind.JOINT
                            if partnership is None
                            else AssessmentKind.SELF,
                            partnership=partnership,
                            status=AssessmentStatus.FINAL,
                            submitted_at=_moment(period_end + timedelta(days=10)),
                            finalised_at=_moment(period_end + timedelta(days=14)),
                        )
                    )
                    planned_levels.append((principles, levels))
        assessments = Assessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
        ratings = (
            PrincipleRating(assessment=assessment, principle=principle, level=level)
            for assessment, (principles, levels) in zip(
                assessments, planned_levels, strict=True
            )
            for principle, level in zip(principles, levels, strict=True)
        )
        created = 0
        batch: list[PrincipleRating] = []
        for rating in ratings:
            batch.append(rating)
            if len(batch) == BATCH_SIZE:
                created += len(PrincipleRating.objects.bulk_create(batch))
                batch = []
        if batch:
            created += len(PrincipleRating.objects.bulk_create(batch))
        self.counts.add("assessments", len(assessments))
        self.counts.add("principle ratings", created)
        # bulk_create sends no signals: drop cached dashboard figures explicitly.
        relationship_ids = {assessment.relationship_id for assessment in assessments}
        transaction.on_commit(lambda: relationships_changed(relationship_ids))
