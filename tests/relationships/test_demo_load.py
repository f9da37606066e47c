"""Loading the demo into an empty database: what it creates, that a second load
creates and changes nothing, and the command. The tests that read the loaded
demo share one load in test_demo.py."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from relationships.demo import DEMO_PASSWORD, demo_load
from relationships.models import Organisation, Relationship

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("auth", "principles", "relationships", "assessments")


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every project model, so that any change shows up."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


def test_command_summarises_then_a_second_load_changes_nothing(settings) -> None:
    """One test, as the demo's first load is seconds of a CI worker: the command
    loads and summarises; loading again (the service, then the command) creates
    and changes nothing, and says so."""
    settings.DEMO_DATA_ALLOWED = True
    first_output, third_output = StringIO(), StringIO()
    empty = _snapshot()

    call_command("load_demo", stdout=first_output)
    before = _snapshot()
    second = demo_load()
    call_command("load_demo", stdout=third_output)

    assert "created 7 organisations" in first_output.getvalue()
    assert sum(map(len, before.values())) - sum(map(len, empty.values())) > 500
    assert second.total == 0
    assert second.created == {}
    assert _snapshot() == before
    assert "nothing new" in third_output.getvalue()
    assert DEMO_PASSWORD in third_output.getvalue()


def test_command_is_refused_when_demo_data_is_not_allowed(settings) -> None:
    settings.DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="local evaluation only"):
        call_command("load_demo", stdout=StringIO())

    assert not Organisation.objects.exists()
    assert not Relationship.objects.exists()
