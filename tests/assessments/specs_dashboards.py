"""Permission-matrix entries for the dashboards (see tests/permissions.py).

The health check answers everyone, anonymous callers included (load balancers and
the compose healthcheck call it), so it is marked public.
"""

from tests.permissions import ViewSpec

DASHBOARDS_VIEWS: list[ViewSpec] = [
    ViewSpec("assessments:portfolio_dashboard", tenant_scoped=False),
    ViewSpec(
        "assessments:relationship_dashboard",
        kwargs=lambda world: {"reference": world.relationship.reference},
    ),
    ViewSpec("assessments:healthz", tenant_scoped=False, public=True),
    ViewSpec("assessments:healthz_live", tenant_scoped=False, public=True),
    ViewSpec("assessments:healthz_ready", tenant_scoped=False, public=True),
]
