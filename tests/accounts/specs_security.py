"""Permission-matrix entries for the accounts app's security pages. The world has
no organisation admin: members of the lead organisation get 403, everyone else
404 (tests/accounts/test_organisation_security.py covers the admin)."""

from tests.permissions import ViewSpec

ADMIN_ONLY_OF_LEAD = {"alice": 403, "carol": 403, "bob": 404, "dave": 404}

SECURITY_VIEWS = [
    ViewSpec(
        "accounts:organisation_security",
        kwargs=lambda world: {"slug": world.lead.organisation.slug},
        writes=True,
        statuses=ADMIN_ONLY_OF_LEAD,
        post_data=lambda world: {"mfa_required_for_all": "on"},
    ),
]
