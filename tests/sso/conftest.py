"""A real OpenID Connect provider for the single sign-on tests: node-oidc-provider
(tests/sso/oidc/, installed by `make test` with `npm ci`), started on a free port
for each test and stopped after it. The tests fail, never skip, without Node."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.contrib.auth.models import AbstractUser

from accounts.choices import SsoNewMemberRole
from accounts.models import IdentityProvider
from accounts.selectors import sso_callback_url
from accounts.services import identity_provider_save
from relationships.choices import MembershipRole
from relationships.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

OIDC_DIR = Path(__file__).parent / "oidc"
CLIENT_ID = "partnerplan"
CLIENT_SECRET = "partnerplan-test-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def oidc_provider_start() -> Iterator[Callable[[list[str]], str]]:
    """Starts the provider for the given redirect URIs and returns its issuer."""
    processes: list[subprocess.Popen] = []

    def start(redirect_uris: list[str]) -> str:
        node = shutil.which("node")
        assert node, "The SSO tests need Node.js 20+ (sudo apt-get install nodejs)"
        assert (OIDC_DIR / "node_modules" / "oidc-provider").is_dir(), (
            "node-oidc-provider is not installed: `make test` runs npm ci in "
            f"{OIDC_DIR}"
        )
        port = _free_port()
        process = subprocess.Popen(
            [node, "provider.mjs"],
            cwd=OIDC_DIR,
            env={
                **os.environ,
                "PORT": str(port),
                "REDIRECT_URIS": ",".join(redirect_uris),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        processes.append(process)
        issuer = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                response = requests.get(
                    f"{issuer}/.well-known/openid-configuration", timeout=1
                )
                if response.status_code == 200:
                    return issuer
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the OpenID provider did not start"
            time.sleep(0.1)

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


@dataclass
class SsoWorld:
    organisation: Organisation
    identity_provider: IdentityProvider
    issuer: str
    ana: AbstractUser  # a relationship manager of it, ana@uni.example

    def set_new_member_role(self, role: str) -> None:
        self.identity_provider.new_member_role = role
        self.identity_provider.save()


@pytest.fixture
def sso_world(
    live_server, settings, oidc_provider_start: Callable[[list[str]], str]
) -> SsoWorld:
    """The University of Example ties its people (uni.example) to its provider;
    Ana is one of its relationship managers. Another organisation exists too."""
    settings.SOCIALACCOUNT_LOCAL_HTTP_ALLOWED = True
    organisation = OrganisationFactory(name="University of Example", slug="uni")
    callback = sso_callback_url(organisation).replace(
        settings.SITE_URL, live_server.url
    )
    issuer = oidc_provider_start([callback])
    identity_provider = identity_provider_save(
        organisation=organisation,
        name="University login",
        server_url=issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        domains=["uni.example"],
        enabled=True,
        new_member_role=SsoNewMemberRole.NOBODY,
    )
    ana = UserFactory(
        username="ana", email="ana@uni.example", first_name="Ana", last_name="Lima"
    )
    MembershipFactory(
        user=ana, organisation=organisation, role=MembershipRole.RELATIONSHIP_MANAGER
    )
    return SsoWorld(organisation, identity_provider, issuer, ana)
