"""docker-compose.yml is the production shape; Docker cannot run here, so these tests
hold it to the settings the app really reads (config/settings.py)."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)
APP_SERVICES = ("web", "worker", "beat")
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str, environment: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error} interpolation."""

    def substitute(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if environment.get(name):
            return environment[name]
        if op == "?":
            raise KeyError(f"{name} is required: {arg}")
        return arg or ""

    return INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _service_environment(compose: dict, service: str) -> dict[str, str]:
    raw = compose["services"][service]["environment"]
    host_environment = {"SECRET_KEY": "compose-test-secret"}
    return {
        key: _interpolate(str(value), host_environment) for key, value in raw.items()
    }


def _variables_settings_reads() -> set[str]:
    tree = ast.parse((ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "env"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def settings_json(environment: dict[str, str], values: str) -> dict:
    """`values`, a Python dict expression over the settings `s`, as a fresh
    process with this environment (and nothing else of the test's) sees them."""
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({values}))"
    )
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    }
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _settings_under(environment: dict[str, str]) -> dict:
    return settings_json(
        environment,
        "{'engine': s.DATABASES['default']['ENGINE'],"
        " 'host': s.DATABASES['default']['HOST'],"
        " 'port': s.DATABASES['default']['PORT'],"
        " 'name': s.DATABASES['default']['NAME'],"
        " 'user': s.DATABASES['default']['USER'],"
        " 'password': s.DATABASES['default']['PASSWORD'],"
        " 'conn_max_age': s.DATABASES['default']['CONN_MAX_AGE'],"
        " 'debug': s.DEBUG, 'broker': s.CELERY_BROKER_URL,"
        " 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'mail_backend': s.EMAIL_BACKEND,"
        " 'mail_host': s.EMAIL_HOST,"
        " 'media_root': str(s.MEDIA_ROOT), 'demo': s.DEMO_DATA_ALLOWED,"
        " 'hosts': s.ALLOWED_HOSTS, 'site_url': s.SITE_URL,"
        " 'cache': s.CACHES['default']}",
    )


def test_compose_has_the_production_services(compose) -> None:
    assert set(compose["services"]) == {
        "proxy",
        "web",
        "worker",
        "beat",
        "postgres",
        "redis",
    }
    for service in compose["services"]:
        assert "healthcheck" in compose["services"][service], service


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_app_variable_is_one_the_settings_read(compose, service) -> None:
    environment = _service_environment(compose, service)
    unknown = set(environment) - _variables_settings_reads()
    assert not unknown, f"{service} sets variables settings never read: {unknown}"


def test_secret_key_must_be_supplied_to_compose(compose) -> None:
    with pytest.raises(KeyError, match="SECRET_KEY"):
        _interpolate(compose["services"]["web"]["environment"]["SECRET_KEY"], {})


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_services_configure_postgres_redis_and_production_mode(
    compose, service
) -> None:
    environment = _service_environment(compose, service)
    loaded = _settings_under(environment)
    postgres = compose["services"]["postgres"]["environment"]
    postgres_password = _interpolate(postgres["POSTGRES_PASSWORD"], {})

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["host"] == "postgres" and int(loaded["port"]) == 5432
    assert loaded["name"] == postgres["POSTGRES_DB"]
    assert loaded["user"] == postgres["POSTGRES_USER"]
    assert loaded["password"] == postgres_password
    assert loaded["conn_max_age"] == 60
    assert loaded["debug"] is False and loaded["demo"] is False
    broker = urlsplit(loaded["broker"])
    assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)
    assert loaded["eager"] is False, "a broker is set, so tasks must not run eagerly"
    # Web, worker and beat share one cache, so a save in any of them refreshes
    # the dashboards every web worker serves.
    cache = urlsplit(loaded["cache"]["LOCATION"])
    assert loaded["cache"]["BACKEND"] == "config.cache.ResilientRedisCache"
    assert (cache.hostname, cache.port) == ("redis", 6379)
    assert cache.path != broker.path, "the cache must not share the broker's db"
    assert loaded["site_url"] == "https://localhost"
    assert loaded["mail_backend"].endswith("smtp.EmailBackend")
    assert loaded["mail_host"] == "localhost"
    mounts = [
        volume.split(":")[1] for volume in compose["services"][service]["volumes"]
    ]
    assert loaded["media_root"] in mounts


def test_service_commands_point_at_real_entry_points(compose) -> None:
    web = compose["services"]["web"]["command"]
    assert "gunicorn config.wsgi:application" in web
    assert "manage.py migrate" in web
    from config.wsgi import application

    assert callable(application)
    assert compose["services"]["worker"]["command"].startswith(
        "celery -A config worker"
    )
    beat = compose["services"]["beat"]
    assert "celery -A config beat" in beat["command"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in beat["command"]
    assert "manage.py setup_schedules" in beat["command"]
    assert beat["deploy"]["replicas"] == 1, "two beats would queue every job twice"
    from config import celery_app

    assert celery_app.main == "partnerplan"
    commands = get_commands()
    assert commands["setup_schedules"] == "assessments"
    assert commands["load_catalogue"] == "principles"


def test_dockerfile_uses_python_312_or_newer_with_weasyprint_libraries() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    version = re.search(r"^FROM python:(\d+)\.(\d+)", dockerfile, re.MULTILINE)
    assert version and (int(version[1]), int(version[2])) >= (3, 12)
    assert "libpango-1.0-0" in dockerfile
    assert "fonts-" in dockerfile
