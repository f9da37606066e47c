"""The demo's external auditor: logs in with the demo password and reads the
Calder supplier programme only, with Calder's own records and no supplier's."""

import pytest
from django.contrib.auth import get_user_model

from accounts.demo_external import DEMO_EXTERNAL_USERNAME
from accounts.models import ExternalAccessGrant
from relationships.access import (
    objectives_visible_to,
    partnerships_writable_by,
    relationships_visible_to,
)
from relationships.choices import Visibility
from relationships.demo import DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_external_auditor_reads_one_relationship_and_no_suppliers_secrets(
    client,
) -> None:
    demo_load()
    second = demo_load()
    assert "external access grant" not in second.summary()
    erin = get_user_model().objects.get(username=DEMO_EXTERNAL_USERNAME)
    assert client.login(username=DEMO_EXTERNAL_USERNAME, password=DEMO_PASSWORD)
    assert [r.reference for r in relationships_visible_to(erin)] == [
        "lmsme-calder-suppliers"
    ]
    assert not partnerships_writable_by(erin).exists()
    grant = ExternalAccessGrant.objects.get(accepted_by=erin)
    assert grant.grant_state() == "active"
    private = objectives_visible_to(erin).filter(visibility=Visibility.PARTNER)
    assert private.exists()
    assert {objective.owner.organisation.slug for objective in private} == {
        "calder-engineering"
    }
