"""Permission-matrix entries for the plans views (see tests/permissions.py)."""

from tests.permissions import ViewSpec

PLANS_VIEWS: list[ViewSpec] = []
