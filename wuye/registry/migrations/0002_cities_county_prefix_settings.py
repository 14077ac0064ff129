"""Many counties in one deployment (issue #19): cities, a county's case prefix and settings, a company's county.

Existing counties are attached to the deployment's city (settings CITY_CODE/CITY_NAME); the deployment's county
takes the case prefix it used so far (CASE_NUMBER_PREFIX), any other its code in letters (0→A … 9→J); existing companies are
registered in the first county."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def attach(apps, schema_editor):
    from wuye.kernel.conf import county_setting

    City = apps.get_model("registry", "City")
    County = apps.get_model("registry", "County")
    PropertyCompany = apps.get_model("registry", "PropertyCompany")
    counties = list(County.objects.order_by("pk"))
    if not counties:
        return
    city, _ = City.objects.get_or_create(
        code=county_setting("CITY_CODE"), defaults={"name": county_setting("CITY_NAME")}
    )
    home = next((c for c in counties if c.code == county_setting("COUNTY_CODE")), counties[0])
    for county in counties:
        county.city_id = county.city_id or city.pk
        county.case_prefix = (
            county_setting("CASE_NUMBER_PREFIX")
            if county.pk == home.pk
            else "".join(chr(65 + int(d)) for d in county.code if d.isdigit())[:8]
        )
        county.save(update_fields=["city", "case_prefix"])
    PropertyCompany.objects.filter(registered_county__isnull=True).update(registered_county=home)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="City",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=6, unique=True, verbose_name="行政区划代码")),
                ("name", models.CharField(max_length=50, verbose_name="市")),
            ],
            options={"verbose_name": "市", "verbose_name_plural": "市", "ordering": ["code"]},
        ),
        migrations.AlterModelOptions(
            name="county",
            options={"ordering": ["code"], "verbose_name": "县（区）", "verbose_name_plural": "县（区）"},
        ),
        migrations.AddField(
            model_name="county",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="counties",
                to="registry.city",
                verbose_name="所属市",
            ),
        ),
        migrations.AddField(
            model_name="county",
            name="case_prefix",
            field=models.CharField(max_length=8, null=True, verbose_name="台账编号前缀"),
        ),
        migrations.AddField(
            model_name="county",
            name="settings",
            field=models.JSONField(blank=True, default=dict, verbose_name="本县设置（覆盖默认值）"),
        ),
        migrations.AddField(
            model_name="propertycompany",
            name="registered_county",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="registered_companies",
                to="registry.county",
                verbose_name="登记县（区）",
            ),
        ),
        migrations.RunPython(attach, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="county",
            name="case_prefix",
            field=models.CharField(
                help_text="1 至 8 个大写字母，如 ZS",
                max_length=8,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[A-Z]{1,8}$", "台账编号前缀应为 1 至 8 个大写字母"
                    )
                ],
                verbose_name="台账编号前缀",
            ),
        ),
    ]
