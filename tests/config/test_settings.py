import os
import shlex
import subprocess
import sys

from django.conf import settings


def _load_settings(**environment: str) -> subprocess.CompletedProcess:
    return _load_settings_printing("CELERY_TASK_ALWAYS_EAGER", **environment)


def _load_settings_printing(
    name: str, **environment: str
) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(s.{name})"],
        cwd=settings.BASE_DIR,
        env={**base, **environment},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _load_settings(DEBUG="false", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_embedded_defaults_run_celery_tasks_eagerly() -> None:
    result = _load_settings(DEBUG="true", DATABASE_URL="sqlite:///:memory:")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_a_broker_turns_eager_mode_off() -> None:
    result = _load_settings(
        DEBUG="true",
        DATABASE_URL="sqlite:///:memory:",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.stdout.strip() == "False"


def _make_run_environment(*arguments: str) -> dict[str, str]:
    """The variables `make run` sets for the server it starts (a dry run)."""
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *arguments],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    command = next(
        line for line in result.stdout.splitlines() if "manage.py runserver" in line
    )
    assignments = shlex.split(command.split(" .venv/")[0])
    return dict(word.split("=", 1) for word in assignments if "=" in word)


def _site_url(environment: dict[str, str]) -> str:
    result = _load_settings_printing(
        "SITE_URL", DATABASE_URL="sqlite:///:memory:", **environment
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_points_links_at_the_port_and_host_it_serves() -> None:
    environment = _make_run_environment("PORT=8101")
    assert _site_url(environment) == "http://127.0.0.1:8101"
    everywhere = _make_run_environment("HOST=0.0.0.0", "PORT=8102")
    assert _site_url(everywhere) == "http://127.0.0.1:8102"
    named = _make_run_environment("HOST=localhost", "PORT=8103")
    assert _site_url(named) == "http://localhost:8103"


def test_a_site_url_that_is_set_wins_over_make_runs_address() -> None:
    environment = _make_run_environment("PORT=8101")
    chosen = {**environment, "SITE_URL": "https://partnerplan.example.org/"}
    assert _site_url(chosen) == "https://partnerplan.example.org"
