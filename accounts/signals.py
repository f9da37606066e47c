"""A hint for the navbar, kept in the session so that pages need no query for it:
whether the person who logged in administers an organisation. The admin pages
check access themselves on every request."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from relationships.selectors import organisations_administered_by


@receiver(user_logged_in)
def remember_administered_organisation(
    sender: Any, request: Any, user: Any, **kwargs: Any
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    organisation = organisations_administered_by(user).first()
    request.session["org_admin_of"] = organisation.slug if organisation else ""
