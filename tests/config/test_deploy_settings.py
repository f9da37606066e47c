"""Secure by default behind TLS: the production settings (docker-compose.yml's
environment) pass `check --deploy` with no warning, redirect to https, send HSTS,
keep cookies to https and trust X-Forwarded-Proto only when told to."""

import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from tests.config.test_compose import _interpolate

ROOT = Path(settings.BASE_DIR)
# A secret as long and varied as `check --deploy` asks for (security.W009).
PRODUCTION_SECRET = "k3y-for-the-deploy-check-only-" + "x7Qp9LmZ" * 6


def _production_environment(**overrides: str) -> dict[str, str]:
    """docker-compose.yml's web environment, as the container gets it."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))
    raw = compose["services"]["web"]["environment"]
    host = {"SECRET_KEY": PRODUCTION_SECRET}
    environment = {key: _interpolate(str(value), host) for key, value in raw.items()}
    inherited = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {**inherited, **environment, **overrides}


def _run(
    arguments: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def _setting(name: str, environment: dict[str, str]) -> str:
    result = _run(
        ["-c", f"import config.settings as s; print(repr(getattr(s, {name!r}, None)))"],
        environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_the_deployment_checks() -> None:
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        _production_environment(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_redirects_to_https_except_the_health_checks() -> None:
    environment = _production_environment()
    assert _setting("SECURE_SSL_REDIRECT", environment) == "True"
    assert _setting("SECURE_REDIRECT_EXEMPT", environment) == "['^healthz/']"
    assert _setting("SECURE_HSTS_SECONDS", environment) == "31536000"
    hsts = _production_environment(SECURE_HSTS_SECONDS="600")
    assert _setting("SECURE_HSTS_SECONDS", hsts) == "600"


def test_production_cookies_are_secure_and_host_prefixed() -> None:
    environment = _production_environment()
    assert _setting("SESSION_COOKIE_SECURE", environment) == "True"
    assert _setting("SESSION_COOKIE_NAME", environment) == "'__Host-sessionid'"
    assert _setting("CSRF_COOKIE_NAME", environment) == "'__Host-csrftoken'"
    # Plain http (make run) keeps the usual names: a browser refuses a __Host-
    # cookie that is not Secure.
    development = {**environment, "DEBUG": "true"}
    assert _setting("SESSION_COOKIE_SECURE", development) == "False"
    assert "__Host-" not in _setting("SESSION_COOKIE_NAME", development)


def test_forwarded_proto_is_trusted_only_when_a_proxy_is_configured() -> None:
    # gunicorn exposed directly (the setting left out): the header is not trusted.
    direct = _production_environment()
    del direct["SECURE_PROXY_SSL_HEADER"]
    assert _setting("SECURE_PROXY_SSL_HEADER", direct) == "None"
    # Behind docker-compose.yml's nginx, which sets it, it is.
    assert (
        _setting("SECURE_PROXY_SSL_HEADER", _production_environment())
        == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_healthz_is_exempt_from_the_https_redirect(client, settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    # The whole prefix: the liveness and readiness checks live under it too.
    for path in ("/healthz/", "/healthz/live/", "/healthz/ready/"):
        assert client.get(path).status_code != 301, path
    login = client.get("/accounts/login/")
    assert login.status_code == 301
    assert login["Location"].startswith("https://")
