from django.apps import AppConfig


class RelationshipsConfig(AppConfig):
    name = "relationships"

    def ready(self) -> None:
        from relationships import (
            caching,
            checks,  # noqa: F401  (registers the data checks)
            models,
        )

        # Rows the dashboards and the register lists show (relationships/caching.py).
        caching.watch(
            (models.Organisation, models.Membership),
            receiver=caching.organisation_row_changed,
        )
        caching.watch(
            (
                models.Relationship,
                models.Partnership,
                models.JointManagementTeamMember,
                models.Objective,
                models.Risk,
                models.Action,
                models.PlanVersion,
                models.PlanDecision,
            )
        )
