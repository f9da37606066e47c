"""Benchmark of the audit pack: one pack's time, pages and size, beside the
report of the same relationship, for the demo's richest relationships.

    .venv/bin/python bench/audit_pack.py --database pp_bench_h1 --prepare
    .venv/bin/python bench/audit_pack.py --database pp_bench_h1 --runs 7

`--prepare` drops and makes the PostgreSQL database again and loads the demo
(which makes the demo's own pack and report); without it the database is used
as it is. Each pack and report is rendered `--runs` + 1 times in this process,
prepared as a worker's pool process is (the worker's warm-up, then gc.freeze),
the first run left out. Gathering (queries, and for a pack its XLSX) is timed
apart from HTML → PDF, and CPU time beside wall time, since the shared machine's
load moves the wall time. Nothing is stored: the rows rendered are not saved.
"""

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reports as report_bench

RELATIONSHIPS = ["lmsme-calder-suppliers", "ubc-northbridge-lumen"]


def _prepare() -> None:
    report_bench._recreate_database(report_bench.POSTGRES_URL)
    environment = report_bench._environment(report_bench.POSTGRES_URL, 50)
    for command in (["migrate", "--verbosity", "0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=report_bench.ROOT,
            env=environment,
            check=True,
        )


def _timed(runs: int, gather, render) -> dict:
    gather_times, pdf_times, totals, cpu_times = [], [], [], []
    rendered = None
    for _ in range(runs + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        html, extra = gather()
        gathered = time.perf_counter()
        rendered = render(html)
        finished = time.perf_counter()
        cpu_times.append(time.process_time() - cpu_started)
        gather_times.append(gathered - started)
        pdf_times.append(finished - gathered)
        totals.append(finished - started)
    return {
        "median_total": statistics.median(totals[1:]),
        "median_gather": statistics.median(gather_times[1:]),
        "median_pdf": statistics.median(pdf_times[1:]),
        "median_cpu": statistics.median(cpu_times[1:]),
        "totals": totals[1:],
        "pages": rendered.page_count,
        "bytes": len(rendered.content),
        **extra,
    }


def measure_pack(reference: str, runs: int) -> dict:
    from assessments.pdf import pdf_from_html
    from assurance.exports import relationship_pack_workbook
    from assurance.models import AuditPack
    from assurance.selectors.packs import relationship_pack_data
    from assurance.services.packs import audit_pack_build_html
    from relationships.models import Relationship

    relationship = Relationship.objects.get(reference=reference)
    # Unsaved (pk 0 for its URL): a benchmark run stores nothing.
    pack = AuditPack(
        pk=0, relationship=relationship, sequence=0, number=f"{reference}-AP"
    )

    def gather():
        data = relationship_pack_data(relationship=relationship)
        xlsx = relationship_pack_workbook(pack=pack, data=data)
        return audit_pack_build_html(pack=pack, data=data), {
            "xlsx_bytes": len(xlsx),
            "findings": len(data.findings),
            "revisions": len(data.revisions),
        }

    return _timed(runs, gather, lambda html: pdf_from_html(html=html))


def _report_of(reference: str):
    """The relationship's newest done report, or an unsaved one of its latest
    finished period (None when it has none)."""
    from assessments.choices import ReportStatus
    from assessments.models import Report
    from assessments.selectors.report_as_at import moment_after
    from assessments.selectors.reports import relationship_finished_periods
    from relationships.models import Relationship
    from relationships.selectors.plans import plan_version_in_force_at

    relationship = Relationship.objects.get(reference=reference)
    report = (
        Report.objects.filter(relationship=relationship, status=ReportStatus.DONE)
        .order_by("-period_start", "-issue")
        .first()
    )
    if report is not None:
        return report
    periods = relationship_finished_periods(relationship=relationship)
    if not periods:
        return None
    return Report(
        pk=0,  # unsaved (its URL needs a number): a benchmark run stores nothing
        relationship=relationship,
        period_start=periods[0].start,
        period_end=periods[0].end,
        number=f"{reference}-bench",
        plan_version=plan_version_in_force_at(
            relationship=relationship, moment=moment_after(periods[0].end)
        ),
    )


def measure_report(reference: str, runs: int) -> dict | None:
    from assessments.pdf import pdf_from_html
    from assessments.selectors.reports import report_data
    from assessments.services.reports import report_build_html

    report = _report_of(reference)
    if report is None:
        return None

    def gather():
        html = report_build_html(data=report_data(report=report), report=report)
        return html, {"period_end": report.period_end.isoformat()}

    return _timed(runs, gather, lambda html: pdf_from_html(html=html))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="pp_bench_audit_pack")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--prepare", action="store_true", help="Load the demo first.")
    parser.add_argument("--runs", type=int, default=5, help="Renders of each file.")
    arguments = parser.parse_args()
    report_bench._use_database(arguments.database, arguments.redis_db)
    if arguments.prepare:
        _prepare()
    report_bench._setup_django(report_bench._environment(report_bench.POSTGRES_URL, 50))
    from config.celery import warm_up_report_rendering

    warm_up_report_rendering()
    gc.freeze()
    results = {}
    for reference in RELATIONSHIPS:
        results[reference] = {"pack": measure_pack(reference, arguments.runs)}
        print(reference, "pack", json.dumps(results[reference]["pack"]), flush=True)
        results[reference]["report"] = measure_report(reference, arguments.runs)
    print(json.dumps(results, indent=2))
    for reference, figures in results.items():
        for kind in ("pack", "report"):
            row = figures[kind]
            if row is None:
                print(f"{reference} {kind}: none")
                continue
            workbook = ""
            if kind == "pack":
                workbook = f", XLSX {row['xlsx_bytes'] / 1024:.0f} KiB"
            print(
                f"{reference} {kind}: median {row['median_total']:.3f} s "
                f"(gather {row['median_gather']:.3f} s, PDF {row['median_pdf']:.3f} s, "
                f"CPU {row['median_cpu']:.3f} s), {row['pages']} pages, "
                f"{row['bytes'] / 1024:.0f} KiB{workbook}"
            )


if __name__ == "__main__":
    main()
