"""Full-text search in descriptions (`icontains`) uses a trigram index on PostgreSQL only."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS case_description_trgm ON cases_case USING gin (UPPER(description) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS case_description_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_ledger")]

    operations = [migrations.RunPython(forwards, backwards)]
