from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The way into the site: accounts (django-allauth), invitations, organisation
    administration, MFA policy, single sign-on and the first run."""

    name = "accounts"

    def ready(self) -> None:
        from allauth.mfa.models import Authenticator
        from django.contrib.auth.signals import user_logged_in

        from accounts import receivers
        from accounts.models import OrganisationSecurityPolicy
        from relationships import caching
        from relationships.models import Membership

        caching.watch(
            [OrganisationSecurityPolicy, Membership, Authenticator],
            receiver=receivers.mfa_gate_model_changed,
        )
        user_logged_in.connect(
            receivers.session_start, dispatch_uid="accounts-session-start"
        )
