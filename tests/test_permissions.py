"""The permission matrix, applied to every view of the three apps."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import IdentityProvider
from relationships.models import Relationship
from tests.accounts.factories_external import external_auditor, yesterday
from tests.accounts.specs_organisations import (
    ORGANISATION_PERSONAS,
    ORGANISATION_VIEWS,
    OTHER_ACCOUNTS_VIEWS,
    OrganisationViewSpec,
    check_organisation_view_access,
    organisation_admin,
)
from tests.accounts.specs_security import SECURITY_VIEWS
from tests.accounts.specs_sso import SSO_VIEWS
from tests.assessments.specs_assessments import (
    ASSESSMENTS_VIEWS,
    PRIVATE_ASSESSMENTS_VIEWS,
)
from tests.assessments.specs_dashboards import DASHBOARDS_VIEWS
from tests.assessments.specs_reports import REPORTS_VIEWS
from tests.assurance.specs_assurance import ASSURANCE_NOT_PRIVATE, ASSURANCE_VIEWS
from tests.assurance.specs_packs import PACKS_NOT_PRIVATE, PACKS_VIEWS
from tests.assurance.specs_reviews import REVIEWS_NOT_PARTNER_PRIVATE, REVIEWS_VIEWS
from tests.conftest import World, world_reread
from tests.permissions import (
    EXTERNAL_PERSONAS,
    PERSONAS,
    PRIVATE_PERSONAS,
    ViewSpec,
    check_private_record_access,
    check_view_access,
)
from tests.relationships.specs_lifecycle import (
    LIFECYCLE_VIEWS,
    PRIVATE_LIFECYCLE_VIEWS,
)
from tests.relationships.specs_partners import PARTNERS_NOT_PRIVATE, PARTNERS_VIEWS
from tests.relationships.specs_plans import PLANS_VIEWS
from tests.relationships.specs_registers import (
    PRIVATE_REGISTERS_VIEWS,
    REGISTERS_VIEWS,
)

VIEWS = [
    ViewSpec("relationships:list", tenant_scoped=False),
    ViewSpec(
        "relationships:detail",
        kwargs=lambda world: {"reference": world.relationship.reference},
    ),
    ViewSpec(
        "relationships:edit",
        kwargs=lambda world: {"reference": world.relationship.reference},
        writes=True,
        post_data=lambda world: {"title": "Hijacked", "status": "closed"},
    ),
    ViewSpec("principles:catalogue", tenant_scoped=False),
    ViewSpec(
        "principles:set_detail",
        kwargs=lambda world: {"key": "ubc"},
        tenant_scoped=False,
    ),
    *PARTNERS_VIEWS,
    *PLANS_VIEWS,
    *REGISTERS_VIEWS,
    *LIFECYCLE_VIEWS,
    *ASSESSMENTS_VIEWS,
    *REPORTS_VIEWS,
    *DASHBOARDS_VIEWS,
    *REVIEWS_VIEWS,
    *SSO_VIEWS,
    *SECURITY_VIEWS,
    *ASSURANCE_VIEWS,
    *PACKS_VIEWS,
]


PRIVATE_VIEWS = [
    *PRIVATE_REGISTERS_VIEWS,
    *PRIVATE_LIFECYCLE_VIEWS,
    *PRIVATE_ASSESSMENTS_VIEWS,
]
# URLs of one record that holds joint data only (reports; the confirmation of
# the joint assessment, where a self-assessment is a 404 for everyone): nothing
# partner-private to hide.
NOT_PARTNER_PRIVATE = {
    "assessments:assessment_confirm",
    "assessments:assessment_send_back",
    "assessments:report_detail",
    "assessments:report_status",
    "assessments:report_download",
    "assessments:report_retry",
    "assessments:report_reissue",
    *PARTNERS_NOT_PRIVATE,
    *ASSURANCE_NOT_PRIVATE,
    *PACKS_NOT_PRIVATE,
    *REVIEWS_NOT_PARTNER_PRIVATE,
}


def _url_names(
    patterns: list,
    namespace: str,
    *,
    of_one_record: bool = False,
    outer_converters: frozenset[str] = frozenset(),
) -> set[str]:
    """The URL names under `patterns`; `of_one_record`: only those whose path,
    with the prefixes of the include()s around it, names a record ("pk")."""
    names = set()
    for pattern in patterns:
        converters = outer_converters | set(pattern.pattern.converters)
        if isinstance(pattern, URLResolver):  # an include() without a namespace
            names |= _url_names(
                pattern.url_patterns,
                namespace,
                of_one_record=of_one_record,
                outer_converters=converters,
            )
            continue
        assert isinstance(pattern, URLPattern)
        if of_one_record and "pk" not in converters:
            continue
        names.add(f"{namespace}:{pattern.name}")
    return names


def _app_url_names(
    *,
    of_one_record: bool = False,
    namespaces: frozenset[str] = frozenset(
        {"relationships", "principles", "assessments", "assurance"}
    ),
) -> set[str]:
    names = set()
    for resolver in get_resolver().url_patterns:
        if isinstance(resolver, URLResolver) and resolver.namespace in namespaces:
            names |= _url_names(
                resolver.url_patterns,
                resolver.namespace,
                of_one_record=of_one_record,
                outer_converters=frozenset(resolver.pattern.converters),
            )
    return names


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The module's world (tests/conftest.py: shared_world), built once for its
    two thousand tests: building it for each was half the matrix's time."""
    return world_reread(shared_world)


def test_every_app_view_is_in_the_permission_matrix() -> None:
    assert _app_url_names() == {
        spec.url_name for spec in VIEWS if not spec.url_name.startswith("accounts:")
    }


def _external_persona(world, persona: str) -> None:
    """Seat an external auditor persona in the world (erin, ivy, rex)."""
    grant = EXTERNAL_PERSONAS[persona]
    setattr(
        world,
        persona,
        external_auditor(
            world,
            username=persona,
            ends_on=yesterday() if grant.get("lapsed") else None,
            revoked=grant.get("revoked", False),
        ),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("spec", VIEWS, ids=str)
def test_view_access(login, world, spec: ViewSpec, persona: str) -> None:
    if persona in EXTERNAL_PERSONAS:
        _external_persona(world, persona)
    client = login(world.persona(persona))
    check_view_access(client, world, spec, persona)


def test_refused_writes_change_nothing(login, world) -> None:
    _external_persona(world, "erin")
    for persona in ("eve", "dave", "erin"):
        login(world.persona(persona)).post(
            f"/relationships/{world.relationship.reference}/edit/",
            {"title": "Hijacked", "status": "closed"},
        )
    world.relationship.refresh_from_db()
    assert world.relationship.title == "Joint venture"
    assert Relationship.objects.filter(title="Hijacked").count() == 0
    for persona in ("eve", "alice", "carol"):
        login(world.persona(persona)).post(
            f"/organisations/{world.lead.organisation.slug}/sign-on/",
            {"name": "Hijacked", "server_url": "https://evil.example"},
        )
    assert not IdentityProvider.objects.exists()


def test_every_url_of_one_record_is_in_the_private_matrix() -> None:
    covered = {spec.url_name for spec in PRIVATE_VIEWS}
    assert _app_url_names(of_one_record=True) - NOT_PARTNER_PRIVATE == covered


@pytest.mark.parametrize("persona", PRIVATE_PERSONAS)
@pytest.mark.parametrize("spec", PRIVATE_VIEWS, ids=str)
def test_private_record_access(
    login, world, frank, settings, tmp_path, spec: ViewSpec, persona: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = frank if persona == "frank" else world.persona(persona)
    check_private_record_access(login(user), world, spec, persona)


# --- the organisation admin pages (accounts) -------------------------------------


def test_every_accounts_view_is_in_the_organisation_matrix() -> None:
    covered = (
        {spec.url_name for spec in ORGANISATION_VIEWS}
        | {spec.url_name for spec in SSO_VIEWS}
        | {spec.url_name for spec in SECURITY_VIEWS}
        | OTHER_ACCOUNTS_VIEWS
    )
    assert _app_url_names(namespaces=frozenset({"accounts"})) == covered


@pytest.mark.parametrize("persona", ORGANISATION_PERSONAS)
@pytest.mark.parametrize("spec", ORGANISATION_VIEWS, ids=str)
def test_organisation_view_access(
    login, world, spec: OrganisationViewSpec, persona: str
) -> None:
    world.olive = organisation_admin(world)
    if persona in EXTERNAL_PERSONAS:
        _external_persona(world, persona)
    user = world.olive if persona == "olive" else world.persona(persona)
    check_organisation_view_access(login(user), world, spec, persona)
