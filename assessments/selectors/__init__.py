"""Reads, one module per area (assessments, confirmations, ratings, reports,
dashboards). Who may read or change what is decided in relationships.access."""
