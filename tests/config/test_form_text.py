"""Control characters never reach the database through a form: one-line fields
lose them all, multi-line fields keep their line breaks and tabs."""

import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse

from config.forms import ControlCharactersStrippedMixin, text_without_controls

ESC = "\x1b"
RLO = "\u202e"
APPS = ("accounts", "relationships", "assessments", "principles", "assurance")


def test_a_title_with_rlo_and_esc_is_saved_without_them(login, world) -> None:
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})
    response = login(world.bob).post(
        url,
        {
            "title": f"Joint {RLO}erutnev{ESC}[31m\u2066 II",
            "description": f"First line{ESC}\n\tindented {RLO}line\r\nlast",
            "status": "active",
            "start_date": "2025-01-01",
            "revision": 1,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    world.relationship.refresh_from_db()
    assert world.relationship.title == "Joint erutnev[31m II"
    assert world.relationship.description == "First line\n\tindented line\r\nlast"


def test_a_refused_form_shows_the_cleaned_text_back(login, world) -> None:
    url = reverse("relationships:edit", kwargs={"reference": "joint-venture"})
    response = login(world.bob).post(
        url,
        {"title": f"Ti{ESC}tle{RLO}", "status": "not-a-status", "revision": 1},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Title"' in page
    assert ESC not in page and RLO not in page


@pytest.mark.parametrize(
    ("raw", "one_line", "multi_line"),
    [
        (f"a{ESC}b", "ab", "ab"),
        ("a\u200eb\u200fc\u061cd", "abcd", "abcd"),
        ("\u2066a\u2067b\u2068c\u2069", "abc", "abc"),
        ("a\u202ab\u202bc\u202cd\u202de", "abcde", "abcde"),
        ("a\x00b\x7fc\x9bd", "abcd", "abcd"),
        ("a\tb\nc\r\nd", "a b c  d", "a\tb\nc\r\nd"),
        ("a\x85b\u2028c", "a b c", "ab\u2028c"),
        ("naïve café 😀 ‍", "naïve café 😀 ‍", "naïve café 😀 ‍"),
    ],
)
def test_text_without_controls(raw: str, one_line: str, multi_line: str) -> None:
    assert text_without_controls(raw, multiline=False) == one_line
    assert text_without_controls(raw, multiline=True) == multi_line


def _subclasses(cls: type) -> set[type]:
    found = set()
    for subclass in cls.__subclasses__():
        found |= {subclass, *_subclasses(subclass)}
    return found


def test_every_form_of_the_apps_strips_control_characters() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    app_forms = {
        form
        for form in _subclasses(forms.BaseForm)
        if form.__module__.split(".")[0] in APPS
    }
    assert len(app_forms) > 30
    missing = {
        f"{form.__module__}.{form.__qualname__}"
        for form in app_forms
        if not issubclass(form, ControlCharactersStrippedMixin)
    }
    assert not missing, f"forms not based on config.forms: {sorted(missing)}"
