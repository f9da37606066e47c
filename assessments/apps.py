from django.apps import AppConfig
from django.db.models.signals import post_delete


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Connected here, not when a view module is first imported, so that saves
        # in a Celery worker (schedules open assessments) refresh the dashboards too.
        from assessments import receivers
        from assessments.models import Assessment, AssessmentSchedule, PrincipleRating
        from assessments.selectors.dashboards import dashboard_catalogue_invalidate
        from principles.models import LifecycleStage, MaturityLevel, Principle
        from relationships import caching
        from relationships.models import (
            Action,
            Objective,
            Partnership,
            PlanDecision,
            PlanVersion,
            Relationship,
            Risk,
        )

        caching.watch((Assessment, PrincipleRating, AssessmentSchedule))
        caching.watch(
            (
                Relationship,
                Partnership,
                Objective,
                Risk,
                Action,
                Assessment,
                PrincipleRating,
                AssessmentSchedule,
                PlanVersion,
                PlanDecision,
            ),
            receiver=receivers.summary_row_changed,
        )
        post_delete.connect(
            receivers.partnership_deleted,
            sender=Partnership,
            dispatch_uid="assessments.partnership_deleted",
        )
        caching.watch(
            (MaturityLevel, LifecycleStage, Principle),
            receiver=dashboard_catalogue_invalidate,
        )
