"""Case numbers are counted per county (the counter is keyed by the county's prefix) instead of one counter for
the deployment. Each county's counter starts above the highest number it already has, so no number repeats."""

import re

from django.db import migrations, models

NUMBER = re.compile(r"^(?P<prefix>.*?)(?P<year>\d{4})-(?P<seq>\d+)$")


def counters_from_existing_numbers(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseSequence = apps.get_model("cases", "CaseSequence")
    last: dict[tuple[str, int], int] = {}
    for number in Case.objects.values_list("number", flat=True).iterator():
        m = NUMBER.match(number)
        if m is None:
            continue
        key = (m["prefix"], int(m["year"]))
        last[key] = max(last.get(key, 0), int(m["seq"]))
    CaseSequence.objects.bulk_create(
        [CaseSequence(prefix=prefix, year=year, last=n) for (prefix, year), n in sorted(last.items())]
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_case_tiers_sign")]

    operations = [
        migrations.DeleteModel(name="CaseSequence"),
        migrations.CreateModel(
            name="CaseSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("prefix", models.CharField(max_length=8, verbose_name="编号前缀")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("last", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("prefix", "year"), name="case_sequence_unique_prefix_year"
                    )
                ]
            },
        ),
        migrations.RemoveConstraint(model_name="case", name="case_unique_year_seq"),
        migrations.RunPython(counters_from_existing_numbers, migrations.RunPython.noop),
    ]
