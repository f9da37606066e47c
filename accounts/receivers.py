"""Signal receivers: cache invalidation and session bookkeeping only."""

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest

from accounts.middleware import EXTERNAL_GRANTEE_KEY, session_touch
from accounts.selectors import mfa_gate_changed, mfa_gate_for
from relationships.access import organisations_administered_by, user_holds_grants


def mfa_gate_model_changed(sender: type[Model], **kwargs: Any) -> None:
    # An authenticator is saved again each time it is used: only adding or
    # removing one changes anybody's verdict.
    if sender is Authenticator and kwargs.get("created") is False:
        return
    mfa_gate_changed()
    transaction.on_commit(mfa_gate_changed, using=kwargs.get("using"))


def session_start(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """Mark the new session as seen now, note for the navbar whether the person
    administers an organisation (the admin pages check access themselves on every
    request) and whether they hold external access grants, and work out the MFA
    verdict: the pages after logging in pay for none of it."""
    if request is not None and hasattr(request, "session"):
        session_touch(request)
        organisation = organisations_administered_by(user).first()
        request.session["org_admin_of"] = organisation.slug if organisation else ""
        # Whose requests ExternalAccessLogMiddleware logs.
        request.session[EXTERNAL_GRANTEE_KEY] = user_holds_grants(user)
    mfa_gate_for(user)
