"""Two writers that really collide, for the PostgreSQL concurrency tests.

SQLite serialises writes and hides races, so these tests run on the real
PostgreSQL server only (see `pytest_collection_modifyitems` in tests/conftest.py).
Each writer runs in its own thread with its own database connection; a barrier
releases both at the same instant, so their statements overlap in the server.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connection


@dataclass
class RaceOutcome:
    """What each writer returned or raised, in writer order."""

    results: list[Any] = field(default_factory=list)
    errors: list[BaseException | None] = field(default_factory=list)

    @property
    def succeeded(self) -> int:
        return sum(error is None for error in self.errors)


def race(*writers: Callable[[], Any], timeout: float = 20.0) -> RaceOutcome:
    """Run the writers at once, each in a thread of its own, released together by
    a barrier; return what each returned or raised."""
    barrier = threading.Barrier(len(writers), timeout=timeout)
    results: list[Any] = [None] * len(writers)
    errors: list[BaseException | None] = [None] * len(writers)

    def run(index: int, writer: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = writer()
        except BaseException as error:  # reported to the test, never swallowed
            errors[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, writer), daemon=True)
        for index, writer in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a writer hung: a lock was never released"
    close_old_connections()
    return RaceOutcome(results=results, errors=errors)
