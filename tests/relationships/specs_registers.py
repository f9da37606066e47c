"""Permission-matrix entries for the registers views (see tests/permissions.py)."""

from tests.permissions import ViewSpec

REGISTERS_VIEWS: list[ViewSpec] = []
