"""The production image's collectstatic, run as the Dockerfile runs it.

The tests serve static files without the manifest, so a vendored file that
names an asset the repository lacks (a source map) went unnoticed until the
image failed to build.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def test_collectstatic_with_the_manifest_storage_succeeds(tmp_path: Path) -> None:
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert "DEBUG=false SECRET_KEY=collectstatic-only python manage.py " in dockerfile
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "STATIC_"))
    }
    environment.update(
        DEBUG="false", SECRET_KEY="collectstatic-only", STATIC_ROOT=str(tmp_path)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert "vendor/bootstrap/bootstrap.bundle.min.js" in manifest


def test_no_vendored_file_names_a_source_map_that_is_missing() -> None:
    missing = []
    for path in (BASE_DIR / "static").rglob("*"):
        if path.suffix not in (".css", ".js"):
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text()):
            if not (path.parent / name).exists():
                missing.append(f"{path.relative_to(BASE_DIR)} -> {name}")
    assert missing == []
