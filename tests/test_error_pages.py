"""Refusals and missing pages are pages of the app: its navigation, a plain
explanation and a way on; a server error page that needs nothing to render."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_auditor_refused_an_edit_sees_why_and_a_way_on(login, world) -> None:
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})

    response = login(world.dave).get(url)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your role in this relationship is read-only." in html
    assert reverse("relationships:list") in html
    assert "Log out" in html  # the app's own navigation


def test_another_tenants_relationship_is_a_404_page_of_the_app(login, world) -> None:
    url = reverse("relationships:detail", kwargs={"reference": "joint-venture"})

    response = login(world.eve).get(url)

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "joint-venture" not in html.split("<main", 1)[1]  # nothing leaks
    assert reverse("relationships:list") in html


def test_a_missing_page_offers_the_login_to_anonymous_visitors(client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert reverse("login") in response.content.decode()


def test_the_server_error_page_renders_without_a_request() -> None:
    html = render_to_string("500.html")

    assert "Something went wrong on our side" in html
    assert 'href="/"' in html
