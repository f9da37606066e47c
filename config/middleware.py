"""Response headers every page gets: no caching of private pages or downloads,
and no powerful browser features."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Features the app never uses, switched off for its pages and anything injected
# into them. WebAuthn (publickey-credentials-*) stays allowed: MFA uses it.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def is_download(response: HttpResponse) -> bool:
    """A file handed over as such: reports, uploaded documents, CSV exports."""
    return response.has_header("Content-Disposition")


class PrivateResponseHeadersMiddleware:
    """A logged-in person's pages and every download are kept out of shared and
    browser caches (`private, no-store`), so that nobody finds them afterwards in
    a proxy or on a shared computer's back button. Public pages (login, the
    health checks) and static files (served before this, by WhiteNoise) keep
    their caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if is_download(response) or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
