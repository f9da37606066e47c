"""Record who submitted a plan version, to tell them when a partner rejects it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('relationships', '0005_plan_decision_fingerprint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalplanversion',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='Who last submitted it for sign-off: told if a partner rejects it.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='planversion',
            name='submitted_by',
            field=models.ForeignKey(blank=True, help_text='Who last submitted it for sign-off: told if a partner rejects it.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
