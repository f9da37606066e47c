"""Measure what one page costs in-process: the app's CPU and its PostgreSQL
backend's CPU per request, with Django's test client, on portfolios made by
`manage.py generate_portfolio`.

    .venv/bin/python bench/probe_pages.py --database pp_x_1k --database pp_x_10k

A wrk run (bench/dashboards.py) needs a quiet machine; CPU time read from the
operating system moves much less with the machine's load than wall time does, so
this probe compares two versions of the code, or two databases, on a shared
machine. For each database (alternately, round after round, so that the
machine's drift falls on all alike), each user and each page: --warmup requests,
then --requests requests one at a time; the app's CPU is the process's
(`time.process_time()`), the database's that of the connection's backend
(`SELECT pg_backend_pid()`, then utime + stime from /proc/<pid>/stat, in clock
ticks of 10 ms: read over the whole batch, not per request). Also the median
wall time and the number of queries of one request.

Settings as the benchmark's server: DEBUG off, caching off
(DASHBOARD_CACHE_SECONDS=0, --cache-seconds to change), a local-memory cache
emptied when the database changes, persistent connection. Logs in as the
generated users (`portfolio.viewer`, who sees every relationship, and
`portfolio.sample`, who sees 10) with the benchmark's password.

Options:
    --database NAME[:SIZE]   a database on 127.0.0.1:5432 (user postgres), given
                             twice or more to alternate; with :SIZE and
                             --prepare, made with a portfolio of SIZE
                             relationships when it does not hold one
    --prepare                make the databases named with a size (as
                             bench/dashboards.py --reuse does)
    --user NAME              a user to log in as (default: both generated users)
    --page NAME=PATH         a page (default: portfolio=/assessments/portfolio/
                             via its URL name); PATH may hold a query string
    --requests N             measured requests per batch (default 30)
    --warmup N               requests before each batch (default 3)
    --rounds N               rounds over every database (default 2)
    --profile FILE           cProfile the measured requests into FILE (.pstats)
    --show-queries           print the SQL of one request of each batch
    --json FILE              write the figures as JSON
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PASSWORD = "partnerplan-bench"
USERS = ("portfolio.viewer", "portfolio.sample")
CLOCK_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database", action="append", required=True)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--user", action="append")
    parser.add_argument("--page", action="append")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache-seconds", type=int, default=0)
    parser.add_argument("--profile")
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--json")
    return parser.parse_args()


def configure(first_database: str, cache_seconds: int) -> None:
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{first_database}",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="testserver",
        CONN_MAX_AGE="600",
        CACHE_URL="locmemcache://probe",
        DASHBOARD_CACHE_SECONDS=str(cache_seconds),
        STATIC_MANIFEST="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import warnings

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line; 12 and 13 here.
    return (int(fields[11]) + int(fields[12])) * CLOCK_TICK_MS


def main() -> int:
    arguments = parse_arguments()
    databases = [spec.split(":")[0] for spec in arguments.database]
    if arguments.prepare:
        from bench.dashboards import prepare_databases

        wanted = [
            (spec.split(":")[0], int(spec.split(":")[1]))
            for spec in arguments.database
            if ":" in spec
        ]
        prepare_databases(wanted, reuse=True, cache_url="locmemcache://probe")
    configure(databases[0], arguments.cache_seconds)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assessments.selectors.dashboards import common

    users = arguments.user or list(USERS)
    pages = {}
    for spec in arguments.page or [
        f"portfolio={reverse('assessments:portfolio_dashboard')}"
    ]:
        name, _, path = spec.partition("=")
        pages[name] = path
    profiler = None
    if arguments.profile:
        import cProfile

        profiler = cProfile.Profile()

    def use(database: str) -> int:
        connection.close()
        connection.settings_dict["NAME"] = database
        common._catalogue_memo.clear()
        cache.clear()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    clients: dict[tuple[str, str], Client] = {}
    for database in databases:
        use(database)
        for user in users:
            client = Client()
            if not client.login(username=user, password=PASSWORD):
                print(f"{database}: cannot log in as {user}", file=sys.stderr)
                return 2
            clients[database, user] = client

    results: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for round_number in range(1, arguments.rounds + 1):
        for database in databases:
            pid = use(database)
            for user in users:
                client = clients[database, user]
                for page, path in pages.items():
                    for _ in range(arguments.warmup):
                        response = client.get(path)
                        if response.status_code != 200:
                            print(
                                f"{database} {user} {path}: {response.status_code}",
                                file=sys.stderr,
                            )
                            return 2
                    with CaptureQueriesContext(connection) as queries:
                        client.get(path)
                    # Read now: the next request empties the connection's log.
                    captured = list(queries.captured_queries)
                    if arguments.show_queries:
                        print(f"--- {database} {user} {page}: {len(captured)} queries")
                        for query in captured:
                            print(query["time"], query["sql"][:400])
                    walls = []
                    app_start = time.process_time()
                    pg_start = backend_cpu_ms(pid)
                    if profiler:
                        profiler.enable()
                    for _ in range(arguments.requests):
                        started = time.perf_counter()
                        client.get(path)
                        walls.append((time.perf_counter() - started) * 1000)
                    if profiler:
                        profiler.disable()
                    app_ms = (time.process_time() - app_start) * 1000
                    pg_ms = backend_cpu_ms(pid) - pg_start
                    figures = {
                        "round": round_number,
                        "app_ms": app_ms / arguments.requests,
                        "pg_ms": pg_ms / arguments.requests,
                        "wall_median_ms": statistics.median(walls),
                        "queries": len(captured),
                        "load_average": [round(x, 2) for x in os.getloadavg()],
                    }
                    results.setdefault((database, user, page), []).append(figures)
                    print(
                        f"round {round_number} {database:>14} {user:>17} {page}: "
                        f"app {figures['app_ms']:.1f} ms, "
                        f"PostgreSQL {figures['pg_ms']:.1f} ms, "
                        f"wall median {figures['wall_median_ms']:.1f} ms, "
                        f"{figures['queries']} queries",
                        flush=True,
                    )
    print()
    print("| database | user | page | app ms | PostgreSQL ms | wall median ms |")
    print("|---|---|---|---|---|---|")
    for (database, user, page), rounds in results.items():
        print(
            f"| {database} | {user} | {page} | "
            f"{statistics.mean(r['app_ms'] for r in rounds):.1f} | "
            f"{statistics.mean(r['pg_ms'] for r in rounds):.1f} | "
            f"{statistics.median(r['wall_median_ms'] for r in rounds):.1f} |"
        )
    if profiler:
        profiler.dump_stats(arguments.profile)
    if arguments.json:
        Path(arguments.json).write_text(
            json.dumps(
                [
                    {"database": d, "user": u, "page": p, "rounds": r}
                    for (d, u, p), r in results.items()
                ],
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
