"""The reverse proxy of docker-compose.yml (deploy/nginx.conf) against the app's
settings: Docker and nginx cannot run here, so the files are read and held to what
config/settings.py and the upload limit say."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

from tests.config.test_compose import _service_environment, settings_json

ROOT = Path(settings.BASE_DIR)
# Multipart framing and a form's short fields around the document.
FORM_OVERHEAD = 64 * 1024
SIZE = re.compile(r"^(?P<number>\d+)(?P<unit>[kKmMgG]?)$")
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def _directives(path: Path) -> list[tuple[str, str]]:
    """Every `name value;` of an nginx file, comments removed, in order."""
    text = re.sub(r"#[^\n]*", "", path.read_text(encoding="utf-8"))
    return re.findall(r"(?m)^\s*([a-z_0-9]+)\s+([^;{}]*?)\s*;", text)


def _values(path: Path, name: str) -> list[str]:
    return [value for directive, value in _directives(path) if directive == name]


def _one(path: Path, name: str) -> str:
    values = _values(path, name)
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def _bytes(size: str) -> int:
    match = SIZE.match(size)
    assert match, size
    return int(match["number"]) * UNITS[match["unit"].lower()]


def _seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)(s|m)?", value)
    assert match, value
    return int(match[1]) * (60 if match[2] == "m" else 1)


def _mounted(compose: dict, target: str) -> Path:
    """The repository file the proxy service mounts at `target`."""
    for volume in compose["services"]["proxy"]["volumes"]:
        source, mounted_at, *_ = volume.split(":")
        if mounted_at == target:
            path = ROOT / source
            assert path.is_file(), source
            return path
    pytest.fail(f"Nothing is mounted at {target}")


@pytest.fixture(scope="module")
def nginx_conf(compose) -> Path:
    return _mounted(compose, "/etc/nginx/conf.d/default.conf")


@pytest.fixture(scope="module")
def proxy_include(compose, nginx_conf) -> Path:
    targets = _values(nginx_conf, "include")
    assert targets and set(targets) == {"/etc/nginx/conf.d/partnerplan-proxy.inc"}
    return _mounted(compose, targets[0])


def _settings_under(environment: dict[str, str]) -> dict:
    return settings_json(
        environment,
        "{'ssl_header': s.SECURE_PROXY_SSL_HEADER,"
        " 'proxies': s.ALLAUTH_TRUSTED_PROXY_COUNT,"
        " 'data_upload': s.DATA_UPLOAD_MAX_MEMORY_SIZE}",
    )


@pytest.fixture(scope="module")
def web_settings(compose) -> dict:
    return _settings_under(_service_environment(compose, "web"))


def test_proxy_is_nginx_from_its_official_image_and_alone_published(compose) -> None:
    services = compose["services"]
    assert services["proxy"]["image"].split(":")[0] == "nginx"
    assert {port.split(":")[-1] for port in services["proxy"]["ports"]} == {
        "80",
        "443",
    }
    published = {name for name, service in services.items() if "ports" in service}
    assert published == {"proxy"}, "gunicorn and the others stay off the host"
    assert services["web"]["expose"] == ["8000"]
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]
    assert _values(ROOT / "deploy" / "nginx.conf", "server") == ["web:8000"]


def test_body_cap_is_the_upload_limit_plus_form_overhead(
    nginx_conf, web_settings
) -> None:
    cap = _bytes(_one(nginx_conf, "client_max_body_size"))

    # A document at the limit, in its form, gets through to the app (which says
    # what is wrong with a bigger one); a body the app would refuse is cut short.
    # The app refuses a bigger body from its Content-Length alone (413).
    assert cap == settings.REQUEST_BODY_MAX_BYTES
    assert cap >= settings.UPLOAD_MAX_BYTES + FORM_OVERHEAD
    assert cap <= settings.UPLOAD_MAX_BYTES + web_settings["data_upload"]
    too_large_page = " ".join(_values(nginx_conf, "return"))
    assert f"up to {settings.UPLOAD_MAX_BYTES // 1024**2} MB" in too_large_page


def test_slow_clients_are_buffered_by_the_proxy(nginx_conf) -> None:
    assert _one(nginx_conf, "proxy_request_buffering") == "on"
    assert _one(nginx_conf, "proxy_buffering") == "on"
    assert _seconds(_one(nginx_conf, "client_header_timeout")) <= 30
    assert _seconds(_one(nginx_conf, "client_body_timeout")) <= 60
    assert _seconds(_one(nginx_conf, "send_timeout")) <= 120


def test_proxy_sets_the_headers_the_app_trusts(proxy_include, web_settings) -> None:
    headers = dict(
        value.split(None, 1) for value in _values(proxy_include, "proxy_set_header")
    )
    assert _one(proxy_include, "proxy_pass") == "http://partnerplan_web"

    # SECURE_PROXY_SSL_HEADER: ("HTTP_X_FORWARDED_PROTO", "https").
    meta_name, secure_value = web_settings["ssl_header"]
    header = meta_name.removeprefix("HTTP_").replace("_", "-").title()
    assert headers[header] == "$scheme"  # "https" on the TLS server
    assert secure_value == "https"
    # The client's address, replacing what the client sent: one proxy to count.
    assert web_settings["proxies"] == 1
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["Host"] == headers["X-Forwarded-Host"] == "$host"


def test_every_location_passes_through_the_shared_headers(nginx_conf) -> None:
    assert not _values(nginx_conf, "proxy_pass"), "only in partnerplan-proxy.inc"
    assert not _values(nginx_conf, "proxy_set_header")


def _health_url(service: dict) -> str:
    test = service["healthcheck"]["test"]
    command = " ".join(test[1:]) if isinstance(test, list) else test
    match = re.search(r"http://127\.0\.0\.1(?::\d+)?(/[^'\" ]*)", command)
    assert match, command
    return match[1]


def test_health_checks_use_readiness_and_liveness(compose) -> None:
    services = compose["services"]
    assert resolve(_health_url(services["web"])).view_name == (
        "assessments:healthz_ready"
    )
    assert resolve(_health_url(services["proxy"])).view_name == (
        "assessments:healthz_live"
    )
    beat = services["beat"]["healthcheck"]["test"]
    assert beat[1:4] == ["python", "manage.py", "check_ready"]
    assert "celery -A config inspect ping" in " ".join(
        services["worker"]["healthcheck"]["test"]
    )
