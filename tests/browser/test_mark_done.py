"""The actions list's "Mark done" buttons send the page's one form (the viewer's
CSRF token and the page to come back to) from rows that may be cached for
several people: a browser submits it with the button's own address and the
revision the row was read at."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from relationships.models import Action
from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, ActionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mark_done_in_the_list_marks_that_action_and_comes_back(
    live_server, new_page, world
) -> None:
    chosen = ActionFactory(relationship=world.relationship, title="Book the room")
    other = ActionFactory(relationship=world.relationship, title="Send the agenda")
    url = live_server.url + reverse("relationships:action_list")
    alice = new_page()
    log_in(alice, live_server.url, "alice", TEST_PASSWORD)
    alice.goto(url)

    alice.get_by_role("button", name="Mark done: Book the room").click()

    expect(alice.locator(".alert-success")).to_contain_text(
        "Action “Book the room” marked done."
    )
    assert alice.url == url
    assert Action.objects.get(pk=chosen.pk).status == "done"
    assert Action.objects.get(pk=other.pk).status == "open"
    expect(alice.get_by_role("button", name="Mark done: Book the room")).to_have_count(
        0
    )
