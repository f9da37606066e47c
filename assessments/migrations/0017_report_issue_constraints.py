# The constraints come in a migration of their own: on PostgreSQL a table cannot
# be altered in the transaction that just updated its rows (deferred triggers).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0016_report_issues"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="report",
            constraint=models.UniqueConstraint(
                fields=("relationship", "period_start", "period_end", "issue"),
                name="report_unique_issue_per_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(("issue__gte", 1)), name="report_issue_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("supersedes__isnull", True),
                    models.Q(("reissue_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="report_reissue_has_reason",
                violation_error_message="A re-issue needs a reason.",
            ),
        ),
    ]
