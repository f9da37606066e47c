"""Reads for the portfolio and relationship dashboards.

Everything starts from relationships_visible_to(user), so no count, cell or chart
ever includes another tenant's relationship. The number of queries is fixed: it
does not grow with the number of relationships, rows or assessment periods.

Speed, as the portfolio grows:
- the portfolio's counters, distributions and sorted order are computed with
  aggregate queries over the whole filtered portfolio, then kept in the cache per
  user and filter until any source row is saved (relationships/caching.py);
  the page's ids are re-checked against access on every request, and its rendered
  grid rows cached per page of ids, data version and day;
- the portfolio grid's rows are built as HTML here (GridRow.html): the
  template engine costs far more per cell;
- the relationship dashboard reads a handful of small queries of one
  relationship, and is cached whole per relationship version, day and
  audience;
- charts are memoised by their data, and catalogue data is kept per process.

One module per area; import from here:
- common: the maturity scale, the catalogue, assessment periods and what both
  dashboards share;
- annotations: score, trend, assessment state and overdue annotations of a
  portfolio queryset, and its sort orders;
- attention: the portfolio's attention counters;
- portfolio: the portfolio grid, distributions and dashboard;
- relationship: the relationship dashboard.
"""

from assessments.selectors.dashboards.annotations import (
    portfolio_sort,
    with_assessment_state,
    with_overdue_items,
    with_scores,
)
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
    portfolio_dashboard_build,
)
from assessments.selectors.dashboards.relationship import (
    relationship_dashboard_build,
    relationship_dashboard_context,
)

__all__ = [
    "PORTFOLIO_PAGE_SIZE",
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
    "portfolio_sort",
    "register_list_urls",
    "relationship_dashboard_build",
    "relationship_dashboard_context",
    "with_assessment_state",
    "with_overdue_items",
    "with_scores",
]
