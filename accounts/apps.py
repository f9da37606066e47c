from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The way into the site: accounts (django-allauth), invitations, organisation
    administration, MFA policy, single sign-on and the first run."""

    name = "accounts"

    def ready(self) -> None:
        from accounts import signals  # noqa: F401
