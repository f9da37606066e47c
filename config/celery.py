import gc
import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("partnerplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(task: object = None, **kwargs: object) -> None:
    """Around each task, what Django does around each request: close connections
    older than CONN_MAX_AGE or left unusable by an error, keep the others. Not in
    eager mode, where the task runs inside someone's request (and its transaction).
    """
    request = getattr(task, "request", None)
    if getattr(request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_init.connect
def warm_up_report_rendering(**kwargs: object) -> None:
    """Before the pool forks its processes, render a small page once here, so that
    every pool process (recycled ones too) starts with fonts and Pango loaded, and
    load the code the tasks reach lazily (URLconf, templates); then freeze what is
    loaded so that pool processes share it rather than copy it."""
    import django
    from django.apps import apps
    from django.db import connections

    if not apps.ready:
        django.setup()
    from assessments.pdf import pdf_warm_up

    try:
        seconds = pdf_warm_up()
    except Exception:  # a cold start is slower, not broken
        logger.exception("Report rendering warm-up failed; pool processes start cold")
    else:
        logger.info("Report rendering warmed up in %.2f s", seconds)
    _load_what_tasks_reach_lazily()
    connections.close_all()  # forked processes must open their own
    # What Python's gc documentation advises before forking without exec: move
    # everything loaded so far (Django, WeasyPrint, fonts) out of the collector's
    # reach. Pool processes then never walk those objects in a full collection,
    # and so never copy the pages that hold them: the pages stay shared.
    gc.collect()
    gc.freeze()


# Compiled once here, they are cached by the template loader for every pool process.
TASK_TEMPLATES = (
    "assessments/pdf/report.html",
    "assessments/email/report_ready.txt",
    "assessments/email/report_ready_subject.txt",
    "assessments/email/assessment_reminder.txt",
    "assessments/email/assessment_reminder_subject.txt",
    "assurance/pdf/relationship_pack.html",
    "assurance/pdf/organisation_pack.html",
)


def _load_what_tasks_reach_lazily() -> None:
    """A report links to its page, and the first reverse() in a process imports
    the whole URLconf: every view module, and openpyxl with them. Done in each pool
    process, that cost about 0.2 s on its first report (bench/README.md) and gave
    each process a private copy of those modules; done here, once, they are shared.
    """
    from django.template.loader import get_template
    from django.urls import reverse

    reverse("assessments:report_list", kwargs={"reference": "warm-up"})
    for name in TASK_TEMPLATES:
        get_template(name)
