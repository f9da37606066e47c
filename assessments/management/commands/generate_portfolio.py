"""Generate a large synthetic portfolio of relationships for benchmarks.

Every relationship gets two or three partners, four to eight quarters of final self
and joint assessments, objectives, risks, actions and a plan. The rows are written
as bulk_create would write them (on PostgreSQL through COPY: 10,000 relationships,
about 3 million ratings, in a few minutes), so no save() runs, no signal is sent
and django-simple-history records no history for them: this is throw-away
benchmark data, not something anybody edited. `_after_generate` then does what the
signals would have done.
"""

import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone
from psycopg.adapt import PyFormat, Transformer

from assessments.choices import AssessmentKind, AssessmentStatus, Cadence
from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.services.summaries import relationship_summaries_refresh
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
        started = perf_counter()

        def progress(step: str) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"{perf_counter() - started:7.1f} s  {step}")

        generator = PortfolioGenerator(
            seed=options["seed"],
            password=options["password"],
            today=timezone.localdate(),
            progress=progress,
        )
        counts = generator.generate(
            relationship_count=relationship_count,
            organisation_count=organisation_count,
        )
        progress("committed (deferred foreign key checks included)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic portfolio generated: {counts.summary()}. Log in as "
                f"{VIEWER_USERNAME} (all {relationship_count} relationships) or "
                f"{SAMPLE_USERNAME} ({min(SAMPLE_SIZE, relationship_count)}) with "
                f"the password {options['password']!r}."
            )
        )


@dataclass(frozen=True)
class _NewRelationship:
    pk: int
    reference: str
    kind: str


def _copy_text(value: Any) -> str | None:
    """A value as the text COPY reads for it (None stays NULL)."""
    if value is None:
        return None
    transformer = Transformer()
    dumped = transformer.get_dumper(value, PyFormat.TEXT).dump(value)
    return bytes(dumped).decode() if dumped is not None else None


def _insert(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[tuple],
    *,
    with_ids: bool = False,
) -> tuple[int, list[int]]:
    """Insert rows as bulk_create would (no save(), no signals, no history), each
    row the values of `columns` (attribute names, `relationship_id` for a foreign
    key); every other column takes its field's default, and `auto_now` columns
    the time now. Returns how many rows went in and, `with_ids`, their ids in
    the order of `rows`.

    On PostgreSQL the rows go in through one COPY, their ids taken from the
    table's sequence beforehand: a tenth of bulk_create's time, whose cost is
    building a model instance and preparing every value of every row (3 million
    ratings at 10,000 relationships). Elsewhere (SQLite in the tests) through
    bulk_create."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows],
            batch_size=BATCH_SIZE,
        )
        return len(objects), [obj.pk for obj in objects] if with_ids else []
    meta = model._meta
    template = model()
    others = [
        field
        for field in meta.concrete_fields
        if not field.primary_key and field.attname not in columns
    ]
    # The same default for every row, prepared once (a JSON list, "", 1, now)
    # and turned into COPY's text once: dumping a JSON value anew for each of 3
    # million rows took longer than the rest of the COPY.
    constants = tuple(
        _copy_text(
            field.get_db_prep_save(field.pre_save(template, add=True), connection)
        )
        for field in others
    )
    names = [
        *([meta.pk.column] if with_ids else []),
        *(meta.get_field(name).column for name in columns),
        *(field.column for field in others),
    ]
    quote = connection.ops.quote_name
    statement = (
        f"COPY {quote(meta.db_table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    )
    ids: list[int] = []
    with connection.cursor() as cursor:
        if with_ids:
            rows = list(rows)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s) ORDER BY 1",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
        count = 0
        # Django's cursor wraps psycopg's, whose copy() streams the rows.
        with cursor.cursor.copy(statement) as copy:
            if with_ids:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row((pk, *row, *constants))
                count = len(ids)
            else:
                for row in rows:
                    copy.write_row((*row, *constants))
                    count += 1
    return count, ids


@contextmanager
def _checked_at_the_end(*models: type[Model]) -> Iterator[None]:
    """Load these tables with their foreign keys, unique constraints and secondary
    indexes set aside, then put them back, checked and built in one pass each.

    Row by row, PostgreSQL would queue a check per foreign key per row for the
    commit (deferred constraints: 9 million at 10,000 relationships, over a minute)
    and update every index at each row. Re-adding a foreign key validates the whole
    table in one join, so a bad row still fails the load. PostgreSQL only: DDL is
    transactional there, and a rollback restores everything."""
    connection = connections[router.db_for_write(models[0])]
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    set_aside: list[tuple[str, list[tuple[str, str]], list[str]]] = []
    with connection.cursor() as cursor:
        # A table with checks still pending cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') "
                "ORDER BY contype DESC, conname",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)",
                [table],
            )
            indexes = [row[0] for row in cursor.fetchall()]
            for name, _ in constraints:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}"
                )
            cursor.execute(
                "SELECT indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary",
                [table],
            )
            for (index,) in cursor.fetchall():
                cursor.execute(f"DROP INDEX {index}")
            set_aside.append((table, constraints, indexes))
    yield
    with connection.cursor() as cursor:
        for table, constraints, indexes in set_aside:
            for definition in indexes:
                cursor.execute(definition)
            # Unique constraints first (ORDER BY above), then foreign keys.
            for name, definition in constraints:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} "
                    f"{definition}"
                )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _after_generate(relationship_ids: set[int]) -> None:
    """What follows a load of rows that sent no signals, inside its transaction:
    the per-relationship summaries rebuilt (when the app keeps them) and, after the
    commit, the cache versions of the new relationships moved on."""
    relationship_summaries_refresh(relationship_ids=relationship_ids)
    transaction.on_commit(lambda: relationships_changed(relationship_ids))


class PortfolioGenerator:
    def __init__(
        self,
        *,
        seed: int,
        password: str,
        today: date,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.random = random.Random(seed)
        self.password = password
        self.today = today
        self.counts = PortfolioCounts()
        self.progress = progress or (lambda step: None)

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
        self.progress("organisations, relationships, partnerships")
        self._schedules(relationships=relationships)
        self._plans(relationships=relationships, viewer=viewer)
        self.progress("schedules, plans")
        self._registers(
            relationships=relationships, partnerships=partnerships, viewer=viewer
        )
        self.progress("objectives, risks, actions")
        self._assessments(relationships=relationships, partnerships=partnerships)
        self.progress("their indexes and constraints rebuilt")
        _after_generate({relationship.pk for relationship in relationships})
        self.progress("after the load (summaries)")
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

    def _partner_organisations(self, *, count: int) -> list[int]:
        kinds = (
            OrganisationKind.MSME,
            OrganisationKind.MSME,
            OrganisationKind.BUSINESS,
            OrganisationKind.UNIVERSITY,
            OrganisationKind.LARGE,
            OrganisationKind.PUBLIC_BODY,
        )
        sizes = tuple(MsmeSize.values)
        rows = []
        for number in range(1, count + 1):
            kind = self.random.choice(kinds)
            rows.append(
                (
                    f"Synthetic {self.random.choice(TOPICS).title()} {number:04d}",
                    f"synthetic-{number:04d}",
                    kind.value,
                    self.random.choice(sizes) if kind == OrganisationKind.MSME else "",
                    "United Kingdom",
                )
            )
        count, ids = _insert(
            Organisation,
            ("name", "slug", "kind", "msme_size", "country"),
            rows,
            with_ids=True,
        )
        self.counts.add("organisations", count)
        return ids

    def _relationships(self, *, count: int) -> list[_NewRelationship]:
        stage_ids = list(
            LifecycleStage.objects.order_by("number").values_list("pk", flat=True)
        )
        kinds = RelationshipKind.values
        statuses = (
            RelationshipStatus.ACTIVE.value,
            RelationshipStatus.ON_HOLD.value,
            RelationshipStatus.EXITING.value,
        )
        rows = []
        for number in range(1, count + 1):
            started = self.today - timedelta(days=self.random.randint(400, 1500))
            rows.append(
                (
                    (
                        f"{self.random.choice(TOPICS).title()} "
                        f"{self.random.choice(FORMS)} {number:04d}"
                    ),
                    f"pf-{number:04d}",
                    self.random.choice(kinds),
                    self.random.choices(stage_ids, weights=(1, 1, 1, 2, 5, 4, 5, 1))[0],
                    self.random.choices(statuses, weights=(18, 1, 1))[0],
                    started.replace(day=1),
                    "Synthetic relationship for benchmarks.",
                )
            )
        count, ids = _insert(
            Relationship,
            (
                "title",
                "reference",
                "kind",
                "stage_id",
                "status",
                "start_date",
                "description",
            ),
            rows,
            with_ids=True,
        )
        self.counts.add("relationships", count)
        return [
            _NewRelationship(pk=pk, reference=row[1], kind=row[2])
            for pk, row in zip(ids, rows, strict=True)
        ]

    def _partnerships(
        self,
        *,
        relationships: list[_NewRelationship],
        viewer: Any,
        viewer_organisation: Organisation,
        sample: Any,
        sample_organisation: Organisation,
        partners: list[int],
    ) -> dict[int, list[int]]:
        """The partnerships' ids by relationship: the viewer's organisation leads
        every relationship, the sample's joins the first ten, and the partner
        organisations follow in a shuffled walk, so that every one partners
        somewhere."""
        pool = list(partners)
        self.random.shuffle(pool)
        position = 0
        lead, partner = PartnerRole.LEAD.value, PartnerRole.PARTNER.value
        rows: list[tuple] = []
        for index, relationship in enumerate(relationships):
            rows.append(
                (relationship.pk, viewer_organisation.pk, lead, viewer.pk, viewer.pk)
            )
            if index < SAMPLE_SIZE:
                rows.append(
                    (relationship.pk, sample_organisation.pk, partner, sample.pk, None)
                )
            for _ in range(self.random.choice((1, 2, 2, 3))):
                rows.append((relationship.pk, pool[position], partner, None, None))
                position = (position + 1) % len(pool)
        count, ids = _insert(
            Partnership,
            (
                "relationship_id",
                "organisation_id",
                "role",
                "relationship_manager_id",
                "senior_executive_id",
            ),
            rows,
            with_ids=True,
        )
        self.counts.add("partnerships", count)
        by_relationship: dict[int, list[int]] = {}
        for pk, row in zip(ids, rows, strict=True):
            by_relationship.setdefault(row[0], []).append(pk)
        return by_relationship

    def _schedules(self, *, relationships: list[_NewRelationship]) -> None:
        count, _ = _insert(
            AssessmentSchedule,
            ("relationship_id", "cadence"),
            [
                (relationship.pk, self.random.choice(CADENCES).value)
                for relationship in relationships
            ],
        )
        self.counts.add("assessment schedules", count)

    def _plans(self, *, relationships: list[_NewRelationship], viewer: Any) -> None:
        plans, plan_ids = _insert(
            Plan,
            ("relationship_id",),
            [(relationship.pk,) for relationship in relationships],
            with_ids=True,
        )
        approved_at = _moment(self.today - timedelta(days=300))
        submitted_at = _moment(self.today - timedelta(days=5))
        rows = []
        for plan_id in plan_ids:
            rows.append(
                (
                    plan_id,
                    1,
                    PlanVersionStatus.APPROVED.value,
                    "First joint plan.",
                    viewer.pk,
                    approved_at,
                    approved_at,
                    1,
                )
            )
            if self.random.random() < 0.05:
                rows.append(
                    (
                        plan_id,
                        2,
                        PlanVersionStatus.SUBMITTED.value,
                        "Updated objectives after the annual review.",
                        viewer.pk,
                        submitted_at,
                        None,
                        1,
                    )
                )
        versions, _ = _insert(
            PlanVersion,
            (
                "plan_id",
                "number",
                "status",
                "summary",
                "created_by_id",
                "submitted_at",
                "approved_at",
                "submission_round",
            ),
            rows,
        )
        self.counts.add("plans", plans)
        self.counts.add("plan versions", versions)

    def _registers(
        self,
        *,
        relationships: list[_NewRelationship],
        partnerships: dict[int, list[int]],
        viewer: Any,
    ) -> None:
        objectives: list[tuple] = []
        risks: list[tuple] = []
        actions: list[tuple] = []
        horizons, sources = Horizon.values, ActionSource.values
        for relationship in relationships:
            owners = [None, *partnerships[relationship.pk]]
            for number in range(1, self.random.randint(3, 6) + 1):
                target = Decimal(self.random.choice((10, 20, 50, 100, 250)))
                objectives.append(
                    (
                        relationship.pk,
                        self.random.choice(owners),
                        f"Objective {number} of {relationship.reference}",
                        self.random.choice(horizons),
                        self.today + timedelta(days=self.random.randint(-120, 400)),
                        "Delivered units",
                        "units",
                        target,
                        (target * Decimal(self.random.randint(0, 110))) / 100,
                        self.random.choice(OBJECTIVE_STATUSES).value,
                    )
                )
            for number in range(1, self.random.randint(3, 6) + 1):
                risks.append(
                    (
                        relationship.pk,
                        self.random.choice(owners),
                        f"Risk {number} of {relationship.reference}",
                        self.random.randint(1, 5),
                        self.random.randint(1, 5),
                        "Reviewed at each joint meeting.",
                        viewer.pk,
                        self.today + timedelta(days=self.random.randint(-60, 180)),
                        self.random.choice(RISK_STATUSES).value,
                    )
                )
            for number in range(1, self.random.randint(4, 8) + 1):
                status = self.random.choice(ACTION_STATUSES)
                due = self.today + timedelta(days=self.random.randint(-90, 120))
                actions.append(
                    (
                        relationship.pk,
                        f"Action {number} of {relationship.reference}",
                        self.random.choice(sources),
                        viewer.pk,
                        due,
                        status.value,
                        _moment(due) if status == ActionStatus.DONE else None,
                    )
                )
        objective_count, _ = _insert(
            Objective,
            (
                "relationship_id",
                "owner_id",
                "title",
                "horizon",
                "milestone_date",
                "kpi_name",
                "kpi_unit",
                "kpi_target",
                "kpi_actual",
                "status",
            ),
            objectives,
        )
        risk_count, _ = _insert(
            Risk,
            (
                "relationship_id",
                "owner_partnership_id",
                "title",
                "likelihood",
                "impact",
                "mitigation",
                "owner_id",
                "review_date",
                "status",
            ),
            risks,
        )
        action_count, _ = _insert(
            Action,
            (
                "relationship_id",
                "title",
                "source",
                "owner_id",
                "due_date",
                "status",
                "completed_at",
            ),
            actions,
        )
        self.counts.add("objectives", objective_count)
        self.counts.add("risks", risk_count)
        self.counts.add("actions", action_count)

    def _assessments(
        self,
        *,
        relationships: list[_NewRelationship],
        partnerships: dict[int, list[int]],
    ) -> None:
        principles_by_set: dict[str, list[int]] = {}
        for principle_id, set_key in Principle.objects.order_by("number").values_list(
            "pk", "principle_set__key"
        ):
            principles_by_set.setdefault(set_key, []).append(principle_id)
        quarters = recent_quarters(today=self.today, count=8)
        joint_kind, self_kind = AssessmentKind.JOINT.value, AssessmentKind.SELF.value
        final = AssessmentStatus.FINAL.value
        assessments: list[tuple] = []
        planned_levels: list[tuple[list[int], list[int]]] = []
        for relationship in relationships:
            principles = principles_by_set[PRINCIPLE_SET_FOR_KIND[relationship.kind]]
            # One in ten relationships has not yet done the latest quarter.
            periods = quarters[-self.random.randint(4, 8) :]
            if self.random.random() < 0.1:
                periods = periods[:-1]
            joint = [self.random.randint(2, 4) for _ in principles]
            raters = [None, *partnerships[relationship.pk]]
            for period_start, period_end in periods:
                joint = [
                    _clamp(level + self.random.choice((-1, 0, 0, 0, 1, 1)))
                    for level in joint
                ]
                submitted_at = _moment(period_end + timedelta(days=10))
                finalised_at = _moment(period_end + timedelta(days=14))
                for partnership_id in raters:
                    levels = (
                        joint
                        if partnership_id is None
                        else [
                            _clamp(level + self.random.choice(SELF_VIEW_OFFSETS))
                            for level in joint
                        ]
                    )
                    assessments.append(
                        (
                            relationship.pk,
                            period_start,
                            period_end,
                            joint_kind if partnership_id is None else self_kind,
                            partnership_id,
                            final,
                            submitted_at,
                            finalised_at,
                        )
                    )
                    planned_levels.append((principles, levels))
        self.progress("assessments and ratings drawn")
        with _checked_at_the_end(Assessment, PrincipleRating):
            assessment_count, rating_count = self._assessments_insert(
                assessments, planned_levels
            )
            self.progress("assessments and ratings copied")
        self.counts.add("assessments", assessment_count)
        self.counts.add("principle ratings", rating_count)

    def _assessments_insert(
        self,
        assessments: list[tuple],
        planned_levels: list[tuple[list[int], list[int]]],
    ) -> tuple[int, int]:
        assessment_count, assessment_ids = _insert(
            Assessment,
            (
                "relationship_id",
                "period_start",
                "period_end",
                "kind",
                "partnership_id",
                "status",
                "submitted_at",
                "finalised_at",
            ),
            assessments,
            with_ids=True,
        )
        rating_count, _ = _insert(
            PrincipleRating,
            ("assessment_id", "principle_id", "level"),
            (
                (assessment_id, principle_id, level)
                for assessment_id, (principles, levels) in zip(
                    assessment_ids, planned_levels, strict=True
                )
                for principle_id, level in zip(principles, levels, strict=True)
            ),
        )
        return assessment_count, rating_count
