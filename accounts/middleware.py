"""Per-request account rules: idle sessions end, and people whose organisation
(or the admin site) requires two-factor authentication enrol before going on."""

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import identity_provider_origins, mfa_gate_for

# A session's expiry is pushed back at most this often, not on every request:
# a write per page would cost a query everywhere for a minute's precision.
SESSION_TOUCH_SECONDS = 60
SESSION_SEEN_KEY = "accounts_last_seen"


def session_touch(request: HttpRequest) -> None:
    """Start the idle period again (SESSION_COOKIE_AGE from now)."""
    request.session[SESSION_SEEN_KEY] = int(time.time())


class SessionIdleMiddleware:
    """Sessions end SESSION_IDLE_MINUTES after the last request: the session's
    age is the idle time, and each request (once a minute) starts it again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            last_seen = request.session.get(SESSION_SEEN_KEY, 0)
            if time.time() - last_seen >= SESSION_TOUCH_SECONDS:
                session_touch(request)
        return self.get_response(request)


def _exempt(path: str) -> bool:
    """Pages a person without a second factor must still reach: the account and
    MFA pages (enrolment, log out), static files, the health check."""
    return path.startswith(
        ("/accounts/", f"/{settings.STATIC_URL.lstrip('/')}", "/healthz/")
    )


class MfaRequiredMiddleware:
    """Sends a logged-in person who must use two-factor authentication, and has
    no authenticator yet, to the authenticator-app enrolment page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not _exempt(request.path):
            gate = mfa_gate_for(user)
            if not gate.enrolled:
                reason = self._reason(request, required=gate.required)
                if reason:
                    messages.warning(request, reason)
                    return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _reason(request: HttpRequest, *, required: bool) -> str:
        if required:
            return (
                "Your organisation requires two-factor authentication. Set up an "
                "authenticator app (or, afterwards, a security key) to continue."
            )
        if (
            settings.ADMIN_MFA_REQUIRED
            and request.user.is_staff
            and request.path.startswith(reverse("admin:index"))
        ):
            return (
                "The admin site requires two-factor authentication. Set up an "
                "authenticator app to use it."
            )
        return ""


# Pages whose forms start single sign-on: submitting them redirects to an
# organisation's identity provider, which the browser checks against the page's
# Content-Security-Policy form-action.
SSO_FORM_PAGES = {"login", "account_login", "sso_start", "openid_connect_login"}


class SsoFormActionMiddleware:
    """Adds the enabled identity providers' origins to form-action on the pages
    that start single sign-on, and only there: every other form posts to this
    site alone. Listed after ContentSecurityPolicyMiddleware, so it runs first on
    the way out and that middleware writes the header from this policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            match is None
            or match.url_name not in SSO_FORM_PAGES
            or "text/html" not in response.get("Content-Type", "")
        ):
            return response
        origins = identity_provider_origins()
        if origins:
            policy = dict(settings.SECURE_CSP)
            policy["form-action"] = [*policy.get("form-action", []), *origins]
            response._csp_config = policy
        return response


EXTERNAL_GRANTEE_KEY = "accounts_external_grantee"
_RELATIONSHIP_PATH = re.compile(r"^/relationships/(?P<reference>[-\w]+)/")


class ExternalAccessLogMiddleware:
    """Logs every request of a person who holds external access grants (marked
    in the session when they log in or accept one), for the organisations that
    granted it: when, method, path and the answer's status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(EXTERNAL_GRANTEE_KEY)
            and not request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}")
        ):
            from accounts.services import external_access_log_write

            match = _RELATIONSHIP_PATH.match(request.path)
            external_access_log_write(
                user=user,
                reference=match["reference"] if match else None,
                method=request.method or "",
                path=request.get_full_path(),
                status_code=response.status_code,
            )
        return response
