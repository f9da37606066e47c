"""Signal receivers: derived data (the portfolio summaries) only.

A relationship's summary is worked out again whenever one of its rows changes,
whatever the write path (services, the admin, data loads): the change is noted
per connection and the summaries refreshed once after the commit, when every
writer's rows are visible, however many rows the transaction saved (a joint
assessment saves twelve ratings at once). The portfolio also refreshes what is
still noted before it reads (`summaries_refresh_noted`), so a page read in the
writing transaction itself (a test, a data load) sees its own changes.

A partner removed takes its summary with it (CASCADE), which no refresh sees:
its organisation is noted the same way, and its portfolio totals counted afresh.
"""

from typing import Any

from django.db import connections, transaction
from django.db.models import Model

from assessments.services.summaries import (
    portfolio_totals_recount,
    relationship_summaries_refresh,
)
from relationships.caching import relationship_of

_NOTED = "_partnerplan_summaries_noted"
_NOTED_ORGANISATIONS = "_partnerplan_totals_noted"


def _noted(using: str, name: str = _NOTED) -> set[int]:
    connection = connections[using]
    if not hasattr(connection, name):
        setattr(connection, name, set())
    return getattr(connection, name)


def summaries_refresh_noted(using: str = "default") -> None:
    noted = _noted(using)
    if noted:
        ids = set(noted)
        noted.clear()
        relationship_summaries_refresh(relationship_ids=ids)
    organisations = _noted(using, _NOTED_ORGANISATIONS)
    if organisations:
        ids = set(organisations)
        organisations.clear()
        portfolio_totals_recount(organisation_ids=ids)


def summaries_forget_noted(using: str = "default") -> None:
    """Drop what was noted (a test's rolled-back transaction)."""
    _noted(using).clear()
    _noted(using, _NOTED_ORGANISATIONS).clear()


def summary_row_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    relationship_id = relationship_of(instance)
    if relationship_id is None:
        return
    using = kwargs.get("using") or "default"
    _noted(using).add(relationship_id)
    transaction.on_commit(lambda: summaries_refresh_noted(using), using=using)


def partnership_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    using = kwargs.get("using") or "default"
    _noted(using, _NOTED_ORGANISATIONS).add(instance.organisation_id)
    transaction.on_commit(lambda: summaries_refresh_noted(using), using=using)
