import pytest
from django.contrib.auth.models import AbstractUser

from tests.accounts.specs_organisations import organisation_admin


@pytest.fixture
def olive(world) -> AbstractUser:
    """The lead organisation's admin."""
    return organisation_admin(world)
