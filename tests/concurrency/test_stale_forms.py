"""Every form that edits shared data refuses a save based on a stale copy.

For each kind of record: two people open the same form; the first saves; the
second's save, from the old copy, is refused (409) with the other change beside
their own input, nothing is overwritten, and their input is still in the form at
the current revision, so saving again deliberately keeps it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model
from django.forms import BaseForm, CheckboxInput
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from relationships.choices import EvidenceStatus
from relationships.models import (
    Action,
    ArtefactEvidence,
    JointManagementTeamMember,
    Objective,
    Partnership,
    PlanSection,
    Relationship,
    RelationshipDocument,
    Risk,
)
from tests.assessments.factories_assessments import edit_post_data, make_assessment
from tests.conftest import TEST_PASSWORD, World
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory, UserFactory
from tests.relationships.factories_lifecycle import (
    ArtefactEvidenceFactory,
    RelationshipDocumentFactory,
)
from tests.relationships.factories_plans import section_post_data, start_plan

pytestmark = pytest.mark.django_db


def _client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=TEST_PASSWORD)
    return client


def form_as_sent(form: BaseForm) -> dict[str, Any]:
    """What a browser sends for a form it was shown, unchanged."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[key] = "on"
            continue
        if isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[key] = value.isoformat()
        else:
            data[key] = "" if value is None else str(value)
    return data


@dataclass
class Kind:
    """How to open, fill and read one kind of record's edit form."""

    name: str
    noun: str
    make: Callable[[World], Model]
    url: Callable[[World, Model], str]
    opened: Callable[[Client, str, Model], dict[str, Any]]
    field: str  # the POST key the two people both change
    label: str  # the label the comparison shows for it
    stored: Callable[[Model], Any]
    values: tuple[str, str] = ("Alice wrote this", "Bob wrote that")


def _opened_form(extra: dict[str, Any] | None = None):
    def opened(client: Client, url: str, record: Model) -> dict[str, Any]:
        return {**form_as_sent(client.get(url).context["form"]), **(extra or {})}

    return opened


def _register_url(name: str) -> Callable[[World, Model], str]:
    return lambda world, record: reverse(
        f"relationships:{name}_edit",
        kwargs={"reference": world.relationship.reference, "pk": record.pk},
    )


def _make_section(world: World) -> PlanSection:
    return start_plan(world).versions.get().sections.get(principle_key="value_creation")


def _make_evidence(world: World) -> ArtefactEvidence:
    return ArtefactEvidenceFactory(
        relationship=world.relationship,
        status=EvidenceStatus.EVIDENCED,
        plan_section_key="exit_strategy",
        note="See section 12.",
    )


def _make_assessment(world: World) -> Assessment:
    return make_assessment(world, levels=[3] * 12)


def _assessment_opened(client: Client, url: str, record: Model) -> dict[str, Any]:
    assert client.get(url).status_code == 200
    return edit_post_data(record)


KINDS = [
    Kind(
        name="plan section",
        noun="section",
        make=_make_section,
        url=lambda world, section: reverse(
            "relationships:plan_section_edit",
            args=[world.relationship.reference, section.principle_key],
        ),
        opened=lambda client, url, section: section_post_data(
            section, section.plan_version.plan.relationship
        ),
        field="summary",
        label="Summary",
        stored=lambda section: PlanSection.objects.get(pk=section.pk).content[
            "summary"
        ],
    ),
    Kind(
        name="objective",
        noun="objective",
        make=lambda world: ObjectiveFactory(relationship=world.relationship),
        url=_register_url("objective"),
        opened=_opened_form({"reason": "Agreed at the board"}),
        field="title",
        label="Title",
        stored=lambda objective: Objective.objects.get(pk=objective.pk).title,
    ),
    Kind(
        name="risk",
        noun="risk",
        make=lambda world: RiskFactory(relationship=world.relationship),
        url=_register_url("risk"),
        opened=_opened_form(),
        field="mitigation",
        label="Mitigation",
        stored=lambda risk: Risk.objects.get(pk=risk.pk).mitigation,
    ),
    Kind(
        name="action",
        noun="action",
        make=lambda world: ActionFactory(relationship=world.relationship),
        url=_register_url("action"),
        opened=_opened_form(),
        field="title",
        label="Title",
        stored=lambda action: Action.objects.get(pk=action.pk).title,
    ),
    Kind(
        name="relationship details",
        noun="relationship",
        make=lambda world: world.relationship,
        url=lambda world, relationship: reverse(
            "relationships:edit", args=[relationship.reference]
        ),
        opened=_opened_form(),
        field="description",
        label="Description",
        stored=lambda relationship: (
            Relationship.objects.get(pk=relationship.pk).description
        ),
    ),
    Kind(
        name="lifecycle evidence",
        noun="record",
        make=_make_evidence,
        url=lambda world, evidence: reverse(
            "relationships:artefact_evidence_edit",
            args=[world.relationship.reference, evidence.artefact_id],
        ),
        opened=_opened_form(),
        field="note",
        label="Note",
        stored=lambda evidence: ArtefactEvidence.objects.get(pk=evidence.pk).note,
    ),
    Kind(
        name="assessment ratings",
        noun="assessment",
        make=_make_assessment,
        url=lambda world, assessment: reverse(
            "assessments:assessment_edit",
            args=[world.relationship.reference, assessment.pk],
        ),
        opened=_assessment_opened,
        field="exit_strategy-evidence",
        label="12. Exit strategy: evidence",
        stored=lambda assessment: (
            PrincipleRating.objects.get(
                assessment=assessment, principle__key="exit_strategy"
            ).evidence
        ),
    ),
    Kind(
        name="schedule",
        noun="schedule",
        # None yet: both open the default, and the first save creates it.
        make=lambda world: world.relationship,
        url=lambda world, relationship: reverse(
            "assessments:schedule_edit", args=[relationship.reference]
        ),
        opened=_opened_form(),
        field="grace_days",
        label="Days to complete after a period ends",
        stored=lambda relationship: str(
            AssessmentSchedule.objects.get(relationship=relationship).grace_days
        ),
        values=("10", "20"),
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
def test_second_save_from_a_stale_form_is_refused_and_keeps_its_input(
    world: World, kind: Kind
) -> None:
    record = kind.make(world)
    url = kind.url(world, record)
    alice, bob = _client_for(world.alice), _client_for(world.bob)
    alice_data = kind.opened(alice, url, record)
    bob_data = kind.opened(bob, url, record)
    theirs, yours = kind.values

    assert alice.post(url, {**alice_data, kind.field: theirs}).status_code == 302
    response = bob.post(url, {**bob_data, kind.field: yours})

    assert response.status_code == 409
    assert kind.stored(record) == theirs
    notice = response.context["stale"]
    assert notice.noun == kind.noun
    assert not notice.removed
    compared = {field.label: field for field in notice.fields}
    assert (compared[kind.label].theirs, compared[kind.label].yours) == (theirs, yours)
    page = response.content.decode()
    assert f"changed this {kind.noun} while you were editing it" in page
    assert f'value="{yours}"' in page or f"{yours}</textarea>" in page
    carried = _revision_on_page(response)

    # Having seen their change, Bob saves again: his input wins, deliberately.
    again = bob.post(url, {**bob_data, kind.field: yours, "revision": carried})
    assert again.status_code == 302
    assert kind.stored(record) == yours


def _revision_on_page(response: Any) -> str:
    form = response.context.get("revision_form") or response.context["form"]
    return str(form["revision"].value())


def test_the_refusal_names_who_changed_the_record_and_when(world: World) -> None:
    risk = RiskFactory(relationship=world.relationship)
    url = _register_url("risk")(world, risk)
    alice, bob = _client_for(world.alice), _client_for(world.bob)
    bob_data = form_as_sent(bob.get(url).context["form"])
    alice_data = form_as_sent(alice.get(url).context["form"])
    alice.post(url, {**alice_data, "likelihood": "5"})

    response = bob.post(url, {**bob_data, "title": "Bob's title"})

    notice = response.context["stale"]
    assert notice.who == world.alice.get_full_name() or world.alice.username
    assert notice.when is not None
    compared = {field.label: field for field in notice.fields}
    # Only fields that differ: Alice's likelihood and Bob's title.
    assert set(compared) == {"Likelihood", "Title"}
    assert compared["Likelihood"].they_changed
    assert compared["Likelihood"].before == "3 – Possible"
    assert compared["Likelihood"].theirs == "5 – Almost certain"
    assert Risk.objects.get(pk=risk.pk).title == risk.title


def test_mark_done_after_a_change_is_asked_again_and_changes_nothing(
    world: World,
) -> None:
    action = ActionFactory(relationship=world.relationship, title="Book the room")
    url = reverse(
        "relationships:action_done", args=[world.relationship.reference, action.pk]
    )
    opened = {"revision": action.revision}
    edit_url = _register_url("action")(world, action)
    alice = _client_for(world.alice)
    alice_data = form_as_sent(alice.get(edit_url).context["form"])
    alice.post(edit_url, {**alice_data, "status": "cancelled"})

    response = _client_for(world.bob).post(url, opened)

    assert response.status_code == 409
    assert "Mark this action done?" in response.content.decode()
    compared = {field.label: field for field in response.context["stale"].fields}
    assert (compared["Status"].theirs, compared["Status"].yours) == (
        "Cancelled",
        "Done",
    )
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("cancelled", None)


def test_mark_done_of_an_action_someone_just_marked_done_says_so(
    world: World,
) -> None:
    action = ActionFactory(relationship=world.relationship)
    url = reverse(
        "relationships:action_done", args=[world.relationship.reference, action.pk]
    )
    opened = {"revision": action.revision}
    _client_for(world.alice).post(url, opened)
    action.refresh_from_db()
    completed = action.completed_at

    response = _client_for(world.bob).post(url, opened, follow=True)

    assert "was already done" in response.content.decode()
    action.refresh_from_db()
    assert (action.completed_at, action.revision) == (completed, 2)


def test_a_form_without_its_revision_saves_nothing(world: World) -> None:
    risk = RiskFactory(relationship=world.relationship)
    url = _register_url("risk")(world, risk)
    client = _client_for(world.alice)
    data = form_as_sent(client.get(url).context["form"])
    del data["revision"]

    response = client.post(url, {**data, "title": "Changed"})

    assert response.status_code == 200
    assert "lost track of the version" in response.content.decode()
    assert Risk.objects.get(pk=risk.pk).title == risk.title


def test_a_stale_ratings_save_writes_none_of_its_principles(world: World) -> None:
    assessment = _make_assessment(world)
    url = KINDS[6].url(world, assessment)
    alice, bob = _client_for(world.alice), _client_for(world.bob)
    stale = edit_post_data(assessment)
    alice.post(url, edit_post_data(assessment, value_creation__level="4"))

    changes = {
        f"{principle}-level": "1"
        for principle in ("relationship_management", "exit_strategy")
    }
    response = bob.post(url, {**stale, **changes})

    assert response.status_code == 409
    levels = dict(
        PrincipleRating.objects.filter(assessment=assessment).values_list(
            "principle__key", "level"
        )
    )
    assert (
        levels["value_creation"],
        levels["relationship_management"],
        levels["exit_strategy"],
    ) == (4, 3, 3)


def test_evidence_cleared_meanwhile_is_reported_not_recreated(world: World) -> None:
    evidence = _make_evidence(world)
    url = KINDS[5].url(world, evidence)
    client = _client_for(world.bob)
    data = form_as_sent(client.get(url).context["form"])
    ArtefactEvidence.objects.filter(pk=evidence.pk).delete()

    response = client.post(url, {**data, "note": "Bob's note"})

    assert response.status_code == 409
    assert response.context["stale"].removed
    assert not ArtefactEvidence.objects.exists()
    # Saving again from revision 0 records it anew.
    again = client.post(url, {**data, "note": "Bob's note", "revision": "0"})
    assert again.status_code == 302
    assert ArtefactEvidence.objects.get().note == "Bob's note"


def test_clearing_evidence_changed_meanwhile_is_refused(world: World) -> None:
    evidence = _make_evidence(world)
    url = reverse(
        "relationships:artefact_evidence_clear",
        args=[world.relationship.reference, evidence.artefact_id],
    )
    edit_url = KINDS[5].url(world, evidence)
    alice = _client_for(world.alice)
    alice_data = form_as_sent(alice.get(edit_url).context["form"])
    alice.post(edit_url, {**alice_data, "note": "Now with the signed charter."})

    response = _client_for(world.bob).post(url, {"revision": evidence.revision})

    assert response.status_code == 409
    assert ArtefactEvidence.objects.get().note == "Now with the signed charter."


# --- the admin's forms: team seats and partners -----------------------------------


@pytest.fixture
def admins() -> tuple[Client, Client]:
    first, second = (
        UserFactory(username=name, is_staff=True, is_superuser=True)
        for name in ("root", "toor")
    )
    return _client_for(first), _client_for(second)


def _admin_page_as_sent(context: Any) -> dict[str, Any]:
    """An admin change page's form as a browser sends it, with its inlines (a
    document's read-only revisions) and their management forms."""
    data = form_as_sent(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data.update(form_as_sent(inline.formset.management_form))
        for form in inline.formset.forms:
            data.update(form_as_sent(form))
    return data


def _admin_case(
    admins: tuple[Client, Client], url: str, field: str
) -> tuple[Any, dict[str, Any]]:
    first, second = admins
    first_data = _admin_page_as_sent(first.get(url).context)
    second_data = _admin_page_as_sent(second.get(url).context)
    saved = first.post(url, {**first_data, field: "First admin's value"})
    assert saved.status_code == 302
    response = second.post(url, {**second_data, field: "Second admin's value"})
    return response, second_data


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (JointManagementTeamMember, "role_title"),
        (Partnership, "exit_reason"),
        (RelationshipDocument, "description"),
    ],
    ids=["team seat", "partner", "document details"],
)
def test_admin_refuses_a_stale_team_seat_or_partner_form(
    world: World, admins: tuple[Client, Client], model: type[Model], field: str
) -> None:
    if model is JointManagementTeamMember:
        record = JointManagementTeamMember.objects.create(
            relationship=world.relationship, user=world.carol, partnership=world.lead
        )
    elif model is Partnership:
        record = world.partner
    else:
        record = RelationshipDocumentFactory(relationship=world.relationship)
    url = reverse(
        f"admin:relationships_{model._meta.model_name}_change", args=[record.pk]
    )

    response, second_data = _admin_case(admins, url, field)

    assert response.status_code == 200  # the admin shows the form again
    page = response.content.decode()
    assert "someone else changed this record" in page
    assert "theirs “First admin&#x27;s value”" in page
    assert "yours “Second admin&#x27;s value”" in page
    assert getattr(model.objects.get(pk=record.pk), field) == "First admin's value"
    form = response.context["adminform"].form
    assert form[field].value() == "Second admin's value"
    again = admins[1].post(
        url,
        {
            **second_data,
            field: "Second admin's value",
            "revision": form["revision"].value(),
        },
    )
    assert again.status_code == 302
    assert getattr(model.objects.get(pk=record.pk), field) == "Second admin's value"


def test_objective_revision_reason_is_not_compared(world: World) -> None:
    objective = ObjectiveFactory(relationship=world.relationship, kpi_name="Papers")
    url = _register_url("objective")(world, objective)
    alice, bob = _client_for(world.alice), _client_for(world.bob)
    data = {**form_as_sent(bob.get(url).context["form"]), "reason": "Bob's reason"}
    alice_data = form_as_sent(alice.get(url).context["form"])
    alice.post(url, {**alice_data, "kpi_target": "6", "reason": "Funding"})

    response = bob.post(url, {**data, "title": "Bob's title"})

    assert response.status_code == 409
    compared = {field.label: field for field in response.context["stale"].fields}
    assert set(compared) == {"Title", "KPI target"}
    assert (compared["KPI target"].theirs, compared["KPI target"].yours) == ("6", "")
    assert Objective.objects.get(pk=objective.pk).kpi_target == Decimal(6)
