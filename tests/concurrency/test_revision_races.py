"""Two writers save the same record from the same revision at the same moment.

On the real PostgreSQL server, released together by a barrier, 50 times per kind
of record: in every trial exactly one save succeeds, the other is refused with
StaleEdit, and the stored value is the winner's. No silent overwrite.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models, transaction
from django.forms import modelform_factory

from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
from assessments.services.assessments import RatingInput, assessment_ratings_save
from assessments.services.schedules import assessment_schedule_save
from principles.models import Principle
from relationships.choices import ActionStatus
from relationships.concurrency import StaleEdit
from relationships.forms.concurrency import RevisionModelForm
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
from relationships.services.lifecycle import artefact_evidence_skip
from relationships.services.plans import plan_section_update
from relationships.services.registers import (
    action_mark_done,
    action_update,
    objective_revise,
    risk_update,
)
from relationships.services.relationships import relationship_update
from tests.assessments.factories_assessments import make_assessment
from tests.concurrency.race import race
from tests.conftest import World
from tests.factories import ActionFactory, ObjectiveFactory, RiskFactory
from tests.relationships.factories_lifecycle import (
    RelationshipDocumentFactory,
    first_artefact,
)
from tests.relationships.factories_plans import start_plan

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TRIALS = 50


@dataclass
class Tally:
    """What the trials of one kind of record came to."""

    trials: int = 0
    one_winner: int = 0
    silent_overwrites: int = 0
    wrong_value_stored: int = 0


def run_trials(
    *,
    revision: Callable[[], int],
    writer: Callable[[str, int], Callable[[], Any]],
    stored: Callable[[], Any],
    value: Callable[[int, int], Any] = lambda trial, side: f"trial {trial}: {side}",
) -> Tally:
    """Race two writers from the record's current revision, TRIALS times."""
    tally = Tally()
    for trial in range(TRIALS):
        opened = revision()
        values = (value(trial, 0), value(trial, 1))
        outcome = race(writer(values[0], opened), writer(values[1], opened))
        tally.trials += 1
        unexpected = [
            error
            for error in outcome.errors
            if error is not None and not isinstance(error, StaleEdit)
        ]
        assert not unexpected, unexpected
        if outcome.succeeded == 2:
            tally.silent_overwrites += 1
        if outcome.succeeded == 1:
            tally.one_winner += 1
            winner = values[outcome.errors.index(None)]
            if stored() != winner:
                tally.wrong_value_stored += 1
    print(f"{tally}")  # the figures for the closing note (pytest -s)
    return tally


def assert_no_lost_edit(tally: Tally) -> None:
    assert tally == Tally(trials=TRIALS, one_winner=TRIALS)


def _revision_of(model: type[models.Model], pk: int) -> Callable[[], int]:
    return lambda: model.objects.values_list("revision", flat=True).get(pk=pk)


def test_plan_section_saves_never_overwrite_each_other(world: World) -> None:
    section = start_plan(world).versions.get().sections.first()
    users = itertools.cycle([world.alice, world.bob])

    def writer(text: str, opened: int) -> Callable[[], None]:
        user = next(users)
        return lambda: plan_section_update(
            section=PlanSection.objects.get(pk=section.pk),
            content={"summary": text},
            expected_revision=opened,
            user=user,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(PlanSection, section.pk),
            writer=writer,
            stored=lambda: PlanSection.objects.get(pk=section.pk).content["summary"],
        )
    )


def test_objective_revisions_never_overwrite_each_other(world: World) -> None:
    objective = ObjectiveFactory(relationship=world.relationship)

    def writer(title: str, opened: int) -> Callable[[], None]:
        return lambda: objective_revise(
            objective=Objective.objects.get(pk=objective.pk),
            changes={"title": title},
            reason="Agreed at the board",
            expected_revision=opened,
            revised_by=world.alice,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(Objective, objective.pk),
            writer=writer,
            stored=lambda: Objective.objects.get(pk=objective.pk).title,
        )
    )


def test_risk_saves_never_overwrite_each_other(world: World) -> None:
    risk = RiskFactory(relationship=world.relationship)

    def writer(mitigation: str, opened: int) -> Callable[[], None]:
        return lambda: risk_update(
            risk=Risk.objects.get(pk=risk.pk),
            changes={"mitigation": mitigation},
            expected_revision=opened,
            updated_by=world.bob,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(Risk, risk.pk),
            writer=writer,
            stored=lambda: Risk.objects.get(pk=risk.pk).mitigation,
        )
    )


def test_action_saves_never_overwrite_each_other(world: World) -> None:
    action = ActionFactory(relationship=world.relationship)

    def writer(title: str, opened: int) -> Callable[[], None]:
        return lambda: action_update(
            action=Action.objects.get(pk=action.pk),
            changes={"title": title},
            expected_revision=opened,
            updated_by=world.alice,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(Action, action.pk),
            writer=writer,
            stored=lambda: Action.objects.get(pk=action.pk).title,
        )
    )


def test_mark_done_and_a_concurrent_cancel_never_both_win(world: World) -> None:
    """Each trial on a fresh open action: one person marks it done while another
    cancels it. Exactly one wins; the loser's change is not applied on top."""
    tally = Tally()
    for _trial in range(TRIALS):
        action = ActionFactory(relationship=world.relationship)

        def mark_done(pk: int = action.pk) -> str:
            action_mark_done(
                action=Action.objects.get(pk=pk), expected_revision=1, done_by=None
            )
            return ActionStatus.DONE

        def cancel(pk: int = action.pk) -> str:
            action_update(
                action=Action.objects.get(pk=pk),
                changes={"status": ActionStatus.CANCELLED},
                expected_revision=1,
            )
            return ActionStatus.CANCELLED

        outcome = race(mark_done, cancel)
        assert all(
            error is None or isinstance(error, StaleEdit) for error in outcome.errors
        ), outcome.errors
        tally.trials += 1
        if outcome.succeeded == 2:
            tally.silent_overwrites += 1
        elif outcome.succeeded == 1:
            tally.one_winner += 1
            winner = outcome.results[outcome.errors.index(None)]
            stored = Action.objects.get(pk=action.pk)
            done_stamped = stored.completed_at is not None
            if (stored.status, done_stamped) != (winner, winner == ActionStatus.DONE):
                tally.wrong_value_stored += 1
    print(f"{tally}")
    assert_no_lost_edit(tally)


def test_relationship_detail_saves_never_overwrite_each_other(world: World) -> None:
    relationship = world.relationship

    def writer(description: str, opened: int) -> Callable[[], None]:
        return lambda: relationship_update(
            relationship=Relationship.objects.get(pk=relationship.pk),
            changes={"description": description},
            expected_revision=opened,
            user=world.bob,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(Relationship, relationship.pk),
            writer=writer,
            stored=lambda: Relationship.objects.get(pk=relationship.pk).description,
        )
    )


def test_evidence_records_never_overwrite_each_other(world: World) -> None:
    """The first trial races two first saves (no record yet, revision 0)."""
    artefact = first_artefact()

    def current_revision() -> int:
        evidence = ArtefactEvidence.objects.filter(artefact=artefact).first()
        return evidence.revision if evidence else 0

    def writer(reason: str, opened: int) -> Callable[[], None]:
        return lambda: artefact_evidence_skip(
            relationship=Relationship.objects.get(pk=world.relationship.pk),
            artefact=artefact,
            user=world.alice,
            reason=reason,
            expected_revision=opened,
        )

    assert_no_lost_edit(
        run_trials(
            revision=current_revision,
            writer=writer,
            stored=lambda: ArtefactEvidence.objects.get(artefact=artefact).note,
        )
    )
    assert ArtefactEvidence.objects.count() == 1


def test_ratings_saves_never_overwrite_each_other(world: World) -> None:
    assessment = make_assessment(world, levels=[3] * 12)
    principle = Principle.objects.get(
        principle_set__key=world.relationship.principle_set_key, number=12
    )

    def writer(evidence: str, opened: int) -> Callable[[], None]:
        return lambda: assessment_ratings_save(
            assessment=Assessment.objects.select_related("relationship").get(
                pk=assessment.pk
            ),
            ratings=[RatingInput(principle=principle, level=3, evidence=evidence)],
            expected_revision=opened,
            user=world.bob,
        )

    assert_no_lost_edit(
        run_trials(
            revision=_revision_of(Assessment, assessment.pk),
            writer=writer,
            stored=lambda: (
                PrincipleRating.objects.get(
                    assessment=assessment, principle=principle
                ).evidence
            ),
        )
    )


def test_schedule_saves_never_overwrite_each_other(world: World) -> None:
    """The first trial races two first saves (no schedule yet, revision 0)."""

    def current_revision() -> int:
        schedule = AssessmentSchedule.objects.filter(
            relationship=world.relationship
        ).first()
        return schedule.revision if schedule else 0

    def writer(grace_days: int, opened: int) -> Callable[[], None]:
        return lambda: assessment_schedule_save(
            relationship=Relationship.objects.get(pk=world.relationship.pk),
            cadence="quarterly",
            grace_days=grace_days,
            active=True,
            expected_revision=opened,
            user=world.bob,
        )

    assert_no_lost_edit(
        run_trials(
            revision=current_revision,
            writer=writer,
            stored=lambda: (
                AssessmentSchedule.objects.get(
                    relationship=world.relationship
                ).grace_days
            ),
            value=lambda trial, side: 2 * trial + side + 1,
        )
    )
    assert AssessmentSchedule.objects.count() == 1


def _admin_form_trials(
    model: type[models.Model], pk: int, field: str, fields: list[str]
) -> Tally:
    """What the admin does with its form: validate, then save in one transaction."""
    form_class = modelform_factory(
        model, form=RevisionModelForm, fields=[*fields, "revision"]
    )

    def writer(text: str, opened: int) -> Callable[[], None]:
        def save() -> None:
            instance = model.objects.get(pk=pk)
            data = {name: getattr(instance, name) for name in fields}
            data = {
                name: value.pk if isinstance(value, models.Model) else value
                for name, value in data.items()
            }
            data.update({field: text, "revision": opened})
            with transaction.atomic():
                form = form_class(data, instance=instance)
                # Refused when checked (the other save was already committed),
                # or when claimed (both passed the check at the same moment).
                if not form.is_valid():
                    assert form.stale_refusal is not None, form.errors
                    raise form.stale_refusal
                form.save()

        return save

    return run_trials(
        revision=_revision_of(model, pk),
        writer=writer,
        stored=lambda: getattr(model.objects.get(pk=pk), field),
    )


def test_team_seat_admin_saves_never_overwrite_each_other(world: World) -> None:
    seat = JointManagementTeamMember.objects.create(
        relationship=world.relationship, user=world.carol, partnership=world.lead
    )
    assert_no_lost_edit(
        _admin_form_trials(
            JointManagementTeamMember,
            seat.pk,
            "role_title",
            ["relationship", "user", "partnership", "role_title"],
        )
    )


def test_partner_admin_saves_never_overwrite_each_other(world: World) -> None:
    assert_no_lost_edit(
        _admin_form_trials(
            Partnership,
            world.partner.pk,
            "exit_reason",
            ["relationship", "organisation", "role", "exit_reason"],
        )
    )


def test_document_detail_saves_never_overwrite_each_other(world: World) -> None:
    document = RelationshipDocumentFactory(relationship=world.relationship)
    assert_no_lost_edit(
        _admin_form_trials(
            RelationshipDocument, document.pk, "description", ["title", "description"]
        )
    )
