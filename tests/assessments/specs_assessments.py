"""Permission-matrix entries for the assessments views (see tests/permissions.py)."""

from tests.permissions import ViewSpec

ASSESSMENTS_VIEWS: list[ViewSpec] = []
