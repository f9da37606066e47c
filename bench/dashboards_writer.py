"""The writer of bench/dashboards.py: saves register entries at a steady rate.

    .venv/bin/python bench/dashboards_writer.py --rate 20 [--seed N] [--threads 3]

Run by bench/dashboards.py with the benchmark's environment (DATABASE_URL,
CACHE_URL, DASHBOARD_CACHE_SECONDS), not by hand. It saves objectives, risks and
actions in turn, each drawn at random from the whole portfolio, through the app's
services (objective_revise, risk_update, action_update) as portfolio.viewer, from
the revision it has just read, as a person's form would: the same validation,
history rows, signals and cache invalidation as a save from the app.

It reads commands on standard input, one a line:
    start   begin saving (counters from zero);
    stop    stop, and print one line `WRITER_JSON {...}`: saves scheduled and
            done, errors (by kind, with the first message of each), saves still
            waiting for a free thread at the stop, seconds, saves per second
            achieved, the median and slowest save;
    quit    end (also at the end of input).
It prints `WRITER_READY` once Django is set up and the register ids are loaded.
"""

import argparse
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VIEWER = "portfolio.viewer"


def _setup_django() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class Writer:
    def __init__(self, *, seed: int, share: tuple[int, int] = (0, 1)) -> None:
        """`share` (number, of): this writer saves every of-th row from the
        number-th, so that writers in parallel threads never meet on a row."""
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from relationships.models import Action, Objective, Risk

        self.random = random.Random(seed)
        self.today = timezone.localdate()
        self.viewer = get_user_model().objects.get(username=VIEWER)
        number, of = share
        self.ids = {
            kind: list(model.objects.order_by("pk").values_list("pk", flat=True))[
                number::of
            ]
            for kind, model in (
                ("objective", Objective),
                ("risk", Risk),
                ("action", Action),
            )
        }
        if not all(self.ids.values()):
            raise SystemExit("The database holds no objectives, risks or actions.")
        self.kinds = ("objective", "risk", "action")
        self.turn = 0

    def save_one(self) -> None:
        """Save the next register entry in the round: objective, risk, action."""
        kind = self.kinds[self.turn % len(self.kinds)]
        self.turn += 1
        pk = self.random.choice(self.ids[kind])
        getattr(self, f"_save_{kind}")(pk)

    def _save_objective(self, pk: int) -> None:
        from relationships.models import Objective
        from relationships.services.registers import objective_revise

        objective = Objective.objects.select_related("relationship").get(pk=pk)
        target = objective.kpi_target or Decimal(100)
        objective_revise(
            objective=objective,
            changes={"kpi_actual": target * self.random.randint(0, 110) / 100},
            reason="Progress at the monthly review",
            expected_revision=objective.revision,
            revised_by=self.viewer,
        )

    def _save_risk(self, pk: int) -> None:
        from relationships.models import Risk
        from relationships.services.registers import risk_update

        risk = Risk.objects.select_related("relationship").get(pk=pk)
        likelihood = self.random.choice(
            [level for level in range(1, 6) if level != risk.likelihood]
        )
        risk_update(
            risk=risk,
            changes={"likelihood": likelihood},
            expected_revision=risk.revision,
            updated_by=self.viewer,
        )

    def _save_action(self, pk: int) -> None:
        from relationships.models import Action
        from relationships.services.registers import action_update

        action = Action.objects.select_related("relationship").get(pk=pk)
        due = self.today + timedelta(days=self.random.randint(-90, 120))
        action_update(
            action=action,
            changes={"due_date": due},
            expected_revision=action.revision,
            updated_by=self.viewer,
        )


def _commands() -> "queue.Queue[str]":
    """Standard input's lines, read by a thread so that saving never waits."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line.strip())
        lines.put("quit")

    threading.Thread(target=read, daemon=True).start()
    return lines


def _run(writers: list[Writer], *, rate: float, commands: "queue.Queue[str]") -> str:
    """Save at `rate` per second until a command arrives; print the figures and
    return that command. The schedule hands each save to the next free thread
    (one per writer, each with its own share of the rows, so two never save the
    same row at once), so a slow save does not hold the next one back."""
    from django.db import connection

    interval = 1 / rate
    work: queue.Queue[bool | None] = queue.Queue()
    durations: list[float] = []
    errors: dict[str, dict[str, object]] = {}
    lock = threading.Lock()

    def save(writer: Writer) -> None:
        try:
            while work.get():
                before = time.perf_counter()
                try:
                    writer.save_one()
                except Exception as error:  # counted and reported; the load goes on
                    name = type(error).__name__
                    with lock:
                        entry = errors.setdefault(
                            name, {"count": 0, "first": str(error)[:300]}
                        )
                        entry["count"] = int(entry["count"]) + 1
                with lock:
                    durations.append(time.perf_counter() - before)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    due = started
    scheduled = 0
    while True:
        try:
            command = commands.get(timeout=max(0.0, due - time.perf_counter()))
            break
        except queue.Empty:
            pass
        work.put(True)
        scheduled += 1
        due += interval
    seconds = time.perf_counter() - started
    missed = 0
    while True:
        try:
            work.get_nowait()
            missed += 1
        except queue.Empty:
            break
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join()
    failed = sum(int(entry["count"]) for entry in errors.values())
    saves = len(durations) - failed
    figures = {
        "target_per_second": rate,
        "scheduled": scheduled,
        "saves": saves,
        "errors": errors,
        "not_started": missed,
        "seconds": round(seconds, 3),
        "per_second": round(saves / seconds, 2) if seconds else 0.0,
        "p50_ms": round(statistics.median(durations) * 1000, 1) if durations else 0,
        "max_ms": round(max(durations) * 1000, 1) if durations else 0,
    }
    print("WRITER_JSON " + json.dumps(figures), flush=True)
    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--threads", type=int, default=3, help="saves in flight at most (default 3)"
    )
    options = parser.parse_args()
    if options.rate <= 0:
        raise SystemExit("--rate must be positive.")
    _setup_django()
    threads = max(1, options.threads)
    writers = [
        Writer(seed=options.seed + number, share=(number, threads))
        for number in range(threads)
    ]
    commands = _commands()
    print("WRITER_READY", flush=True)
    command = commands.get()
    while command != "quit":
        if command == "start":
            command = _run(writers, rate=options.rate, commands=commands)
            if command == "stop":
                command = commands.get()
        else:
            command = commands.get()


if __name__ == "__main__":
    main()
