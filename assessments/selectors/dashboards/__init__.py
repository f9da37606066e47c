"""Reads for the portfolio and relationship dashboards.

Everything starts from what the user sees (relationships/access), so no
count, cell or chart ever includes another tenant's relationship. The number of
queries is fixed: it does not grow with the number of relationships, rows or
assessment periods.

The portfolio reads the relationships' summaries (RelationshipSummary, kept up
to date by assessments/services/summaries.py): its grid is paged and sorted in
the database and its counters are aggregates of those rows. What is cached, and
under which versions, is in docs/architecture.md.

One module per area; import from here:
- common: the maturity scale, the catalogue, assessment periods and what both
  dashboards share;
- attention: the portfolio's attention counters and their first items;
- portfolio: the portfolio grid, distributions and dashboard;
- relationship: the relationship dashboard.
"""

from assessments.selectors.dashboards.attention import (
    portfolio_attention,
    register_list_urls,
)
from assessments.selectors.dashboards.common import (
    AssessmentState,
    DashboardCatalogue,
    MaturityScale,
    assessment_period_state,
    dashboard_catalogue,
    dashboard_catalogue_invalidate,
    last_ended_period,
    maturity_scale,
)
from assessments.selectors.dashboards.portfolio import (
    PORTFOLIO_PAGE_SIZE,
    PORTFOLIO_SORTS,
    portfolio_dashboard_build,
    portfolio_for_user,
    portfolio_summaries,
)
from assessments.selectors.dashboards.relationship import (
    relationship_dashboard_build,
    relationship_dashboard_context,
)

__all__ = [
    "PORTFOLIO_PAGE_SIZE",
    "PORTFOLIO_SORTS",
    "AssessmentState",
    "DashboardCatalogue",
    "MaturityScale",
    "assessment_period_state",
    "dashboard_catalogue",
    "dashboard_catalogue_invalidate",
    "last_ended_period",
    "maturity_scale",
    "portfolio_attention",
    "portfolio_dashboard_build",
    "portfolio_for_user",
    "portfolio_summaries",
    "register_list_urls",
    "relationship_dashboard_build",
    "relationship_dashboard_context",
]
