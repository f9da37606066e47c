"""Permission-matrix entries for the lifecycle views (see tests/permissions.py)."""

from tests.permissions import ViewSpec

LIFECYCLE_VIEWS: list[ViewSpec] = []
