"""The dashboard benchmark's writer saves through the app's services.

bench/dashboards_writer.py runs only in the benchmark; this keeps it working as
the services change: each save is a revision with its history row, as a person's.
"""

import importlib.util
from pathlib import Path

import pytest

from relationships.models import Action, Objective, Risk
from tests.assessments.factories_dashboards import generate_portfolio

WRITER_PATH = Path(__file__).resolve().parents[2] / "bench" / "dashboards_writer.py"

pytestmark = pytest.mark.django_db


def _writer_module():
    spec = importlib.util.spec_from_file_location("dashboards_writer", WRITER_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_writer_saves_objectives_risks_and_actions_in_turn() -> None:
    generate_portfolio(3)
    writer = _writer_module().Writer(seed=1)

    for _ in range(6):
        writer.save_one()

    for model in (Objective, Risk, Action):
        revised = model.objects.filter(revision__gt=1)
        assert revised.count() in (1, 2)  # two saves each, maybe of one row
        for record in revised:
            # One history row per save, by the benchmark's viewer.
            history = record.history.all()
            assert history.count() == record.revision - 1
            assert {row.history_user.username for row in history} == {
                "portfolio.viewer"
            }


def test_writers_in_parallel_threads_never_share_a_row() -> None:
    generate_portfolio(3)
    writer_class = _writer_module().Writer
    shares = [writer_class(seed=1, share=(number, 3)).ids for number in range(3)]

    for kind, model in (("objective", Objective), ("risk", Risk), ("action", Action)):
        ids = [pk for share in shares for pk in share[kind]]
        assert sorted(ids) == sorted(model.objects.values_list("pk", flat=True))
