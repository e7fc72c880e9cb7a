"""The database cache's table (settings.CACHES): allauth's rate limits live
there, shared by every process whether Redis answers or not. `migrate` alone
then prepares a database (createcachetable does nothing when it exists)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_user_manager")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
