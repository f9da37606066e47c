"""Personas, after healthchecks' alice/bob/charlie.

`world` is one relationship between a lead organisation and a partner, plus an
outsider organisation with a relationship of its own:
- alice: relationship manager of the lead organisation
- bob: relationship manager of the partner organisation
- carol: joint management team member (lead organisation)
- dave: auditor (partner organisation)
- eve: relationship manager of the outsider organisation
- frank (his own fixture): relationship manager of a second supplier that joins
  the world's relationship, making it a three-partner programme
"""

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, transaction
from django.db.backends.postgresql.operations import (
    DatabaseOperations as PostgresOperations,
)
from django.test import Client, override_settings
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from django.utils import timezone
from playwright.sync_api import Browser

from assessments.receivers import summaries_forget_noted, summaries_refresh_noted
from principles.services import catalogue_load
from relationships.choices import MembershipRole, PartnerRole
from relationships.demo import DemoLoadResult, demo_load
from relationships.models import Organisation, Partnership, Relationship
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    RelationshipFactory,
    UserFactory,
)
from tests.redis_server import PrivateRedis


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tests marked `postgres` prove behaviour under real concurrency, which SQLite
    (one writer at a time) cannot show: the SQLite run leaves them out, and the
    PostgreSQL run (`make test-postgres`, EXPECT_DATABASE_VENDOR=postgresql) runs
    them, where the `postgres_only` fixture fails them on any other database."""
    if os.environ.get("EXPECT_DATABASE_VENDOR") != "postgresql":
        kept = [item for item in items if item.get_closest_marker("postgres") is None]
        deselected = [item for item in items if item.get_closest_marker("postgres")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept
    _slow_tests_first(items)


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
    )


def _slow_tests_first(items: list[pytest.Item]) -> None:
    """The slowest tests (marked `slow`) go first: pytest-xdist hands tests
    out in this order, and one of them started last would keep a worker busy
    long after the other had finished.

    First within their kind: pytest-django runs the tests in a transaction
    before the transactional ones, whose flush empties every table (the
    catalogue the test database was built with included), and that order must
    hold on each worker."""

    def slow(item: pytest.Item) -> bool:
        return item.get_closest_marker("slow") is not None

    # Stable: within each kind, the rest keep their order.
    items.sort(key=lambda item: (_transactional(item), not slow(item)))


# Kept on the replacement: tests.conftest may be imported a second time.
_truncate_sql_flush = getattr(
    PostgresOperations.sql_flush, "truncating", PostgresOperations.sql_flush
)


def _deleting_sql_flush(
    self, style, tables, *, reset_sequences=False, allow_cascade=False
) -> list[str]:
    """The flush after each transactional test, on PostgreSQL: DELETE from every
    table instead of one TRUNCATE of them all. TRUNCATE gives each of the ~110
    tables (and its indexes) new files, which the commit syncs to disk: 7-9 s of
    wall time a flush, against 0.3-0.8 s for the DELETEs of a test's few rows
    (measured 2026-12-07 on the loaded CI machine). The foreign keys Django makes
    on PostgreSQL are deferrable, checked at the commit, when every table is
    empty. Sequences are not reset, as the TRUNCATE did not reset them; a flush
    asked to reset them, or to cascade, is left to Django."""
    if not tables or reset_sequences or allow_cascade:
        return _truncate_sql_flush(
            self,
            style,
            tables,
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )
    return [
        "SET CONSTRAINTS ALL DEFERRED;",
        *(f"DELETE FROM {self.quote_name(table)};" for table in tables),
    ]


_deleting_sql_flush.truncating = _truncate_sql_flush
PostgresOperations.sql_flush = _deleting_sql_flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """Each test process builds its test database from the models, not the
    migrations (`--no-migrations` in pyproject.toml): running the 93
    migrations cost each xdist worker some 80 s of CPU on each database, the
    biggest single item of a CI run. The catalogue their data migration loads is
    loaded here instead. tests/test_migrations.py proves the migrations build the
    same database (and load the catalogue), and walks the data migrations
    through rows of older schemas."""
    with django_db_blocker.unblock():
        catalogue_load()


@dataclass(frozen=True)
class LoadedDemo:
    result: DemoLoadResult
    started_at: datetime  # just before the load: records it dates are older
    media_root: Path  # the documents it uploaded; the tests' MEDIA_ROOT


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[LoadedDemo]:
    """The demo data, loaded once for a module of tests that read it: a load
    costs seconds of CPU, and a module loading it in each test spent most of its
    time there. The load runs in a transaction that stays open for the module
    and is rolled back at its end; each test runs inside it (in a savepoint, as
    pytest-django's `db` does), so what a test writes is undone and the next
    test finds the demo as loaded. Every test of the module must use it
    (`pytestmark = pytest.mark.usefixtures("demo")`): another test run while it
    is open would find the demo's rows. The summaries a committed load would
    refresh after its commit are refreshed here. Transactional tests cannot use
    it. A test that needs an empty database, or times a load, loads its own in
    another module. It loads with the tests' settings: their password hasher,
    and a media folder of its own, which its tests get as MEDIA_ROOT."""
    media_root = tmp_path_factory.mktemp("demo-media")

    def load() -> LoadedDemo:
        started_at = timezone.now()
        loaded = LoadedDemo(demo_load(), started_at, media_root)
        summaries_refresh_noted()
        return loaded

    yield from rows_shared_by_the_module(django_db_blocker, load, media_root=media_root)


def rows_shared_by_the_module[T](
    django_db_blocker, build: Callable[[], T], *, media_root: Path
) -> Iterator[T]:
    """For a module-scoped fixture (`yield from` it): `build` runs in a
    transaction left open while the module's tests run and rolled back at the
    end. Each test finds what it built; what a test writes is undone, in the
    savepoint pytest-django's `db` opens inside it. `build` runs with the
    tests' password hasher and `media_root` as MEDIA_ROOT."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(
                PASSWORD_HASHERS=FAST_PASSWORD_HASHERS, MEDIA_ROOT=media_root
            ):
                built = build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            summaries_forget_noted()


@pytest.fixture(autouse=True)
def postgres_only(request: pytest.FixtureRequest) -> None:
    """A `postgres` test on another database fails: it would prove nothing."""
    if request.node.get_closest_marker("postgres") is None:
        return
    assert connection.vendor == "postgresql", (
        "This test proves a guarantee under real concurrency and needs the "
        "PostgreSQL server (make test-postgres)."
    )


@pytest.fixture(autouse=True)
def _forget_noted_summaries() -> Iterator[None]:
    """Saves note their relationship for a summary refresh after the commit
    (assessments/receivers.py); a test's transaction is rolled back instead, so
    what it noted must not reach the next test's first portfolio read."""
    yield
    summaries_forget_noted()


@dataclass
class World:
    relationship: Relationship
    lead: Partnership
    partner: Partnership
    outsider_organisation: Organisation
    outsider_relationship: Relationship
    alice: AbstractUser
    bob: AbstractUser
    carol: AbstractUser
    dave: AbstractUser
    eve: AbstractUser

    def persona(self, name: str) -> AbstractUser | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world's rows, built once for a module whose many tests each need a
    fresh world but change little of it: the module overrides `world` with
    `world_reread(shared_world)`. Each test runs in a savepoint, so what it
    writes (the records its URLs name, a grant, a POST that should have been
    refused) is undone before the next (rows_shared_by_the_module)."""
    yield from rows_shared_by_the_module(
        django_db_blocker, world_build, media_root=tmp_path_factory.mktemp("world")
    )


def world_reread(world: World) -> World:
    """The same world with each of its rows read afresh: for a test of a module
    that shares one world's rows (rows_shared_by_the_module), so that what an
    earlier test changed on the instances in memory does not reach it."""
    return replace(
        world,
        **{
            field.name: type(row)._default_manager.get(pk=row.pk)
            for field in fields(world)
            for row in [getattr(world, field.name)]
        },
    )


def _member(username: str, organisation: Organisation, role: str) -> AbstractUser:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    return world_build()


def world_build() -> World:
    """The world's rows (the `world` fixture's; a module-scoped fixture may build
    them once inside `rows_shared_by_the_module`)."""
    lead_organisation = OrganisationFactory(name="Lead Org", slug="lead-org")
    partner_organisation = OrganisationFactory(name="Partner Org", slug="partner-org")
    outsider_organisation = OrganisationFactory(
        name="Outsider Org", slug="outsider-org"
    )
    alice = _member("alice", lead_organisation, MembershipRole.RELATIONSHIP_MANAGER)
    bob = _member("bob", partner_organisation, MembershipRole.RELATIONSHIP_MANAGER)
    carol = _member("carol", lead_organisation, MembershipRole.JMT_MEMBER)
    dave = _member("dave", partner_organisation, MembershipRole.AUDITOR)
    eve = _member("eve", outsider_organisation, MembershipRole.RELATIONSHIP_MANAGER)

    relationship = RelationshipFactory(title="Joint venture", reference="joint-venture")
    lead = PartnershipFactory(
        relationship=relationship,
        organisation=lead_organisation,
        role=PartnerRole.LEAD,
        relationship_manager=alice,
    )
    partner = PartnershipFactory(
        relationship=relationship,
        organisation=partner_organisation,
        relationship_manager=bob,
    )
    outsider_relationship = RelationshipFactory(
        title="Outsider deal", reference="outsider-deal"
    )
    PartnershipFactory(
        relationship=outsider_relationship,
        organisation=outsider_organisation,
        role=PartnerRole.LEAD,
        relationship_manager=eve,
    )
    return World(
        relationship=relationship,
        lead=lead,
        partner=partner,
        outsider_organisation=outsider_organisation,
        outsider_relationship=outsider_relationship,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        eve=eve,
    )


@pytest.fixture
def frank(world: World) -> AbstractUser:
    """Relationship manager of a second supplier in the world's relationship: with
    it, a supplier's own records are private to it and the lead by default."""
    organisation = OrganisationFactory(name="Second Supplier", slug="second-supplier")
    user = _member("frank", organisation, MembershipRole.RELATIONSHIP_MANAGER)
    PartnershipFactory(
        relationship=world.relationship,
        organisation=organisation,
        relationship_manager=user,
    )
    return user


@pytest.fixture
def login(client: Client):
    """Log the test client in as a user (or stay anonymous for None)."""

    def _login(user: AbstractUser | None) -> Client:
        client.logout()
        if user is not None:
            assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def catalogue_in_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Transactional tests (live server, Celery worker) end with a flush that empties
    every table, the catalogue the migrations loaded included: load it again (the
    loader is idempotent) so each such test, and the next, starts with it."""
    if _transactional(request.node):
        request.getfixturevalue("transactional_db")
        catalogue_load()


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # PBKDF2 at production strength costs ~0.3 s a login; tests need no secrecy.
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def isolated_media_root(settings, tmp_path_factory, request) -> None:
    # Uploaded documents and generated reports never land in the working tree.
    if "demo" in request.fixturenames:  # the shared demo's documents are there
        settings.MEDIA_ROOT = request.getfixturevalue("demo").media_root
    else:
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: cached dashboards and counters of one
    test must not be found by the next, whose rows may reuse the same ids."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cache_keys_asked(monkeypatch) -> list[str]:
    """Every key the default cache is asked to read or write from now on, in
    order; the cache still answers."""
    from django.core.cache import caches

    backend = caches["default"]
    asked: list[str] = []
    for method in ("get", "get_many", "set", "set_many", "add"):
        real = getattr(backend, method)

        def recorded(key, *args, _real=real, **kwargs):
            asked.extend([key] if isinstance(key, str) else list(key))
            return _real(key, *args, **kwargs)

        monkeypatch.setattr(backend, method, recorded)
    return asked


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of the test's own (tests/redis_server.py), running; the test
    may stop() and start() it."""
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


# One chromium per test process, shared by the browser tests and the
# accessibility check: a second sync Playwright in the same thread fails.
@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """The live server for an in-memory SQLite test database. That database is
    one connection, shared with the server's threads, and two requests at once
    (a page and a stylesheet the app serves, each reading the session) used it
    together: "bad parameter or other API misuse", a 500. Connections are still
    served by threads of their own (a browser's idle or kept-alive connection
    blocks nobody); the application runs for one request at a time."""

    _application_lock = threading.Lock()

    def set_app(self, application) -> None:
        def one_at_a_time(environ, start_response):
            with self._application_lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


_threaded_live_server = LiveServerThread._create_server


def _live_server(self, connections_override=None):
    if connections_override:
        return _OneRequestAtATimeServer(
            (self.host, self.port),
            QuietWSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )
    return _threaded_live_server(self, connections_override=connections_override)


LiveServerThread._create_server = _live_server
