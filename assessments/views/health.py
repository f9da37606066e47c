"""Health checks for the container orchestrator and the load balancer.

Liveness (`/healthz/live/`, and `/healthz/` as before): the process answers,
touching nothing else, so a database outage never gets the web containers
restarted. Readiness (`/healthz/ready/`): the database, the cache and the broker
answer (config/health.py); 503 with the failed ones named.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.health import UNAVAILABLE, readiness


@require_safe
@never_cache
def healthz_live(request: HttpRequest) -> HttpResponse:
    """Answers "ok" without touching the database: the process serves requests."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def healthz_ready(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    failed = sorted(name for name, outcome in checks.items() if outcome == UNAVAILABLE)
    return JsonResponse(
        {
            "status": "unavailable" if failed else "ready",
            "failed": failed,
            "checks": checks,
        },
        status=503 if failed else 200,
    )
