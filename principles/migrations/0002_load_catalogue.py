from django.db import migrations


def load_catalogue(apps, schema_editor):
    from principles.services import catalogue_load

    catalogue_load(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("principles", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
