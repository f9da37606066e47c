"""Brute force: failed logins are limited per account and per address, on the
app's login and on /admin/, which logs in through the same page."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.core.internal import ratelimit
from django.core import mail
from django.urls import reverse

from accounts.adapters import LOCKED_OUT_MESSAGE
from tests.accounts.helpers import is_logged_in, page_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
# ACCOUNT_RATE_LIMITS["login_failed"]: 5 per 5 minutes and 10 per hour per account.
PAUSE_AFTER = 5
HOURLY_GUESSES_PER_ACCOUNT = 10


class FakeClock:
    """Stands in for the `time` module of allauth's rate limiter."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(ratelimit, "time", fake)
    return fake


@pytest.fixture
def alice():
    return UserFactory(username="alice", email="alice@lead.example.org")


@pytest.fixture
def bob():
    return UserFactory(username="bob", email="bob@partner.example.org")


def _locked_out(response) -> bool:
    return LOCKED_OUT_MESSAGE in response.content.decode()


def test_the_right_password_is_refused_after_five_wrong_ones(client, alice) -> None:
    for _ in range(PAUSE_AFTER):
        response = page_login(client, "alice", "guess", address=ATTACKER)
        assert not _locked_out(response)

    response = page_login(client, "alice", address=ATTACKER)

    assert response.status_code == 200
    assert _locked_out(response)
    assert not is_logged_in(client)


def test_the_right_password_is_refused_from_another_address_too(client, alice) -> None:
    for number in range(PAUSE_AFTER):
        page_login(client, "alice", "guess", address=f"198.51.100.{number + 1}")

    response = page_login(client, "alice", address="203.0.113.50")

    assert _locked_out(response)
    assert not is_logged_in(client)


def test_an_accounts_email_and_username_share_one_count(client, alice) -> None:
    for login in ["alice", "ALICE@lead.example.org", "alice", "alice@lead.example.org"]:
        page_login(client, login, "guess", address=ATTACKER)
    page_login(client, "Alice", "guess", address=ATTACKER)

    response = page_login(client, "alice@lead.example.org", address=ATTACKER)

    assert _locked_out(response)


def test_another_account_from_another_address_is_unaffected(client, alice, bob) -> None:
    for _ in range(PAUSE_AFTER + 1):
        page_login(client, "alice", "guess", address=ATTACKER)

    page_login(client, "bob@partner.example.org", address="203.0.113.9")

    assert is_logged_in(client)


def test_one_address_is_refused_after_ten_failures_a_minute_over_any_accounts(
    client, alice, bob
) -> None:
    for number in range(10):
        page_login(client, f"someone{number}", "guess", address=ATTACKER)

    response = page_login(client, "bob", address=ATTACKER)

    assert _locked_out(response)
    assert not is_logged_in(client)


def test_the_pause_lifts_after_five_minutes_then_the_hour_limit_holds(
    client, alice, clock
) -> None:
    for _ in range(PAUSE_AFTER):
        page_login(client, "alice", "guess", address=ATTACKER)
    assert _locked_out(page_login(client, "alice", address=ATTACKER))

    clock.now += 5 * 60 + 1
    for _ in range(HOURLY_GUESSES_PER_ACCOUNT - PAUSE_AFTER):
        assert not _locked_out(page_login(client, "alice", "guess", address=ATTACKER))
    clock.now += 5 * 60 + 1
    assert _locked_out(page_login(client, "alice", address=ATTACKER))

    clock.now += 60 * 60
    page_login(client, "alice", address=ATTACKER)
    assert is_logged_in(client)


def test_a_successful_login_does_not_reset_the_count(client, alice, clock) -> None:
    for _ in range(PAUSE_AFTER - 1):
        page_login(client, "alice", "guess", address=ATTACKER)
        clock.now += 1
    page_login(client, "alice", address=ATTACKER)
    assert is_logged_in(client)
    client.logout()
    clock.now += 1

    assert not _locked_out(page_login(client, "alice", "guess", address=ATTACKER))
    assert _locked_out(page_login(client, "alice", address=ATTACKER))


@pytest.mark.slow
def test_guesses_per_account_per_hour_that_get_through(client, alice, clock) -> None:
    """The closing figure: an attacker guessing one account's password every
    20 seconds for three hours, each time from a fresh address (so no address
    limit applies), has this many guesses checked."""
    hours = 3
    checked = 0
    for attempt in range(hours * 3600 // 20):
        address = f"10.{attempt // 250}.{attempt % 250}.1"
        response = page_login(client, "alice", f"guess {attempt}", address=address)
        checked += not _locked_out(response)
        clock.now += 20

    assert checked / hours == HOURLY_GUESSES_PER_ACCOUNT


# --- the admin site -----------------------------------------------------------


@pytest.fixture
def staff():
    return UserFactory(
        username="root", email="root@example.org", is_staff=True, is_superuser=True
    )


def test_the_admin_login_sends_people_to_the_sites_login(client, staff) -> None:
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_admin_login_form_checks_no_password_itself(client, staff) -> None:
    from tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("admin:login"),
        {"username": "root", "password": TEST_PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not is_logged_in(client)


def test_admin_logins_are_limited_like_any_other(client, staff) -> None:
    admin_url = reverse("admin:index")
    for _ in range(PAUSE_AFTER):
        page_login(client, "root", "guess", address=ATTACKER, next_url=admin_url)

    response = page_login(client, "root", address=ATTACKER, next_url=admin_url)

    assert _locked_out(response)
    assert not is_logged_in(client)
    assert client.get(admin_url).status_code == 302


def test_the_admin_site_opens_after_logging_in_on_the_sites_login(
    client, staff
) -> None:
    admin_url = reverse("admin:index")
    response = page_login(client, "root", next_url=admin_url)

    assert response["Location"] == admin_url
    assert client.get(admin_url).status_code == 200


def test_a_login_flood_from_one_address_gets_too_many_requests(client, alice) -> None:
    for _ in range(30):
        assert page_login(client, "bob", "guess", address=ATTACKER).status_code == 200

    response = page_login(client, "alice", address=ATTACKER)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "base.html" in [template.name for template in response.templates]
    assert not is_logged_in(client)


def test_a_password_reset_lifts_the_accounts_pause(
    client, alice, django_capture_on_commit_callbacks
) -> None:
    for _ in range(PAUSE_AFTER):
        page_login(client, "alice", "guess", address=ATTACKER)
    assert _locked_out(page_login(client, "alice", address=ATTACKER))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    (link,) = re.findall(r"https?://\S+/password/reset/key/\S+", mail.outbox[0].body)
    form_page = client.get(urlsplit(link).path, follow=True)
    new_password = "a fresh and long passphrase"
    client.post(
        form_page.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )

    page_login(client, "alice", new_password, address="203.0.113.77")
    assert is_logged_in(client)
