"""The History page across every kind of record: labels, scope, filter, visibility
hook and a query count that does not grow with the history."""

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.choices import AssessmentKind
from assessments.models import Assessment, AssessmentSchedule, Report
from assessments.selectors.assessments import AssessmentPeriod
from assessments.selectors.confirmations import assessment_fingerprint
from assessments.services import assessments as assessment_services
from assessments.services import schedules as schedule_services
from assessments.services.assessments import RatingInput
from assessments.services.confirmations import assessment_confirm
from assurance.selectors.findings import FindingScope
from assurance.services import findings as finding_services
from assurance.services import reviews as review_services
from relationships.choices import Visibility
from relationships.models import JointManagementTeamMember, Objective, Relationship
from relationships.selectors.history import (
    HISTORY_SOURCES,
    relationship_history_entries,
    relationship_history_rows,
)
from relationships.services import lifecycle as lifecycle_services
from relationships.services import registers as register_services
from relationships.services import relationships as relationship_services
from relationships.services.partners import partner_invitation_create
from tests.assessments.factories_assessments import make_assessment, principles_of
from tests.assessments.factories_reports import finished_period
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)
from tests.relationships.factories_lifecycle import (
    evidence_revision,
    first_artefact,
    stage,
)
from tests.relationships.factories_plans import approve_by_all

pytestmark = pytest.mark.django_db


def _history_url(world: Any) -> str:
    return reverse(
        "relationships:relationship_history", args=[world.relationship.reference]
    )


def _every_kind_of_change(world: Any, round_number: int = 1) -> None:
    """Changes of every tracked kind, made through the services as people would."""
    relationship = world.relationship
    relationship_services.relationship_update(
        relationship=relationship,
        changes={"description": f"Round {round_number}"},
        expected_revision=Relationship.objects.get(pk=relationship.pk).revision,
        user=world.bob,
    )
    document = lifecycle_services.document_upload(
        relationship=relationship,
        user=world.bob,
        file=SimpleUploadedFile("minutes.txt", b"Minutes."),
        title=f"Minutes {round_number}",
    )
    lifecycle_services.stage_move(
        relationship=relationship,
        to_stage=stage(2 + round_number % 2),
        reason="Next step.",
        user=world.alice,
    )
    lifecycle_services.artefact_evidence_record(
        relationship=relationship,
        artefact=first_artefact(),
        expected_revision=evidence_revision(
            relationship=relationship, artefact=first_artefact()
        ),
        user=world.alice,
        document=document,
    )
    objective = register_services.objective_create(
        relationship=relationship,
        values={"title": f"Objective {round_number}", "horizon": "short"},
        created_by=world.alice,
    )
    year = 2000 + round_number
    assessment = assessment_services.assessment_start(
        relationship=relationship,
        kind=AssessmentKind.JOINT,
        partnership=None,
        period=AssessmentPeriod(
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 3, 31),
            cadence="quarterly",
        ),
        user=world.alice,
    )
    assessment_services.assessment_ratings_save(
        assessment=assessment,
        ratings=[
            RatingInput(
                principle=principle,
                level=3,
                objectives=[objective],
                documents=[document],
            )
            for principle in principles_of(assessment)[:4]
        ],
        expected_revision=assessment.revision,
        user=world.bob,
    )
    finding = finding_services.finding_raise(
        scope=FindingScope(relationship=relationship),
        values={
            "kind": "minor_nc",
            "title": f"Finding {round_number}",
            "description": "The risk register was not reviewed.",
        },
        raised_by=world.alice,
    )
    finding_services.corrective_action_add(
        finding=finding,
        values={
            "root_cause": "No owner.",
            "action": f"Name an owner {round_number}",
            "owner": world.bob,
            "due_date": datetime.date(2099, 1, 1),
        },
        created_by=world.alice,
    )
    review = review_services.management_review_record(
        organisation=None,
        relationship=relationship,
        is_joint=True,
        values={"held_on": datetime.date(2026, 1, round_number), "decisions": "Go on."},
        user=world.bob,
    )
    review_services.management_review_action_add(
        review=review,
        values={"description": f"Meet again {round_number}"},
        user=world.bob,
    )
    schedule_services.assessment_schedule_save(
        relationship=relationship,
        cadence="quarterly",
        grace_days=10 + round_number,
        active=True,
        expected_revision=AssessmentSchedule.objects.filter(relationship=relationship)
        .values_list("revision", flat=True)
        .first()
        or 0,
        user=world.alice,
    )


@pytest.fixture
def full_history(world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=False):
        report = finished_period(world)  # a plan version and a queued report
        plan_version = report.plan_version
        plan_version.status = "submitted"
        plan_version.submission_round = 1
        plan_version.save()
        approve_by_all(world, plan_version)
        JointManagementTeamMember.objects.create(
            relationship=world.relationship, user=world.carol, partnership=world.lead
        )
        joint = make_assessment(
            world,
            levels=[3] * 12,
            status="submitted",
            period=(datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        )
        assessment_confirm(
            assessment=joint,
            partnership=world.lead,
            user=world.alice,
            seen_sha256=assessment_fingerprint(assessment=joint),
        )
        partner_invitation_create(
            relationship=world.relationship,
            invited_by=world.alice,
            organisation=world.outsider_organisation,
        )
        _every_kind_of_change(world)
    return world


def test_every_kind_of_change_is_on_the_page_with_a_clear_label(
    login: Any, full_history: Any
) -> None:
    world = full_history
    entries = relationship_history_entries(
        rows=relationship_history_rows(relationship=world.relationship)
    )
    kinds = {entry.kind for entry in entries}
    missing = set(HISTORY_SOURCES) - kinds - {"plan_section", "plan"}
    assert missing == set()
    labels = {entry.subject_kind for entry in entries}
    assert {
        "Team seat",
        "Document",
        "Lifecycle evidence",
        "Assessment rating",
        "Stage move",
        "Sign-off",
        "Report request",
        "Assessment schedule",
        "Membership",
        "Partner",
        "Assessment confirmation",
        "Relationship details",
        "Partner invitation",
    } <= labels
    rating = next(e for e in entries if e.kind == "rating")
    assert rating.who == world.bob.get_full_name()
    assert rating.parent == "2001-Q1 joint assessment"
    links = {change.label: change.new for change in rating.changes}
    assert links["Linked objectives"] == "Objective 1"
    assert links["Linked documents"] == "Minutes 1"
    response = login(world.dave).get(_history_url(world))
    assert response.status_code == 200
    # The four ratings bob saved at once read as one entry, a line per principle.
    assert "Assessment rating ×4" in response.content.decode()


def test_bookkeeping_fields_never_show_as_changes(full_history: Any) -> None:
    entries = relationship_history_entries(
        rows=relationship_history_rows(relationship=full_history.relationship)
    )
    labels = {change.label for entry in entries for change in entry.changes}
    assert not labels & {
        "Revision",
        "Updated at",
        "Created at",
        "Recorded at",
        "Uploaded at",
        "Attempts",
        "Started at",
        "Id",
    }


def test_only_this_relationships_records_and_its_partners_memberships_show(
    world: Any,
) -> None:
    stranger = UserFactory(first_name="Sam", last_name="Stranger")
    MembershipFactory(
        user=stranger, organisation=world.outsider_organisation, role="auditor"
    )
    lifecycle_services.document_upload(
        relationship=world.outsider_relationship,
        user=world.eve,
        file=SimpleUploadedFile("secret.txt", b"Secret."),
        title="Outsider secret",
    )
    entries = relationship_history_entries(
        rows=relationship_history_rows(relationship=world.relationship)
    )
    subjects = " ".join(entry.subject for entry in entries)
    assert "Outsider secret" not in subjects
    assert "Sam Stranger" not in subjects
    assert f"{world.bob.get_full_name()} at Partner Org" in subjects


def test_filter_by_kind_keeps_the_kind_across_pages(login: Any, world: Any) -> None:
    for number in range(30):
        register_services.objective_create(
            relationship=world.relationship,
            values={"title": f"Objective {number}", "horizon": "short"},
            created_by=world.alice,
        )
    client = login(world.alice)
    response = client.get(_history_url(world), {"kind": "objective"})
    assert response.context["page_obj"].paginator.count == 30
    assert {entry.kind for entry in response.context["entries"]} == {"objective"}
    assert b"kind=objective&amp;page=2" in response.content
    everything = client.get(_history_url(world), {"kind": "no-such-kind"})
    assert everything.context["page_obj"].paginator.count > 30


def test_visible_ids_hide_the_history_of_records_a_person_may_not_see(
    world: Any,
) -> None:
    shown = register_services.objective_create(
        relationship=world.relationship,
        values={"title": "Joint objective", "horizon": "short"},
        created_by=world.alice,
    )
    register_services.objective_create(
        relationship=world.relationship,
        values={"title": "Private objective", "horizon": "short"},
        created_by=world.bob,
    )
    rows = relationship_history_rows(
        relationship=world.relationship,
        visible_ids={Objective: Objective.objects.filter(pk=shown.pk).values("pk")},
    )
    subjects = [entry.subject for entry in relationship_history_entries(rows=rows)]
    assert "Joint objective" in subjects
    assert "Private objective" not in subjects


def test_entries_take_the_same_queries_however_long_the_history(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        for round_number in (1, 2):
            _every_kind_of_change(world, round_number=round_number)
        rows = list(relationship_history_rows(relationship=world.relationship))
        with CaptureQueriesContext(connection) as short:
            relationship_history_entries(rows=rows)
        for round_number in range(3, 7):
            _every_kind_of_change(world, round_number=round_number)
        rows = list(relationship_history_rows(relationship=world.relationship))
        with CaptureQueriesContext(connection) as long:
            entries = relationship_history_entries(rows=rows)
    assert len(entries) > 6 * 12
    assert len(long) == len(short)
    # Per kind on the page (13 here) the records and their predecessors, the
    # rating links (3), and one lookup per kind of object named (10).
    assert len(short) <= 2 * len(HISTORY_SOURCES) + 3 + 12


def test_history_page_query_count_is_pinned(
    login: Any, full_history: Any, django_assert_num_queries: Any
) -> None:
    # Each round writes 17 records of 14 kinds: a page of 25 always shows the
    # last round and part of the one before, however many rounds came before.
    for round_number in (2, 3):
        _every_kind_of_change(full_history, round_number=round_number)
    client = login(full_history.alice)
    client.get(_history_url(full_history))  # warm the session
    with CaptureQueriesContext(connection) as first:
        client.get(_history_url(full_history))
    for round_number in (4, 5, 6):
        _every_kind_of_change(full_history, round_number=round_number)
    with django_assert_num_queries(len(first)):
        response = client.get(_history_url(full_history))
    assert len(response.context["entries"]) == 25
    assert Assessment.objects.count() > 3 and Report.objects.count() == 1
    # The session, the user, the user's organisations and grants (read once for
    # the private-record rule), the relationship, its plan, the count and the
    # page (7); for each of the 13 kinds on the page its records, and their
    # predecessors where the page has any; the rating links (4, document
    # revisions included); one lookup each for the documents, document
    # revisions, objectives, stages, users, principles, assessments, artefacts,
    # findings and reviews named (10). 38 in all, the same for any length of
    # history (the test above).
    assert len(first) == 38


def test_a_second_supplier_never_sees_the_history_of_anothers_private_records(
    login: Any, world: Any
) -> None:
    frank_organisation = OrganisationFactory(name="Second Supplier", slug="second")
    frank = UserFactory(username="frank")
    MembershipFactory(
        user=frank, organisation=frank_organisation, role="relationship_manager"
    )
    PartnershipFactory(
        relationship=world.relationship,
        organisation=frank_organisation,
        relationship_manager=frank,
    )
    secret = register_services.risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "Cash-flow squeeze",
            "likelihood": 4,
            "impact": 5,
        },
        created_by=world.bob,
    )
    assert secret.visibility == Visibility.PARTNER
    register_services.risk_update(
        risk=secret,
        changes={"title": "Cash-flow squeeze, worse"},
        expected_revision=secret.revision,
        updated_by=world.bob,
    )
    self_assessment = make_assessment(
        world, partnership=world.partner, visibility=Visibility.PARTNER
    )
    assessment_services.assessment_ratings_save(
        assessment=self_assessment,
        ratings=[RatingInput(principle=principles_of(self_assessment)[0], level=2)],
        expected_revision=self_assessment.revision,
        user=world.bob,
    )
    lifecycle_services.artefact_evidence_record(
        relationship=world.relationship,
        artefact=first_artefact(),
        expected_revision=evidence_revision(
            relationship=world.relationship, artefact=first_artefact()
        ),
        user=world.alice,
        risk=secret,
    )
    gone = register_services.risk_create(
        relationship=world.relationship,
        values={
            "owner_partnership": world.partner,
            "title": "Deleted secret",
            "likelihood": 1,
            "impact": 1,
        },
        created_by=world.bob,
    )
    gone.delete()

    def page(user: Any) -> tuple[str, set[str]]:
        response = login(user).get(_history_url(world))
        assert response.status_code == 200
        kinds = {entry.kind for entry in response.context["entries"]}
        return response.content.decode(), kinds

    franks, frank_kinds = page(frank)
    assert "Cash-flow squeeze" not in franks and "Deleted secret" not in franks
    assert "rating" not in frank_kinds and "risk" not in frank_kinds
    assert "a deleted or private record" in franks  # the evidence's risk link
    bobs, bob_kinds = page(world.bob)
    assert "Cash-flow squeeze, worse" in bobs and "rating" in bob_kinds
    alices, _kinds = page(world.alice)
    assert "Cash-flow squeeze" in alices  # the lead it is shared with


def test_an_organisations_own_review_stays_off_the_relationships_history(
    login: Any, world: Any
) -> None:
    own = review_services.management_review_record(
        organisation=world.lead.organisation,
        relationship=world.relationship,
        is_joint=False,
        values={"held_on": datetime.date(2026, 5, 4), "decisions": "Lead's own view."},
        user=world.alice,
    )
    review_services.management_review_action_add(
        review=own, values={"description": "Lead-only follow-up"}, user=world.alice
    )
    joint = review_services.management_review_record(
        organisation=None,
        relationship=world.relationship,
        is_joint=True,
        values={"held_on": datetime.date(2026, 5, 5), "decisions": "Joint view."},
        user=world.bob,
    )
    entries = relationship_history_entries(
        rows=relationship_history_rows(relationship=world.relationship)
    )
    subjects = {(entry.kind, entry.subject) for entry in entries}
    assert ("review", "Review held 5 May 2026") in subjects
    assert ("review", "Review held 4 May 2026") not in subjects
    assert not any(entry.subject == "Lead-only follow-up" for entry in entries)
    # On the page, the partner reads the joint review and nothing of the lead's.
    content = login(world.bob).get(_history_url(world)).content.decode()
    assert "Joint view." in content
    assert "Lead&#x27;s own view." not in content and "Lead-only" not in content
    assert joint.history.count() == 1
