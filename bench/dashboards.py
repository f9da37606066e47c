"""Benchmark the dashboards and register lists under live use, on PostgreSQL with
gunicorn, against a bare Django view measured in the same run.

    .venv/bin/python bench/dashboards.py [options]

What it does, in order:
1. Prepares two PostgreSQL databases on 127.0.0.1:5432 (user postgres): --database
   (default partnerplan_bench) with a portfolio of --relationships (1,000), and
   --large-database (default: the same name with `_large`) with --large (10,000).
   Each is dropped, migrated (the second copied from the first, migrated and still
   empty) and filled by `manage.py generate_portfolio`, unless --reuse finds it
   already holding a portfolio of that size.
2. Serves the app with gunicorn on a free loopback port: --workers sync workers
   (2), DEBUG off, persistent database connections, the cache in Redis (database
   --redis-db, default 12, emptied at each start: shared by the workers, as in
   production), a throw-away SECRET_KEY, plain-HTTP cookies. Logs in as
   `portfolio.viewer` (sees every relationship) and `portfolio.sample` (sees 10)
   through the login form, and checks that every page answers 200.
3. Loads each page with wrk (Debian package `wrk`; installed with apt-get when
   missing and running as root) for --duration seconds over --connections
   connections, after two warm-up requests per worker. Every response other than
   200 counts as an error (a redirect to the login page would otherwise look like
   a fast success). The pages:
   (a) the bare health view `healthz/`, measured before each other page and
       after the last, so that each page is measured between two of its
       measurements,
   (b) the portfolio dashboard of the user who sees every relationship,
   (b') the portfolio dashboard of the user who sees 10,
   (c) a relationship dashboard (pf-0001),
   (d) (e) (f) the objectives, risks and actions lists.
4. Three runs:
   (i)   caching on, with the writer saving --writes-per-second (20) register
         entries during each page's load, the bare view's included;
   (ii)  caching off (gunicorn restarted with DASHBOARD_CACHE_SECONDS=0), with
         the writer at --uncached-writes-per-second (default 0: none, as the
         issue measured it);
   (iii) --large relationships in the database: a second gunicorn serves that
         database, both with caching off as in (ii) and each with a
         local-memory cache of its own (for the sessions: the two share
         nothing). The portfolio of each user (the viewer's first page) is timed
         one request at a time, alternately on the 1,000 and on the 10,000 (at
         least 10 requests each and --duration seconds), so the machine's drift
         falls on both alike; their medians are compared. (Under wrk, a page
         that takes seconds completes too few requests for a percentile.)
   The writer (bench/dashboards_writer.py) is a separate process that saves
   objectives, risks and actions in turn, drawn across the whole portfolio,
   through the app's services (objective_revise, risk_update, action_update,
   each from the revision just read), as portfolio.viewer: the same signals and
   cache invalidation as a person's save. It reports the saves it achieved and
   any errors for each page.
5. Prints each page's requests per second, p50 and p99, errors and its share of
   (a) around it (the mean of the measurements just before and just after it:
   the machine's speed drifts within a run), the targets against that share,
   the share of the run's first (a) for comparison, and the whole as markdown
   tables ready to paste into bench/README.md; writes everything as JSON to
   --json. Targets: with 20 saves/s, portfolio >= 1/30 of (a), relationship
   dashboard and lists >= 1/20, no errors; caching off, portfolio >= 1/40,
   dashboard and lists >= 1/25; with 10,000 relationships, the user who sees 10
   within 1.2 x of the time at 1,000, the viewer's first page within 1.3 x.
   Exits 1 when a target is missed.

Options:
    --relationships N           the portfolio of the main runs (default 1000)
    --large N                   the large portfolio of run (iii) (default 10000;
                                0 skips it)
    --database NAME             default partnerplan_bench (bench/reports.py uses
                                that name too: do not run both at once)
    --large-database NAME       default NAME_large
    --reuse                     keep databases that already hold a portfolio of
                                the size asked for
    --redis-db N                the Redis database for the cache (default 12)
    --writes-per-second W       the writer's rate in run (i) (default 20)
    --uncached-writes-per-second W   its rate in run (ii) and (iii) (default 0)
    --runs LIST                 which runs, of on,off,large (default all three)
    --duration S                seconds of load per page (default 10, at most 60)
    --connections C             concurrent connections (default 4)
    --threads T                 wrk threads (default 2)
    --workers W                 gunicorn workers (default 2)
    --json PATH                 default /tmp/partnerplan_bench_dashboards.json

Everything stays on 127.0.0.1; gunicorn and the writer are stopped at the end
(also on errors).
"""

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = BASE_DIR / ".venv" / "bin" / "python"
GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"
WRITER = BASE_DIR / "bench" / "dashboards_writer.py"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
PASSWORD = "partnerplan-bench"
VIEWER, SAMPLE = "portfolio.viewer", "portfolio.sample"
SAMPLE_SIZE = 10

# wrk counts only connection errors and 4xx/5xx; this script counts every
# response other than 200 and reports exact percentiles as JSON.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local not_ok_total = 0
  for _, thread in ipairs(threads) do
    not_ok_total = not_ok_total + thread:get("not_ok")
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"not_ok": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    not_ok_total, errors.connect + errors.read + errors.write + errors.timeout))
end
"""


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    user: str | None
    # The least share of the bare view: caching on (with the writer), caching off.
    target_cached: int | None = None
    target_uncached: int | None = None


def pages(relationships: int) -> list[Page]:
    return [
        Page("bare", "(a) bare view `/healthz/`", "/healthz/", None),
        Page(
            "portfolio",
            f"(b) portfolio dashboard, {relationships:,} relationships",
            "/dashboard/",
            VIEWER,
            30,
            40,
        ),
        Page(
            "portfolio_sample",
            f"(b') portfolio dashboard of a user who sees {SAMPLE_SIZE}",
            "/dashboard/",
            SAMPLE,
            30,
            40,
        ),
        Page(
            "relationship",
            "(c) relationship dashboard",
            "/relationships/pf-0001/dashboard/",
            VIEWER,
            20,
            25,
        ),
        Page("objectives", "(d) objectives list", "/objectives/", VIEWER, 20, 25),
        Page("risks", "(e) risks list", "/risks/", VIEWER, 20, 25),
        Page("actions", "(f) actions list", "/actions/", VIEWER, 20, 25),
    ]


@dataclass
class Result:
    key: str
    label: str
    path: str
    requests_per_second: float
    p50_ms: float | None
    p99_ms: float | None
    errors: int
    requests: int
    writer: dict | None = None
    # The bare view measured just before and just after this page (its mean is
    # the page's reference), and the page's share of it.
    bare_around: float | None = None
    share: float | None = None
    # The share of the bare view measured first in the run, as before issue 13's
    # seventh session: the drift of the machine over the run falls on it.
    share_of_first: float | None = None
    target: int | None = None
    met: bool | None = None


@dataclass
class Run:
    name: str
    title: str
    database: str
    cache_seconds: int | None
    writes_per_second: float
    load_before: list[float]
    results: list[Result] = field(default_factory=list)
    # Every measurement of the bare view, in order: before each page, and
    # after the last (results[0] is their mean).
    bare: list[Result] = field(default_factory=list)
    load_after: list[float] = field(default_factory=list)


def log(message: str = "") -> None:
    print(message, flush=True)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


# --- databases ---------------------------------------------------------------------


def environment(
    *, database: str, cache_url: str, cache_seconds: int | None = None
) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DASHBOARD_CACHE_SECONDS", None)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="600",
        # As in production (docker-compose.yml): the workers share one cache.
        CACHE_URL=cache_url,
        STATIC_MANIFEST="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        # Plain http on 127.0.0.1: no TLS to redirect to.
        SECURE_SSL_REDIRECT="false",
        DEMO_DATA_ALLOWED="true",
        LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
        # WhiteNoise's note that collectstatic has not run: no page loads a file.
        PYTHONWARNINGS="ignore:No directory at:UserWarning",
    )
    if cache_seconds is not None:
        env["DASHBOARD_CACHE_SECONDS"] = str(cache_seconds)
    return env


def portfolio_size(database: str) -> int | None:
    """How many relationships the generated portfolio in `database` has, or None
    when there is none (or no such database)."""
    try:
        with psycopg.connect(dbname=database, connect_timeout=5, **PG) as connection:
            row = connection.execute(
                "SELECT count(*) FROM relationships_partnership p "
                "JOIN relationships_organisation o ON o.id = p.organisation_id "
                "WHERE o.slug = 'portfolio-holdings'"
            ).fetchone()
            return int(row[0]) if row and row[0] else None
    except psycopg.Error:
        return None


def prepare_databases(
    wanted: list[tuple[str, int]], *, reuse: bool, cache_url: str
) -> dict[str, float | None]:
    """Each (database, relationships) holding its portfolio; the seconds each
    generation took (None: reused)."""
    to_make = []
    for database, size in wanted:
        found = portfolio_size(database) if reuse else None
        if found == size:
            log(f"Reusing database {database} ({size:,} relationships).")
        else:
            to_make.append((database, size))
    timings: dict[str, float | None] = dict.fromkeys(name for name, _ in wanted)
    if not to_make:
        return timings
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        for database, _ in to_make:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        first = to_make[0][0]
        log(f"Creating and migrating database {first} ...")
        connection.execute(f"CREATE DATABASE {first}")
        subprocess.run(
            [str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"],
            cwd=BASE_DIR,
            env=environment(database=first, cache_url=cache_url),
            check=True,
        )
        # A migrated empty database is a template for the others: one migration.
        for database, _ in to_make[1:]:
            log(f"Creating database {database} as a copy of the migrated {first} ...")
            connection.execute(f"CREATE DATABASE {database} TEMPLATE {first}")
    for database, size in to_make:
        log(f"Generating a portfolio of {size:,} relationships in {database} ...")
        started = time.monotonic()
        subprocess.run(
            [
                str(PYTHON),
                "manage.py",
                "generate_portfolio",
                f"--relationships={size}",
                f"--password={PASSWORD}",
                "-v2",
            ],
            cwd=BASE_DIR,
            env=environment(database=database, cache_url=cache_url),
            check=True,
        )
        timings[database] = round(time.monotonic() - started, 1)
        log(f"Generated in {timings[database]:.1f} s.")
        with psycopg.connect(dbname=database, autocommit=True, **PG) as connection:
            connection.execute("VACUUM ANALYZE")
    return timings


# --- HTTP --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, dict[str, list[str]], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    encoded = None
    if body is not None:
        encoded = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=encoded, headers=headers)
    response = connection.getresponse()
    all_headers: dict[str, list[str]] = {}
    for name, value in response.getheaders():
        all_headers.setdefault(name.lower(), []).append(value)
    content = response.read()
    connection.close()
    return response.status, all_headers, content


def _set_cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    cookies = {}
    for header in headers.get("set-cookie", []):
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


class Server:
    """gunicorn serving one database, with both users logged in."""

    def __init__(
        self,
        *,
        database: str,
        cache_url: str,
        cache_seconds: int | None,
        workers: int,
    ) -> None:
        self.database = database
        self.cache_url = cache_url
        self.cache_seconds = cache_seconds
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.cookies: dict[str, dict[str, str]] = {}

    def env(self) -> dict[str, str]:
        return environment(
            database=self.database,
            cache_url=self.cache_url,
            cache_seconds=self.cache_seconds,
        )

    def __enter__(self) -> "Server":
        import redis

        if self.cache_url.startswith("redis://"):
            redis.Redis.from_url(self.cache_url, socket_connect_timeout=5).flushdb()
        caching = "off" if self.cache_seconds == 0 else "on"
        log(
            f"Starting gunicorn ({self.workers} workers, {self.database}, caching "
            f"{caching}) on 127.0.0.1:{self.port} ..."
        )
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "config.wsgi:application",
                f"--workers={self.workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
            ],
            cwd=BASE_DIR,
            env=self.env(),
        )
        try:
            self._wait_until_up()
            for username in (VIEWER, SAMPLE):
                self.cookies[username] = self._log_in(username)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None

    def _wait_until_up(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped while starting; see its output.")
            try:
                if request(self.port, "GET", "/healthz/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer on /healthz/ within 30 s.")

    def _log_in(self, username: str) -> dict[str, str]:
        """A session through the normal login form and its CSRF token."""
        status, headers, content = request(self.port, "GET", "/accounts/login/")
        cookies = _set_cookies(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None or "csrftoken" not in cookies:
            raise SystemExit(f"The login page did not offer a CSRF token ({status}).")
        status, headers, _ = request(
            self.port,
            "POST",
            "/accounts/login/",
            body={
                "csrfmiddlewaretoken": token.group(1).decode(),
                "login": username,
                "password": PASSWORD,
            },
            cookies=cookies,
        )
        cookies.update(_set_cookies(headers))
        if status != 302 or "sessionid" not in cookies:
            raise SystemExit(f"Logging in as {username} failed ({status}).")
        return cookies

    def check(self, page: Page) -> None:
        """The page answers 200 (not a redirect to a login or e-mail page)."""
        cookies = self.cookies[page.user] if page.user else None
        status, headers, _ = request(self.port, "GET", page.path, cookies=cookies)
        if status != 200:
            where = headers.get("location", [""])[0]
            raise SystemExit(
                f"{page.path} as {page.user or 'nobody'} answered {status}"
                + (f" (to {where})" if where else "")
                + ": the benchmark needs every page to answer 200."
            )


# --- the writer --------------------------------------------------------------------


class Writer:
    """bench/dashboards_writer.py in a process of its own, started and stopped
    around each page's load."""

    def __init__(self, *, env: dict[str, str], rate: float) -> None:
        self.rate = rate
        self.process = subprocess.Popen(
            [str(PYTHON), str(WRITER), f"--rate={rate}"],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self._line()
        if line != "WRITER_READY":
            self.close()
            raise SystemExit(f"The writer did not start: {line!r}")

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def _send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def start(self) -> None:
        self._send("start")

    def stop(self) -> dict:
        self._send("stop")
        line = self._line()
        if not line.startswith("WRITER_JSON "):
            raise SystemExit(f"Unexpected output from the writer: {line!r}")
        return json.loads(line.removeprefix("WRITER_JSON "))

    def close(self) -> None:
        try:
            self._send("quit")
            self.process.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


# --- load --------------------------------------------------------------------------


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("wrk is missing; installing the Debian package ...")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        wrk = shutil.which("wrk")
        if wrk:
            return wrk
    raise SystemExit("wrk is missing: install it with `apt-get install wrk`.")


class Load:
    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self.wrk = ensure_wrk()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        self.script = Path(script.name)

    def close(self) -> None:
        self.script.unlink(missing_ok=True)

    def page(
        self, server: Server, page: Page, *, writer: Writer | None, label: str = ""
    ) -> Result:
        options = self.options
        cookies = server.cookies[page.user] if page.user else None
        if writer is not None:
            writer.start()
        try:
            # Two warm-up requests per worker fill each worker's caches first.
            for _ in range(2 * options.workers):
                request(server.port, "GET", page.path, cookies=cookies)
            command = [
                self.wrk,
                f"-t{options.threads}",
                f"-c{options.connections}",
                f"-d{options.duration}s",
                "--timeout=30s",
                "-s",
                str(self.script),
                "-H",
                "Host: 127.0.0.1",
            ]
            if cookies:
                cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
                command += ["-H", f"Cookie: {cookie}"]
            command.append(f"http://127.0.0.1:{server.port}{page.path}")
            output = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=True,
                timeout=options.duration + 60,
            ).stdout
        finally:
            saves = writer.stop() if writer is not None else None
        match = re.search(r"WRK_JSON (\{.*\})", output)
        if match is None:
            raise SystemExit(f"Unexpected wrk output:\n{output}")
        data = json.loads(match.group(1))
        # No request ended within --duration: no percentile (and 0 req/s).
        done = data["requests"] > 0
        result = Result(
            key=page.key,
            label=label or page.label,
            path=page.path,
            requests_per_second=data["requests"] / (data["duration_us"] / 1e6),
            p50_ms=data["p50_us"] / 1000 if done else None,
            p99_ms=data["p99_us"] / 1000 if done else None,
            errors=data["not_ok"] + data["socket_errors"],
            requests=data["requests"],
            writer=saves,
        )
        line = (
            f"  {result.label:<52} {result.requests_per_second:8.1f} req/s  "
            f"p50 {_ms(result.p50_ms):>7} ms  p99 {_ms(result.p99_ms):>7} ms  "
            f"errors {result.errors}"
        )
        if saves is not None:
            line += f"  | writer {saves['per_second']:.1f} saves/s, " + (
                f"errors {sum(e['count'] for e in saves['errors'].values())}"
            )
        log(line)
        return result


def measure_run(
    run: Run,
    server: Server,
    load: Load,
    page_list: list[Page],
    *,
    cached: bool,
) -> None:
    """Each page after the bare view, and the bare view again after the last:
    a page's share is of the mean of the bare view measured just before and
    just after it, so that the machine's drift within the run (it moved by a
    third within minutes here) falls on the page and its reference alike."""
    for page in page_list:
        server.check(page)
    bare_page, *others = page_list
    writer = None
    if run.writes_per_second > 0:
        writer = Writer(env=server.env(), rate=run.writes_per_second)
    bare: list[Result] = []
    try:
        log(f"{run.title}; load average before: {run.load_before}")
        for page in others:
            bare.append(load.page(server, bare_page, writer=writer))
            run.results.append(load.page(server, page, writer=writer))
        bare.append(load.page(server, bare_page, writer=writer))
    finally:
        if writer is not None:
            writer.close()
    run.load_after = load_average()
    run.bare = bare
    run.results.insert(0, _bare_mean(bare))
    first = bare[0].requests_per_second
    for index, (result, page) in enumerate(zip(run.results[1:], others, strict=True)):
        around = (
            bare[index].requests_per_second + bare[index + 1].requests_per_second
        ) / 2
        result.bare_around = around
        if not around or not first:
            continue
        result.share = result.requests_per_second / around
        result.share_of_first = result.requests_per_second / first
        target = page.target_cached if cached else page.target_uncached
        if target is not None:
            result.target = target
            result.met = result.share >= 1 / target


def _bare_mean(bare: list[Result]) -> Result:
    """The bare view's row: the mean of its measurements in the run, the worst
    p99 and every error."""
    first = bare[0]
    p50s = [result.p50_ms for result in bare if result.p50_ms is not None]
    p99s = [result.p99_ms for result in bare if result.p99_ms is not None]
    saves = [result.writer for result in bare if result.writer]
    return Result(
        key=first.key,
        label=f"{first.label}, mean of {len(bare)}",
        path=first.path,
        requests_per_second=statistics.mean(r.requests_per_second for r in bare),
        p50_ms=statistics.median(p50s) if p50s else None,
        p99_ms=max(p99s) if p99s else None,
        errors=sum(result.errors for result in bare),
        requests=sum(result.requests for result in bare),
        writer=(
            {
                "per_second": statistics.mean(w["per_second"] for w in saves),
                "errors": _merged_errors(saves),
            }
            if saves
            else None
        ),
    )


def _merged_errors(saves: list[dict]) -> dict:
    merged: dict = {}
    for entry in saves:
        for name, error in entry["errors"].items():
            known = merged.setdefault(name, {**error, "count": 0})
            known["count"] += error["count"]
    return merged


# --- output ------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _fraction(share: float | None) -> str:
    if share is None:
        return ""
    return f"1/{1 / share:.1f}" if share else "0"


def _share(result: Result) -> str:
    if result.share is None or result.key == "bare":
        return ""
    text = _fraction(result.share)
    return f"**{text}**" if result.met is False else text


def _writer_cell(result: Result) -> str:
    saves = result.writer
    if not saves:
        return ""
    errors = sum(entry["count"] for entry in saves["errors"].values())
    return f"{saves['per_second']:.1f} ({errors} errors)"


def run_table(run: Run) -> str:
    with_writer = run.writes_per_second > 0
    header = (
        "| page | req/s | p50 / p99 | (a) around it, req/s | share of (a) around it "
        "| target | share of the first (a) | errors |"
    )
    rule = "|---|---|---|---|---|---|---|---|"
    if with_writer:
        header += " writer: saves/s (errors) |"
        rule += "---|"
    lines = [header, rule]
    for result in run.results:
        target = ""
        if result.target is not None:
            target = f"≥ 1/{result.target}: {'met' if result.met else 'NOT met'}"
        around = "" if result.bare_around is None else f"{result.bare_around:,.1f}"
        if result.key == "bare":
            around = ", ".join(f"{r.requests_per_second:,.0f}" for r in run.bare)
        row = (
            f"| {result.label} | {result.requests_per_second:,.1f} | "
            f"{_ms(result.p50_ms)} / {_ms(result.p99_ms)} ms | {around} | "
            f"{_share(result)} | {target} | {_fraction(result.share_of_first)} | "
            f"{result.errors} |"
        )
        if with_writer:
            row += f" {_writer_cell(result)} |"
        lines.append(row)
    return "\n".join(lines)


def large_table(comparisons: list[dict], *, small: int, large: int) -> str:
    lines = [
        f"| user | median (p90) at {small:,} | median (p90) at {large:,} | ratio "
        "| target |",
        "|---|---|---|---|---|",
    ]
    for item in comparisons:
        verdict = "met" if item["met"] else "NOT met"
        ratio = f"{item['ratio']:.2f}×"
        cells = [
            f"{timing['median_ms']:.1f} ({timing['p90_ms']:.1f}) ms, "
            f"{timing['requests']} requests"
            + (f", {timing['errors']} errors" if timing["errors"] else "")
            for timing in (item["small"], item["large"])
        ]
        lines.append(
            f"| {item['label']} | {cells[0]} | {cells[1]} | "
            + (ratio if item["met"] else f"**{ratio}**")
            + f" | ≤ {item['target']}×: {verdict} |"
        )
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark the dashboards under live use (see the docstring)."
    )
    parser.add_argument("--relationships", type=int, default=1000)
    parser.add_argument("--large", type=int, default=10000)
    parser.add_argument("--database", default="partnerplan_bench")
    parser.add_argument("--large-database", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--writes-per-second", type=float, default=20.0)
    parser.add_argument("--uncached-writes-per-second", type=float, default=0.0)
    parser.add_argument("--runs", default="on,off,large")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", default="/tmp/partnerplan_bench_dashboards.json")
    options = parser.parse_args()
    options.large_database = options.large_database or f"{options.database}_large"
    for name in (options.database, options.large_database):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise SystemExit("Database names are plain lower-case names.")
    if options.database == options.large_database:
        raise SystemExit("The large portfolio needs a database of its own.")
    options.runs = {run.strip() for run in options.runs.split(",") if run.strip()}
    if not options.runs <= {"on", "off", "large"}:
        raise SystemExit("--runs takes on, off and large, separated by commas.")
    if options.large < 1:
        options.runs.discard("large")
    options.duration = max(1, min(options.duration, 60))
    options.threads = max(1, min(options.threads, options.connections))
    return options


def main() -> None:
    options = parse_options()
    cache_url = f"redis://127.0.0.1:6379/{options.redis_db}"
    started = datetime.datetime.now(datetime.UTC)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "commit": commit,
        "options": {
            key: sorted(value) if isinstance(value, set) else value
            for key, value in vars(options).items()
        },
        "load_average_at_start": load_average(),
    }
    wanted = [(options.database, options.relationships)]
    if "large" in options.runs:
        wanted.append((options.large_database, options.large))
    report["generation_seconds"] = prepare_databases(
        wanted, reuse=options.reuse, cache_url=cache_url
    )
    page_list = pages(options.relationships)
    load = Load(options)
    runs: list[Run] = []
    comparisons: list[dict] = []

    def server(
        database: str, cache_seconds: int | None, *, local_cache: bool = False
    ) -> Server:
        return Server(
            database=database,
            cache_url="locmemcache://" if local_cache else cache_url,
            cache_seconds=cache_seconds,
            workers=options.workers,
        )

    try:
        if "on" in options.runs:
            run = Run(
                name="cached_with_writes",
                title=(
                    f"(i) Caching on, a writer saving {options.writes_per_second:g} "
                    "register entries per second"
                ),
                database=options.database,
                cache_seconds=None,
                writes_per_second=options.writes_per_second,
                load_before=load_average(),
            )
            with server(options.database, None) as live:
                measure_run(run, live, load, page_list, cached=True)
            runs.append(run)
        if "off" in options.runs:
            run = Run(
                name="uncached",
                title=(
                    "(ii) Caching off (`DASHBOARD_CACHE_SECONDS=0`), "
                    + (
                        f"a writer saving {options.uncached_writes_per_second:g} "
                        "entries per second"
                        if options.uncached_writes_per_second > 0
                        else "no writer"
                    )
                ),
                database=options.database,
                cache_seconds=0,
                writes_per_second=options.uncached_writes_per_second,
                load_before=load_average(),
            )
            with server(options.database, 0) as uncached:
                measure_run(run, uncached, load, page_list, cached=False)
            runs.append(run)
        if "large" in options.runs:
            comparisons = measure_large(options, server, page_list)
            report["large_load_average_before"] = comparisons[0]["load_before"]
    finally:
        load.close()

    report["runs"] = [asdict(run) for run in runs]
    report["large"] = comparisons
    report["load_average_at_end"] = load_average()
    markdown = summary(options, report, runs, comparisons)
    report["markdown"] = markdown
    Path(options.json).write_text(json.dumps(report, indent=2))
    log("\n" + markdown)
    log(f"\nFigures as JSON: {options.json}")
    checks = [
        (f"{run.name}: {result.label}", bool(result.met))
        for run in runs
        for result in run.results
        if result.met is not None
    ]
    checks += [
        (f"{run.name}: no errors", sum(r.errors for r in run.results) == 0)
        for run in runs
    ]
    checks += [(f"large: {item['label']}", item["met"]) for item in comparisons]
    missed = [name for name, ok in checks if not ok]
    log("Targets: " + ("all met" if not missed else "NOT met: " + "; ".join(missed)))
    sys.exit(0 if not missed else 1)


@dataclass
class Timing:
    """Sequential requests of one page: one user waiting for each answer."""

    key: str
    label: str
    database: str
    median_ms: float
    p90_ms: float
    requests: int
    errors: int
    writer: dict | None = None


def time_alternately(
    servers: list[Server],
    page: Page,
    *,
    labels: list[str],
    options: argparse.Namespace,
    writers: list["Writer"],
) -> list[Timing]:
    """The page timed on each server in turn, one request at a time, so that
    the machine's drift falls on all of them alike: at least 10 requests each and
    --duration seconds (at most 6 x --duration once 3 are done), after the
    warm-up requests."""
    for writer in writers:
        writer.start()
    timings: list[list[float]] = [[] for _ in servers]
    errors = [0 for _ in servers]
    try:
        for server in servers:
            for _ in range(2 * options.workers):
                request(
                    server.port, "GET", page.path, cookies=server.cookies[page.user]
                )
        started = time.monotonic()
        while True:
            elapsed, done = time.monotonic() - started, len(timings[-1])
            if done >= 10 and elapsed >= options.duration:
                break
            if done >= 3 and elapsed >= 6 * options.duration:
                break
            for number, server in enumerate(servers):
                before = time.perf_counter()
                status, _, _ = request(
                    server.port, "GET", page.path, cookies=server.cookies[page.user]
                )
                timings[number].append((time.perf_counter() - before) * 1000)
                errors[number] += status != 200
    finally:
        saves = [writer.stop() for writer in writers]
    results = []
    for number, (server, label) in enumerate(zip(servers, labels, strict=True)):
        values = sorted(timings[number])
        timing = Timing(
            key=page.key,
            label=label,
            database=server.database,
            median_ms=round(statistics.median(values), 1),
            p90_ms=round(values[min(len(values) - 1, int(len(values) * 0.9))], 1),
            requests=len(values),
            errors=errors[number],
            writer=saves[number] if saves else None,
        )
        log(
            f"  {label:<52} median {timing.median_ms:7.1f} ms  p90 "
            f"{timing.p90_ms:7.1f} ms  ({timing.requests} requests, errors "
            f"{timing.errors})"
        )
        results.append(timing)
    return results


def measure_large(
    options: argparse.Namespace, server, page_list: list[Page]
) -> list[dict]:
    """Run (iii): both users' portfolios timed one request at a time, alternately
    on the --relationships database and on the --large one, each served by its
    own gunicorn with caching off (as run ii) and a local-memory cache of its own
    for the sessions, so that the two servers share nothing."""
    by_key = {page.key: page for page in page_list}
    rate = options.uncached_writes_per_second
    load_before = load_average()
    log(
        f"(iii) {options.large:,} relationships in the database against "
        f"{options.relationships:,}, caching off, requests one at a time, "
        f"alternately; load average before: {load_before}"
    )
    sizes = (options.relationships, options.large)
    timings: dict[str, list[Timing]] = {}
    with (
        server(options.database, 0, local_cache=True) as small,
        server(options.large_database, 0, local_cache=True) as large,
    ):
        servers = [small, large]
        writers = (
            [Writer(env=each.env(), rate=rate) for each in servers] if rate > 0 else []
        )
        try:
            for key in ("portfolio_sample", "portfolio"):
                page = by_key[key]
                for each in servers:
                    each.check(page)
                user = "sample" if page.user == SAMPLE else "viewer"
                timings[key] = time_alternately(
                    servers,
                    page,
                    labels=[f"portfolio of the {user} at {size:,}" for size in sizes],
                    options=options,
                    writers=writers,
                )
        finally:
            for writer in writers:
                writer.close()
    comparisons = []
    for key, label, target in (
        ("portfolio_sample", f"{SAMPLE} (sees {SAMPLE_SIZE})", 1.2),
        ("portfolio", f"{VIEWER} (sees every relationship), first page", 1.3),
    ):
        at_small, at_large = timings[key]
        ratio = at_large.median_ms / at_small.median_ms
        comparisons.append(
            {
                "key": key,
                "label": label,
                "small": asdict(at_small),
                "large": asdict(at_large),
                "ratio": round(ratio, 3),
                "target": target,
                "met": ratio <= target and at_small.errors == at_large.errors == 0,
                "load_before": load_before,
            }
        )
    return comparisons


def summary(
    options: argparse.Namespace,
    report: dict,
    runs: list[Run],
    comparisons: list[dict],
) -> str:
    parts = [
        f"Run of {report['started']} (commit {report['commit']}): gunicorn "
        f"{options.workers} workers, wrk {options.connections} connections × "
        f"{options.duration} s per page, PostgreSQL, cache in Redis; load average "
        f"at the start {report['load_average_at_start']}."
    ]
    generated = {
        name: seconds
        for name, seconds in report["generation_seconds"].items()
        if seconds is not None
    }
    if generated:
        parts.append(
            "Generated: "
            + ", ".join(
                f"{name} in {seconds:.0f} s" for name, seconds in generated.items()
            )
            + "."
        )
    for run in runs:
        parts.append(
            f"**{run.title}** (load average before {run.load_before}, "
            f"after {run.load_after}):\n\n{run_table(run)}"
        )
    if comparisons:
        parts.append(
            f"**(iii) {options.large:,} relationships in the database** (caching "
            f"off, a local-memory cache per server; the portfolio's time, requests "
            f"one at a time, alternately on each database; load average before "
            f"{comparisons[0]['load_before']}):\n\n"
            + large_table(comparisons, small=options.relationships, large=options.large)
        )
    return "\n\n".join(parts)


if __name__ == "__main__":
    main()
