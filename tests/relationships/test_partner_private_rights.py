"""Who may choose whose eyes a record is for: only the owning partner's writers
make a record private, change its sharing or, while it is private, its owner."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relationships.choices import Visibility
from relationships.models import Risk
from relationships.services.registers import risk_create, risk_update

MESSAGE = "Only the people of the partner a record belongs to choose who sees it"


def _values(world: Any, **extra: Any) -> dict[str, Any]:
    return {
        "owner_partnership": world.partner,
        "title": "Late deliveries",
        "likelihood": 3,
        "impact": 3,
        **extra,
    }


def test_a_supplier_cannot_keep_a_record_private_in_anothers_name(world, frank) -> None:
    with pytest.raises(ValidationError) as error:
        risk_create(
            relationship=world.relationship,
            values=_values(world, visibility=Visibility.PARTNER),
            created_by=frank,
        )
    assert MESSAGE in error.value.message_dict["visibility"][0]
    assert not Risk.objects.exists()


def test_by_default_anothers_record_is_refused_too(world, frank) -> None:
    # In a programme a partner's record defaults to private: in another
    # partner's name that default is refused, not silently made joint.
    with pytest.raises(ValidationError):
        risk_create(
            relationship=world.relationship, values=_values(world), created_by=frank
        )


def test_a_joint_record_may_name_another_partner(world, frank) -> None:
    risk = risk_create(
        relationship=world.relationship,
        values=_values(world, visibility=Visibility.JOINT),
        created_by=frank,
    )
    assert (risk.owner_partnership, risk.visibility) == (
        world.partner,
        Visibility.JOINT,
    )


def test_only_the_owner_turns_a_joint_owned_record_private(world, frank) -> None:
    risk = risk_create(
        relationship=world.relationship,
        values=_values(world, visibility=Visibility.JOINT),
        created_by=world.bob,
    )
    with pytest.raises(ValidationError) as error:
        risk_update(
            risk=risk,
            changes={"visibility": Visibility.PARTNER},
            expected_revision=risk.revision,
            updated_by=world.alice,
        )
    assert MESSAGE in error.value.message_dict["visibility"][0]
    risk.refresh_from_db()
    assert risk.visibility == Visibility.JOINT
    risk_update(
        risk=risk,
        changes={"visibility": Visibility.PARTNER, "shared_with": []},
        expected_revision=risk.revision,
        updated_by=world.bob,
    )
    risk.refresh_from_db()
    assert risk.visibility == Visibility.PARTNER


def test_a_private_record_cannot_be_handed_to_another_partner(world, frank) -> None:
    risk = risk_create(
        relationship=world.relationship, values=_values(world), created_by=world.bob
    )
    frank_partnership = world.relationship.partnerships.get(
        organisation__slug="second-supplier"
    )
    with pytest.raises(ValidationError):
        risk_update(
            risk=risk,
            changes={"owner_partnership": frank_partnership},
            expected_revision=risk.revision,
            updated_by=world.bob,
        )
    risk.refresh_from_db()
    assert risk.owner_partnership == world.partner


def test_the_form_shows_the_refusal_and_saves_nothing(login, world, frank) -> None:
    response = login(frank).post(
        reverse(
            "relationships:risk_create",
            kwargs={"reference": world.relationship.reference},
        ),
        {
            "title": "Planted risk",
            "owner_partnership": str(world.partner.pk),
            "visibility": Visibility.PARTNER,
            "likelihood": "3",
            "impact": "3",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Risk.objects.filter(title="Planted risk").exists()


def test_the_lead_cannot_change_who_sees_a_suppliers_private_record(
    login, world, frank
) -> None:
    risk = risk_create(
        relationship=world.relationship, values=_values(world), created_by=world.bob
    )
    url = reverse(
        "relationships:risk_edit",
        kwargs={"reference": world.relationship.reference, "pk": risk.pk},
    )
    response = login(world.alice).post(
        url, {"title": risk.title, "visibility": Visibility.JOINT}
    )
    assert response.status_code == 403
    risk.refresh_from_db()
    assert risk.visibility == Visibility.PARTNER
