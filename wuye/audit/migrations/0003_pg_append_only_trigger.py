"""On PostgreSQL (production) the database itself refuses UPDATE and DELETE of audit entries.

SQLite keeps the application-level guard only: Django's test flush deletes rows there, and the hash chain still
detects any edit made behind the application's back.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_entry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_immutable();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_change ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head_row")]
    operations = [migrations.RunPython(forward, backward)]
