"""Logging in by e-mail or username, password reset and change, idle sessions,
and allauth's pages in the site's layout."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SESSION_SEEN_KEY
from tests.accounts.helpers import is_logged_in, page_login, reauthenticate
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(username="alice", email="alice@lead.example.org")


def test_the_login_name_leads_to_allauths_login(client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert reverse("login") == reverse("account_login")
    assert "account/login.html" in [t.name for t in response.templates]
    assert response.context["form"].fields["login"]


def test_logging_in_by_email_works(client, alice) -> None:
    response = page_login(client, "Alice@Lead.example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("relationships:list")
    assert is_logged_in(client)


def test_logging_in_by_username_still_works(client, alice) -> None:
    page_login(client, "alice")
    assert is_logged_in(client)


def test_a_wrong_password_is_refused_with_a_message(client, alice) -> None:
    response = page_login(client, "alice", "wrong password")
    assert response.status_code == 200
    assert not is_logged_in(client)
    assert "not correct" in response.content.decode()


def test_an_unverified_address_does_not_log_in(client, alice) -> None:
    EmailAddress.objects.filter(user=alice).update(verified=False)
    page_login(client, "alice@lead.example.org")
    assert not is_logged_in(client)


def test_password_reset_mails_a_link_on_site_url_that_sets_a_new_password(
    client, alice, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://partnerplan.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"), {"email": "alice@lead.example.org"}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["alice@lead.example.org"]
    (link,) = re.findall(r"https?://\S+/password/reset/key/\S+", message.body)
    assert link.startswith("https://partnerplan.example.org/accounts/")

    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    new_password = "a brand new passphrase 42"
    response = client.post(
        set_url, {"password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)


def test_password_reset_for_an_unknown_address_reveals_nothing(client) -> None:
    response = client.post(
        reverse("account_reset_password"), {"email": "nobody@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_changing_the_password_needs_the_old_one_and_mails_a_notice(
    client, alice, django_capture_on_commit_callbacks
) -> None:
    page_login(client, "alice")
    url = reverse("account_change_password")
    new_password = "another long passphrase 7"
    refused = client.post(
        url,
        {"oldpassword": "wrong", "password1": new_password, "password2": new_password},
    )
    assert refused.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(TEST_PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "oldpassword": TEST_PASSWORD,
                "password1": new_password,
                "password2": new_password,
            },
        )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(new_password)
    assert is_logged_in(client)
    (notice,) = mail.outbox
    assert "password" in notice.subject.lower()
    assert notice.subject.startswith("[Partnerplan]")


def test_sessions_end_after_the_idle_time(client, alice, settings) -> None:
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    page_login(client, "alice")
    session = client.session
    session[SESSION_SEEN_KEY] = 0  # last seen long ago: this request renews it
    session.save()
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    cache.clear()

    response = client.get(reverse("relationships:list"))

    assert response.status_code == 200
    renewed = Session.objects.get().expire_date - timezone.now()
    assert renewed > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)

    # Idle past the limit: the stored session has expired and is not honoured.
    Session.objects.update(expire_date=timezone.now())
    cache.clear()
    response = client.get(reverse("relationships:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


ALLAUTH_PAGES = [
    "account_change_password",
    "account_email",
    "mfa_index",
    "mfa_activate_totp",
    "mfa_add_webauthn",
    "mfa_list_webauthn",
]


@pytest.mark.parametrize("url_name", ALLAUTH_PAGES)
def test_account_pages_use_the_sites_layout(client, alice, url_name: str) -> None:
    page_login(client, "alice")
    reauthenticate(client)
    response = client.get(reverse(url_name))
    assert response.status_code == 200, url_name
    names = [t.name for t in response.templates]
    assert "base.html" in names
    assert "Your account" in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["login", "account_reset_password", "account_reset_password_done"]
)
def test_entrance_pages_use_the_sites_layout(client, url_name: str) -> None:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "base.html" in [t.name for t in response.templates]


def test_signup_is_closed(client) -> None:
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode() or response.status_code in (
        302,
        403,
        404,
    )
