"""Lead.county: the county whose desk holds a lead while its estate is unknown. Existing unplaced leads entered by
a bureau user go to that user's county; the others stay with no county (every bureau may place them)."""

import django.db.models.deletion
from django.db import migrations, models


def held_by_the_staff_s_county(apps, schema_editor):
    Lead = apps.get_model("intake", "Lead")
    unplaced = Lead.objects.filter(
        estate__isnull=True,
        created_by__county__isnull=False,
        created_by__role__in=["bureau_admin", "task_force"],
    )
    for lead_id, county_id in unplaced.values_list("pk", "created_by__county_id").iterator():
        Lead.objects.filter(pk=lead_id).update(county_id=county_id)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0007_remove_leadhookcursor"),
        ("registry", "0002_cities_county_prefix_settings"),
        ("accounts", "0004_user_county_city"),
    ]

    operations = [
        migrations.AddField(
            model_name="lead",
            name="county",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.county",
                verbose_name="受理县（区）",
            ),
        ),
        migrations.RunPython(held_by_the_staff_s_county, migrations.RunPython.noop),
    ]
