"""Helpers for the registers tests: a second relationship and register rows."""

import csv
import datetime
import io
from typing import Any

from django.test import Client
from django.utils import timezone

from relationships.choices import PartnerRole
from relationships.models import Relationship
from tests.factories import OrganisationFactory, PartnershipFactory, RelationshipFactory

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=10)
FUTURE = TODAY + datetime.timedelta(days=30)


def second_relationship(world: Any, **attributes: Any) -> Relationship:
    """Another relationship of alice's organisation, with a university partner."""
    attributes.setdefault("title", "Sensor research")
    attributes.setdefault("reference", "sensor-research")
    relationship = RelationshipFactory(**attributes)
    PartnershipFactory(
        relationship=relationship,
        organisation=world.lead.organisation,
        role=PartnerRole.LEAD,
    )
    PartnershipFactory(
        relationship=relationship,
        organisation=OrganisationFactory(name="Northbridge University"),
    )
    return relationship


def form_errors(response: Any) -> dict[str, list[str]]:
    """The errors of the page's form, by field ('__all__' for the form)."""
    return {
        name: list(errors) for name, errors in response.context["form"].errors.items()
    }


def csv_rows(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    """POST a form, sending None as an empty field like a browser does."""
    return client.post(
        url, {key: "" if value is None else value for key, value in data.items()}
    )
