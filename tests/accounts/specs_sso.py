"""Single sign-on URLs in the permission matrix (tests/test_permissions.py)."""

from tests.permissions import ViewSpec

SSO_VIEWS = [
    # Anybody may start logging in with their organisation.
    ViewSpec("accounts:sso_start", tenant_scoped=False, public=True),
    ViewSpec(
        "accounts:organisation_sso",
        kwargs=lambda world: {"slug": world.lead.organisation.slug},
        writes=True,
        organisation_admin=True,
        post_data=lambda world: {
            "name": "Hijacked",
            "server_url": "https://evil.example",
            "client_id": "x",
            "client_secret": "x",
            "domains": "lead.example",
        },
    ),
]
