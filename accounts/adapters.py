from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """People join by invitation only (an organisation's admin, or a partner
    inviting a new organisation); there is no open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
