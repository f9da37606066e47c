"""Bind each plan decision to the content it was given on.

Adds PlanDecision.content_sha256 and PlanVersion.approved_depth, and makes the
one-decision-per-partner-and-round constraint per content as well, so a partner
can sign again when the content changes after a sign-off.

Existing rows: decisions made before fingerprints existed get the fingerprint of
their version's content as it is now (what was really shown at the time is not
known), so they keep counting; approved and superseded versions get the plan's
current depth as the depth they were approved at, for the same reason.
"""

from django.conf import settings
from django.db import migrations, models

from relationships.selectors.plans import plan_content_fingerprint

FROZEN = ("approved", "superseded")


def fingerprint_existing_decisions(apps, schema_editor) -> None:
    PlanVersion = apps.get_model("relationships", "PlanVersion")
    PlanDecision = apps.get_model("relationships", "PlanDecision")
    PlanSection = apps.get_model("relationships", "PlanSection")
    for plan_version in PlanVersion.objects.filter(status__in=FROZEN).select_related(
        "plan"
    ):
        plan_version.approved_depth = plan_version.plan.depth
        plan_version.save(update_fields=["approved_depth"])
    for plan_version in PlanVersion.objects.filter(
        pk__in=PlanDecision.objects.values("plan_version_id")
    ).select_related("plan"):
        fingerprint = plan_content_fingerprint(
            number=plan_version.number,
            depth=plan_version.approved_depth or plan_version.plan.depth,
            sections=PlanSection.objects.filter(plan_version=plan_version).values_list(
                "principle_key", "content"
            ),
        )
        PlanDecision.objects.filter(plan_version=plan_version).update(
            content_sha256=fingerprint
        )


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0004_partner_private_records'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='plandecision',
            name='plan_decision_one_per_partner_and_round',
        ),
        migrations.AddField(
            model_name='historicalplanversion',
            name='approved_depth',
            field=models.CharField(blank=True, choices=[('essentials', 'Essentials'), ('full', 'Full')], help_text="The plan's depth when this version was approved: part of what was signed, kept with the version once the plan's depth changes.", max_length=12),
        ),
        migrations.AddField(
            model_name='plandecision',
            name='content_sha256',
            field=models.CharField(default='', help_text='SHA-256 of exactly the content decided on (version number, plan depth, every section); the decision counts only while the content still has it.', max_length=64, verbose_name='content fingerprint'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='planversion',
            name='approved_depth',
            field=models.CharField(blank=True, choices=[('essentials', 'Essentials'), ('full', 'Full')], help_text="The plan's depth when this version was approved: part of what was signed, kept with the version once the plan's depth changes.", max_length=12),
        ),
        migrations.RunPython(
            fingerprint_existing_decisions, migrations.RunPython.noop, elidable=True
        ),
        migrations.AddConstraint(
            model_name='plandecision',
            constraint=models.UniqueConstraint(fields=('plan_version', 'partnership', 'submission_round', 'content_sha256'), name='plan_decision_one_per_partner_round_and_content', violation_error_message='This partner has already decided on this content in this round.'),
        ),
    ]
