"""WCAG 2.2 AA on every page: axe-core runs on every page of the permission
matrix (tests/test_permissions.py), as each persona who may read it, and the
test fails on any WCAG A/AA violation, listing page, rule and elements.

One browser for the session, one context per persona; each distinct URL is
visited once per persona. What was visited, how long it took and what was
found is written to test-artifacts/a11y/<persona>.txt.
"""

import datetime
import re
import time
from collections import deque
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page

from assessments.models import Assessment, Report
from tests.a11y.axe import (
    Violation,
    axe_into_every_page,
    axe_violations,
    horizontal_overflow,
)
from tests.accounts.specs_organisations import ORGANISATION_VIEWS, organisation_admin
from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, ActionFactory, RiskFactory
from tests.permissions import ViewSpec, expected_status
from tests.test_permissions import VIEWS

pytestmark = [
    pytest.mark.a11y,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "a11y"
Q1_2026 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))

# Answers that are not pages: downloads, CSV exports, JSON.
NOT_PAGES = {
    "relationships:objective_export",
    "relationships:risk_export",
    "relationships:action_export",
    "relationships:document_download",
    "relationships:document_revision_download",
    "assessments:assessment_export",
    "assessments:report_download",
    "assessments:report_status",
    "assurance:relationship_audit_pack_status",
    "assurance:relationship_audit_pack_download",
    "assurance:relationship_audit_pack_workbook",
    "assurance:organisation_audit_pack_status",
    "assurance:organisation_audit_pack_download",
    "assurance:organisation_audit_pack_workbook",
    "assessments:healthz",
    "assessments:healthz_live",
    "assessments:healthz_ready",
    "risk_band_styles",
    "chart_styles",
}
# Pages of one's own account, reached from the top bar; not in the matrix.
ACCOUNT_PAGES = ["account_change_password", "account_email", "mfa_index"]
# Pages before logging in.
ANONYMOUS_PAGES = ["login", "account_reset_password"]

# alice: relationship manager; carol: joint management team member; dave: the
# partner's auditor (reads only); olive: the lead organisation's admin, for the
# organisation pages none of the others may open; anonymous: the way in.
PERSONAS = ["alice", "carol", "dave", "olive", "anonymous"]

type Pages = list[tuple[str, int]]  # (URL, the status it answers)


def _built_url(spec: ViewSpec, world: Any) -> str:
    """The spec's URL. The matrix builds one per test, so the assessment and
    report specs each make "the" one of the first quarter of 2026: the one made
    before is moved to a free earlier year to make room."""
    try:
        with transaction.atomic():
            return spec.url(world)
    except IntegrityError:
        for model in (Assessment, Report):
            rows = model.objects.filter(relationship=world.relationship)
            earliest = min(rows.values_list("period_start", flat=True), default=None)
            if earliest is not None:
                rows.filter(period_start=Q1_2026[0]).update(
                    period_start=Q1_2026[0].replace(year=earliest.year - 1),
                    period_end=Q1_2026[1].replace(year=earliest.year - 1),
                )
        return spec.url(world)


def _matrix_pages(world: Any, persona: str) -> Pages:
    """The matrix's pages that the persona reads, and one it is refused (the
    403 page). Only those URLs are built: building one creates the record it
    shows, and some may be built once per test only."""
    readable = [
        (_built_url(spec, world), 200)
        for spec in VIEWS
        if spec.url_name not in NOT_PAGES and expected_status(spec, persona) == 200
    ]
    refused = next(
        (spec for spec in VIEWS if expected_status(spec, persona) == 403), None
    )
    return readable + ([(_built_url(refused, world), 403)] if refused else [])


def _external_grant_link(world: Any) -> str:
    """The page an external auditor's invitation link opens."""
    from accounts.tokens import invitation_token_new
    from tests.accounts.factories_external import external_grant

    token, digest = invitation_token_new()
    grant = external_grant(
        user=None,
        organisation=world.lead.organisation,
        relationships=[world.relationship],
        granted_by=world.alice,
    )
    grant.token_digest = digest
    grant.save(update_fields=["token_digest"])
    return reverse("accounts:external_grant_accept", args=[token])


def _pages_for(persona: str, world: Any) -> Pages:
    if persona == "anonymous":
        pages = [(reverse(name), 200) for name in ANONYMOUS_PAGES]
        pages += _matrix_pages(world, persona)
        pages.append(("/no-such-page/", 404))
        pages.append((_external_grant_link(world), 200))
    elif persona == "olive":
        world.olive = organisation_admin(world)
        pages = [
            (reverse(spec.url_name, kwargs=spec.kwargs(world)), 200)
            for spec in ORGANISATION_VIEWS
            if not spec.post_only
        ]
        pages += [
            (reverse(name, kwargs={"slug": world.lead.organisation.slug}), 200)
            for name in ("accounts:organisation_security", "accounts:organisation_sso")
        ]
    else:
        pages = _matrix_pages(world, persona)
        pages += [(reverse(name), 200) for name in ACCOUNT_PAGES]
    return list(dict.fromkeys(pages))


def _richer_world(world: Any) -> None:
    """A few more rows, so that lists show their controls (Mark done, bands)."""
    ActionFactory(relationship=world.relationship, title="Book the room")
    RiskFactory(relationship=world.relationship, title="Supplier failure")


def _context(
    browser: Browser,
    live_server_url: str,
    persona: str,
    width: int = 1280,
    password: str = TEST_PASSWORD,
) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    axe_into_every_page(context)
    if persona != "anonymous":
        page = context.new_page()
        log_in(page, live_server_url, persona, password)
        page.close()
    return context


def _check_pages(
    context: BrowserContext, live_server_url: str, pages: Pages, label: str
) -> list[Violation]:
    page = context.new_page()
    violations = []
    for url, status in pages:
        response = page.goto(live_server_url + url)
        assert response is not None and response.status == status, (url, status)
        assert response.headers.get("content-type", "").startswith("text/html"), (
            f"{url} is not a page: add its URL name to NOT_PAGES"
        )
        violations += axe_violations(page, f"{label} {url}")
    page.close()
    return violations


def _write_artifact(name: str, pages: Pages, elapsed: float, findings: list) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.txt").write_text(
        f"{len(pages)} pages in {elapsed:.1f} s, {len(findings)} violations\n"
        + "".join(f"{status} {url}\n" for url, status in pages)
        + "".join(f"{finding}\n" for finding in findings)
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_meets_wcag_22_aa(
    a11y_browser: Browser, live_server, world, persona: str
) -> None:
    started = time.monotonic()
    _richer_world(world)
    pages = _pages_for(persona, world)
    context = _context(a11y_browser, live_server.url, persona)
    try:
        violations = _check_pages(context, live_server.url, pages, persona)
    finally:
        context.close()
    _write_artifact(persona, pages, time.monotonic() - started, violations)
    assert len(pages) >= (4 if persona in ("anonymous", "olive") else 30)
    assert not violations, (
        f"{len(violations)} WCAG 2.2 AA violations on {len(pages)} pages as "
        f"{persona}:\n" + "\n".join(str(violation) for violation in violations)
    )


# --- The demo data: fuller pages than the matrix's world ---------------------

# The demo's lead relationship manager, who reaches the most pages; the matrix
# above covers the other roles (a crawl as each cost 30 s more, past the
# check's budget of 3 minutes).
DEMO_PERSONAS = ["leo.brightline"]
DEMO_PASSWORD = "partnerplan-demo"
# Links not followed: leaving, downloads, and list variants (sorting, paging).
NOT_FOLLOWED = re.compile(r"/logout/|export|download|/status/|healthz|\?")
MAX_DEMO_PAGES = 150


def _page_shape(url: str) -> str:
    """Pages that differ only in a record's number or a plan section are one
    page to check."""
    return re.sub(r"/sections/[a-z_]+/", "/sections/*/", re.sub(r"\d+", "#", url))


def _demo_pages(page: Page, live_server_url: str) -> Iterator[str]:
    """The site's pages reachable by links from the start pages, one per shape."""
    queue, shapes = deque(["/dashboard/", "/relationships/"]), set()
    while queue and len(shapes) < MAX_DEMO_PAGES:
        url = queue.popleft()
        if _page_shape(url) in shapes:
            continue
        shapes.add(_page_shape(url))
        response = page.goto(live_server_url + url)
        assert response is not None and response.status == 200, url
        yield url
        links = page.eval_on_selector_all(
            "a[href^='/']", "links => links.map((link) => link.getAttribute('href'))"
        )
        queue.extend(
            link.split("#")[0] for link in links if not NOT_FOLLOWED.search(link)
        )


@pytest.mark.parametrize("username", DEMO_PERSONAS)
def test_demo_data_pages_meet_wcag_22_aa(
    a11y_browser: Browser, live_server, settings, username: str
) -> None:
    started = time.monotonic()
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo", stdout=StringIO())
    context = _context(a11y_browser, live_server.url, username, password=DEMO_PASSWORD)
    pages, violations = [], []
    try:
        page = context.new_page()
        for url in _demo_pages(page, live_server.url):
            pages.append((url, 200))
            violations += axe_violations(page, f"{username} {url}")
    finally:
        context.close()
    _write_artifact(f"demo-{username}", pages, time.monotonic() - started, violations)
    assert len(pages) >= 20
    assert not violations, (
        f"{len(violations)} WCAG 2.2 AA violations on {len(pages)} demo pages as "
        f"{username}:\n" + "\n".join(str(violation) for violation in violations)
    )


# --- Reflow (WCAG 1.4.10): 320 CSS pixels wide, no sideways page scrolling ----

REFLOW_PAGES = [
    ("relationships:relationship_lifecycle", True),
    ("assessments:portfolio_dashboard", False),
    ("principles:catalogue", False),
    ("principles:set_detail", False),
    ("relationships:list", False),
    ("relationships:detail", True),
    ("relationships:action_list", False),
    ("relationships:risk_list", False),
    ("relationships:relationship_risks", True),
    ("assessments:relationship_dashboard", True),
    ("assessments:assessment_list", True),
    ("assurance:relationship_findings", True),
    ("assurance:relationship_audit_packs", True),
]


# Elements that scroll sideways but that a keyboard cannot reach or a screen
# reader cannot name.
UNREACHABLE_SCROLLERS = """() => [...document.querySelectorAll('main *')]
    .filter((element) => element.scrollWidth > element.clientWidth + 1
        && ['auto', 'scroll'].includes(getComputedStyle(element).overflowX))
    .filter((element) => element.getAttribute('tabindex') !== '0'
        || element.getAttribute('role') !== 'region'
        || !element.getAttribute('aria-label'))
    .map((element) => element.tagName.toLowerCase() + '.' + element.className)"""


def _reflow_url(url_name: str, of_relationship: bool, world: Any) -> str:
    if url_name == "principles:set_detail":
        return reverse(url_name, kwargs={"key": "ubc"})
    kwargs = {"reference": world.relationship.reference} if of_relationship else {}
    return reverse(url_name, kwargs=kwargs)


def test_pages_reflow_at_320_px_without_sideways_scrolling(
    a11y_browser: Browser, live_server, world
) -> None:
    started = time.monotonic()
    _richer_world(world)
    pages = [
        (_reflow_url(url_name, of_relationship, world), 200)
        for url_name, of_relationship in REFLOW_PAGES
    ]
    context = _context(a11y_browser, live_server.url, "alice", width=320)
    overflowing = []
    try:
        page = context.new_page()
        for url, _status in pages:
            page.goto(live_server.url + url)
            overflow = horizontal_overflow(page)
            if overflow > 0:
                overflowing.append(f"{url}: {overflow} px wider than 320 px")
            unlabelled = page.evaluate(UNREACHABLE_SCROLLERS)
            if unlabelled:
                overflowing.append(
                    f"{url}: scrolls but is no labelled region: {unlabelled}"
                )
        violations = _check_pages(context, live_server.url, pages, "alice@320px")
    finally:
        context.close()
    _write_artifact(
        "reflow-320px", pages, time.monotonic() - started, overflowing + violations
    )
    assert not overflowing, "\n".join(overflowing)
    assert not violations, "\n".join(str(violation) for violation in violations)
