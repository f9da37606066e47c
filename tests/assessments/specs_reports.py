"""Permission-matrix entries for the reports views (see tests/permissions.py)."""

from tests.permissions import ViewSpec

REPORTS_VIEWS: list[ViewSpec] = []
