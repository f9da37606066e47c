"""One permission matrix for every view, after NetBox's ViewTestCases.

Each ViewSpec names a URL and how to build its arguments from the `world`
fixture. `check_view_access` asserts, for one persona:
- anonymous users are sent to the login page (public views, such as the health
  check, answer everyone);
- the outsider (a non-partner organisation) gets 404, so nothing leaks;
- the auditor reads (200) but gets 403 on anything that writes;
- partner members with a write role succeed;
- erin, an external auditor with an active grant from the lead organisation to
  the relationship, reads (200) but writes nothing (403 or 404), and is refused
  the organisation admin pages; ivy, whose grant lapsed, and rex, whose grant
  was revoked, get 404 on everything of the relationship.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.urls import reverse


@dataclass(frozen=True)
class ViewSpec:
    url_name: str
    kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda world: {})
    writes: bool = False
    tenant_scoped: bool = True
    public: bool = False
    post_data: Callable[[Any], dict[str, Any]] | None = None
    # A draft self-assessment, which the other partners do not see yet.
    draft: bool = False
    # A page of the lead organisation's admins only (none of the personas is
    # one): its other members get 403, everybody else 404.
    organisation_admin: bool = False
    # Statuses by persona, for pages whose rule is not a relationship's (an
    # organisation's admin pages) or is narrower than "any writer of a partner"
    # (only the lead invites); the personas not named get the usual ones.
    statuses: dict[str, int] = field(default_factory=dict)

    def url(self, world: Any) -> str:
        return reverse(self.url_name, kwargs=self.kwargs(world))

    def __str__(self) -> str:
        return self.url_name


PERSONAS = ["anonymous", "eve", "dave", "alice", "bob", "carol", "erin", "ivy", "rex"]
# External auditors (tests/accounts/factories_external.py): an active grant, a
# lapsed one, a revoked one.
EXTERNAL_PERSONAS = {"erin": {}, "ivy": {"lapsed": True}, "rex": {"revoked": True}}


def expected_external_status(spec: ViewSpec, persona: str) -> int | set[int]:
    """An external auditor reads what the relationship's auditors read and
    writes nothing; with a lapsed or revoked grant, the relationship is a 404."""
    if persona in spec.statuses:
        return spec.statuses[persona]
    if spec.public:
        return 200
    if spec.organisation_admin:
        return 404
    if persona != "erin" and spec.tenant_scoped:
        return 404
    if spec.writes:
        return {403, 404}
    return spec.statuses.get("dave", 200)


def expected_status(spec: ViewSpec, persona: str) -> int | set[int]:
    if persona in EXTERNAL_PERSONAS:
        return expected_external_status(spec, persona)
    if persona in spec.statuses:
        return spec.statuses[persona]
    if spec.public:
        return 200
    if persona == "anonymous":
        return 302
    if spec.organisation_admin:
        return 403 if persona in ("alice", "carol") else 404
    if persona == "eve" and spec.tenant_scoped:
        return 404
    if persona == "dave" and spec.writes:
        return 403
    return 200


def check_view_access(client: Client, world: Any, spec: ViewSpec, persona: str) -> None:
    url = spec.url(world)
    response = client.get(url)
    expected = expected_status(spec, persona)
    allowed = expected if isinstance(expected, set) else {expected}
    assert response.status_code in allowed, (spec.url_name, persona, "GET")
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))
    if spec.post_data is not None and allowed <= {403, 404}:
        # A refused POST must be refused before anything is written.
        response = client.post(url, spec.post_data(world))
        assert response.status_code in allowed, (spec.url_name, persona, "POST")


# --- partner-private records ---------------------------------------------------

# In a programme of three partners (the `frank` fixture adds a second supplier),
# a ViewSpec of a private record names a URL of bob's supplier's own record,
# shared with the lead: bob succeeds, alice (the lead) reads it but may not
# change it (nor see it while it is a draft self-assessment), and frank, the
# other supplier, gets 404 on every method, so that the record's existence does
# not leak.
PRIVATE_PERSONAS = ["bob", "alice", "frank"]


def expected_private_status(spec: ViewSpec, persona: str) -> int:
    if persona == "frank" or (persona == "alice" and spec.draft):
        return 404
    if persona == "alice" and spec.writes:
        return 403
    return 200


def check_private_record_access(
    client: Client, world: Any, spec: ViewSpec, persona: str
) -> None:
    url = spec.url(world)
    expected = expected_private_status(spec, persona)
    response = client.get(url)
    assert response.status_code == expected, (spec.url_name, persona, "GET")
    if spec.post_data is not None and expected in (403, 404):
        response = client.post(url, spec.post_data(world))
        assert response.status_code == expected, (spec.url_name, persona, "POST")
