"""The migrations build the database the models describe. The suite's test
databases are built from the models (`--no-migrations`, tests/conftest.py), so
these two tests are what runs the migrations on each database."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from principles.models import LifecycleStage, MaturityLevel, Principle


@pytest.mark.django_db
def test_every_change_to_the_models_has_its_migration(settings) -> None:
    settings.MIGRATION_MODULES = {}  # undo pytest-django's --no-migrations
    output = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output)
    except SystemExit:
        pytest.fail(f"The models changed without a migration:\n{output.getvalue()}")


def _managed_models() -> list:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_migrations_build_every_table_and_load_the_catalogue(settings) -> None:
    settings.MIGRATION_MODULES = {}
    with connection.schema_editor() as editor:
        for model in _managed_models():
            if not model._meta.auto_created:  # many-to-many tables go with theirs
                editor.delete_model(model)
    recorder = MigrationRecorder(connection)
    if recorder.has_table():
        recorder.migration_qs.all().delete()
    assert not set(connection.introspection.table_names()) & {
        model._meta.db_table for model in _managed_models()
    }

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        for model in _managed_models():
            columns = {
                column.name
                for column in connection.introspection.get_table_description(
                    cursor, model._meta.db_table
                )
            }
            expected = {field.column for field in model._meta.local_concrete_fields}
            assert columns == expected, model._meta.label
    # The data migration loaded the catalogue.
    assert Principle.objects.exists()
    assert LifecycleStage.objects.count() == 8
    assert MaturityLevel.objects.count() == 5
