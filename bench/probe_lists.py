"""The in-process cost of the register lists and the relationship dashboard: CPU
of the app and of its PostgreSQL backend per request, caching off and on.

    .venv/bin/python bench/probe_lists.py [--database pp_bench] [--redis-db 4]
        [--requests 30] [--warmup 3] [--modes off,on,on-writer]
        [--pages healthz,dashboard,objectives,risks,actions] [--profile PAGE]

Needs a database holding `manage.py generate_portfolio`'s 1,000 relationships
(bench/dashboards.py makes one: `--database NAME --runs on` then stop, or
migrate and `generate_portfolio --relationships=1000 --password=partnerplan-bench`
by hand). Django's test client requests each page as `portfolio.viewer` (who
sees every relationship) in this process, DEBUG off, the cache in Redis (the
database --redis-db, emptied first), a persistent database connection. For each
mode and page: --warmup requests, then --requests timed ones; it reports per
request the app's CPU (time.process_time) and the PostgreSQL backend's CPU
(utime + stime of `pg_backend_pid()` from /proc: 10 ms ticks, so take 30
requests or more), and each page's CPU as a share of the bare view `/healthz/`.
CPU, not wall time: other processes on the machine move it much less.

Modes: `off` (DASHBOARD_CACHE_SECONDS=0), `on` (caching on, nothing saved) and
`on-writer` (caching on; before each timed request, outside the timing, one
relationship drawn at random among those the viewer sees is marked changed
(`relationships_changed`), as bench/dashboards.py's writer does 20 times a
second: every cache entry keyed by the viewer's organisations is then stale,
and those keyed by a page's relationships almost never are).

--profile PAGE prints cProfile's top functions (by cumulative and own time) for
that page's timed requests in the first mode given.
"""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PAGES = {
    "healthz": "/healthz/",
    "dashboard": "/relationships/pf-0001/dashboard/",
    "objectives": "/objectives/",
    "risks": "/risks/",
    "actions": "/actions/",
}
VIEWER, PASSWORD = "portfolio.viewer", "partnerplan-bench"


def configure(database: str, redis_db: int) -> None:
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        CONN_MAX_AGE="600",
        CACHE_URL=f"redis://127.0.0.1:6379/{redis_db}",
        STATIC_MANIFEST="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
    )
    os.environ.pop("DASHBOARD_CACHE_SECONDS", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(BASE_DIR))
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="pp_bench")
    parser.add_argument("--redis-db", type=int, default=4)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--modes", default="off,on,on-writer")
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--profile", default="")
    parser.add_argument("--profile-filter", default="", help="a regex of files")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    configure(args.database, args.redis_db)

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from relationships.access import relationships_visible_to
    from relationships.caching import relationships_changed

    cache.clear()
    client = Client()
    if not client.login(username=VIEWER, password=PASSWORD):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username=VIEWER))
    viewer = __import__("django.contrib.auth", fromlist=["get_user_model"])
    viewer = viewer.get_user_model().objects.get(username=VIEWER)
    relationship_ids = list(
        relationships_visible_to(viewer).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    modes = args.modes.split(",")
    pages = args.pages.split(",")
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    print(f"# DEBUG={settings.DEBUG} cache={settings.CACHES['default']['BACKEND']}")
    for _round in range(args.rounds):
        for mode in modes:
            seconds = 0 if mode == "off" else 60
            with override_settings(DASHBOARD_CACHE_SECONDS=seconds):
                for page in pages:
                    url = PAGES[page]
                    writer = mode == "on-writer"
                    for _ in range(args.warmup):
                        response = client.get(url)
                        assert response.status_code == 200, (url, response.status_code)
                    profile = (
                        cProfile.Profile(time.process_time)
                        if args.profile == page and mode == modes[0] and _round == 0
                        else None
                    )
                    app = pg = 0.0
                    for _ in range(args.requests):
                        if writer:
                            relationships_changed([random.choice(relationship_ids)])
                        pg_before = backend_cpu_ms(pid)
                        started = time.process_time()
                        if profile:
                            profile.enable()
                        response = client.get(url)
                        if profile:
                            profile.disable()
                        app += time.process_time() - started
                        pg += backend_cpu_ms(pid) - pg_before
                        assert response.status_code == 200
                    results.setdefault((mode, page), []).append(
                        (app * 1000 / args.requests, pg / args.requests)
                    )
                    if profile:
                        stats = pstats.Stats(profile).strip_dirs()
                        restrict = [args.profile_filter] if args.profile_filter else []
                        stats.sort_stats("cumulative").print_stats(*restrict, 60)
                        stats.sort_stats("tottime").print_stats(30)
    print(f"\n{'mode':<10} {'page':<11} {'app ms':>7} {'PG ms':>6} {'share':>7}")
    for mode in modes:
        base = results.get((mode, "healthz"))
        base_ms = sum(a + p for a, p in base) / len(base) if base else None
        for page in pages:
            runs = results[(mode, page)]
            app = sum(a for a, _ in runs) / len(runs)
            pg = sum(p for _, p in runs) / len(runs)
            share = f"1/{(app + pg) / base_ms:.1f}" if base_ms else ""
            print(f"{mode:<10} {page:<11} {app:7.1f} {pg:6.1f} {share:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
