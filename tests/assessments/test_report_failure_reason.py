"""A failed report tells its readers why in plain words; what went wrong (an
exception that may name server paths) goes to the log and the admin site."""

import logging

from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.services import reports as report_services
from assessments.services.reports import FAILED_ON_ERROR, RenderOutcome, report_render
from tests.assessments.factories_reports import finished_period

SERVER_PATH = "/srv/partnerplan/templates/assessments/pdf/report.html"


def test_readers_see_a_plain_reason_and_operators_the_detail(
    world, login, monkeypatch, caplog
) -> None:
    report = finished_period(world)

    def failing_pdf(**kwargs):
        raise ValueError(f"Cannot read {SERVER_PATH}: line 12")

    monkeypatch.setattr(report_services, "pdf_from_html", failing_pdf)
    with caplog.at_level(logging.ERROR, logger="assessments.services.reports"):
        assert report_render(report_id=report.pk) == RenderOutcome.FAILED
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and SERVER_PATH in str(logged[0].exc_info[1])

    reference = world.relationship.reference
    client = login(world.alice)
    for url in (
        reverse("assessments:report_detail", args=[reference, report.pk]),
        reverse("assessments:report_list", args=[reference]),
        reverse("assessments:report_status", args=[reference, report.pk]),
        reverse("assessments:report_retry", args=[reference, report.pk]),
    ):
        page = client.get(url).content.decode()
        assert "/srv/" not in page and "ValueError" not in page, url
    detail = client.get(
        reverse("assessments:report_detail", args=[reference, report.pk])
    )
    assert "Something went wrong on our side" in detail.content.decode()
    status = client.get(
        reverse("assessments:report_status", args=[reference, report.pk])
    )
    assert status.json()["error"] == FAILED_ON_ERROR

    operator = get_user_model().objects.create_superuser(
        "operator", "operator@example.org", "operator-password"
    )
    client.force_login(operator)
    admin_page = client.get(
        reverse("admin:assessments_report_change", args=[report.pk])
    ).content.decode()
    assert SERVER_PATH in admin_page
    assert "ValueError" in admin_page
