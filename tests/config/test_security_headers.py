"""The security headers: every page of the permission matrix and every download
carries Cache-Control (private, no-store), Permissions-Policy, the
Content-Security-Policy and the usual nosniff/referrer/framing headers."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.services import identity_provider_save
from config.middleware import PrivateResponseHeadersMiddleware
from tests.accounts.specs_organisations import ORGANISATION_VIEWS, organisation_admin
from tests.conftest import World, world_reread
from tests.permissions import ViewSpec, expected_private_status, expected_status
from tests.test_permissions import PRIVATE_VIEWS, VIEWS

DOWNLOADS = {
    "assessments:report_download",
    "assessments:assessment_export",
    "relationships:document_download",
    "relationships:document_revision_download",
    "relationships:objective_export",
    "relationships:risk_export",
    "relationships:action_export",
}


# --- headers on every page ---------------------------------------------------


def assert_security_headers(response: HttpResponse, *, private: bool) -> None:
    cache_control = response.get("Cache-Control", "")
    if private:
        assert "no-store" in cache_control and "private" in cache_control, cache_control
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp, (directive, csp)


@pytest.fixture
def world(shared_world: World, db) -> World:
    """The module's world (tests/conftest.py: shared_world), built once for its
    two hundred tests."""
    return world_reread(shared_world)


def _allowed_user(spec: ViewSpec, world):
    """A persona the matrix lets in, or else the lead organisation's admin (the
    organisation's admin pages let in none of the personas)."""
    for persona in ("alice", "bob", "carol", "dave", "eve"):
        if expected_status(spec, persona) == 200:
            return world.persona(persona)
    return organisation_admin(world)


@pytest.mark.parametrize("spec", VIEWS, ids=str)
def test_every_matrix_page_carries_the_security_headers(
    login, world, settings, tmp_path, spec: ViewSpec
) -> None:
    settings.MEDIA_ROOT = tmp_path
    user = _allowed_user(spec, world)
    response = login(user).get(spec.url(world))
    assert response.status_code == 200, (spec.url_name, user.username)
    assert_security_headers(response, private=True)
    if spec.url_name in DOWNLOADS:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("spec", PRIVATE_VIEWS, ids=str)
def test_every_private_record_page_carries_the_security_headers(
    login, world, frank, settings, tmp_path, spec: ViewSpec
) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert expected_private_status(spec, "bob") == 200
    response = login(world.persona("bob")).get(spec.url(world))
    assert response.status_code == 200, spec.url_name
    assert_security_headers(response, private=True)
    if spec.url_name in DOWNLOADS:
        assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("spec", ORGANISATION_VIEWS, ids=str)
def test_every_organisation_page_carries_the_security_headers(
    login, world, spec
) -> None:
    world.olive = organisation_admin(world)
    client = login(world.olive)
    url = reverse(spec.url_name, kwargs=spec.kwargs(world))
    response = (
        client.post(url, spec.post_data(world)) if spec.post_only else (client.get(url))
    )
    assert response.status_code == (302 if spec.post_only else 200), spec.url_name
    assert_security_headers(response, private=True)


def test_the_matrix_reaches_a_download_of_each_kind() -> None:
    names = {spec.url_name for spec in [*VIEWS, *PRIVATE_VIEWS]}
    assert names >= DOWNLOADS


def test_public_responses_stay_cacheable_for_anonymous_visitors(
    client, login, world
) -> None:
    """The middleware adds no-store for people logged in, not for everyone (the
    login page has Django's own never_cache)."""
    url = reverse("risk_band_styles")
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "no-store" not in anonymous.get("Cache-Control", "")
    assert anonymous["Permissions-Policy"]
    logged_in = login(world.alice).get(url)
    assert "no-store" in logged_in["Cache-Control"]
    assert_security_headers(client.get("/accounts/login/"), private=True)


def test_a_download_is_never_stored_whoever_asks(tmp_path, db) -> None:
    request = RequestFactory().get("/anything/")
    request.user = AnonymousUser()
    document = tmp_path / "minutes.pdf"
    document.write_bytes(b"%PDF-1.7 minutes")

    def respond(request):
        return FileResponse(document.open("rb"), as_attachment=True)

    response = PrivateResponseHeadersMiddleware(respond)(request)
    # Closing a response ends the request, whose signal would close the database
    # connection, and with it the module's shared world: as Django's test
    # client does, not during a test.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_login_forms_may_post_on_to_the_identity_providers(
    client, world, settings
) -> None:
    identity_provider_save(
        organisation=world.lead.organisation,
        name="Lead Org login",
        server_url="https://login.lead.example/realms/staff",
        client_id="partnerplan",
        client_secret="secret",
        domains=["lead.example"],
        enabled=True,
        new_member_role="",
    )
    for path in ("/accounts/login/", "/accounts/sso/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "form-action 'self' https://login.lead.example;" in policy + ";", path
    # Every other form posts to this site only.
    signup = client.get("/accounts/password/reset/")["Content-Security-Policy"]
    assert "login.lead.example" not in signup
