import os
import subprocess
import sys

from django.conf import settings


def _load_settings(**environment: str) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import config.settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)",
        ],
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
