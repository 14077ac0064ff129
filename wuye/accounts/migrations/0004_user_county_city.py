"""Bureau users belong to a county, city viewers to a city (issue #19); existing ones get the deployment's."""

import django.db.models.deletion
from django.db import migrations, models


def attach(apps, schema_editor):
    from wuye.kernel.conf import county_setting

    User = apps.get_model("accounts", "User")
    City = apps.get_model("registry", "City")
    County = apps.get_model("registry", "County")
    bureau = User.objects.filter(role__in=["bureau_admin", "task_force"], county__isnull=True)
    viewers = User.objects.filter(role="city_viewer", city__isnull=True)
    if not bureau.exists() and not viewers.exists():
        return
    city, _ = City.objects.get_or_create(
        code=county_setting("CITY_CODE"), defaults={"name": county_setting("CITY_NAME")}
    )
    county = (
        County.objects.filter(code=county_setting("COUNTY_CODE")).first()
        or County.objects.order_by("pk").first()
    )
    if county is None:
        county = County.objects.create(
            code=county_setting("COUNTY_CODE"),
            name=county_setting("COUNTY_NAME"),
            case_prefix=county_setting("CASE_NUMBER_PREFIX"),
            city=city,
        )
    bureau.update(county=county)
    viewers.update(city_id=county.city_id or city.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens_enrolment_sms_counts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("registry", "0002_cities_county_prefix_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="city",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="viewers",
                to="registry.city",
                verbose_name="所属市（市住建局）",
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="county",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="staff",
                to="registry.county",
                verbose_name="所属县（区）（专班）",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("bureau_admin", "专班办公室负责人"),
                    ("task_force", "专班成员"),
                    ("city_viewer", "市住建局（只读）"),
                    ("province_viewer", "省住建厅（只读）"),
                    ("company_staff", "物业企业工作人员"),
                    ("committee_member", "业委会/物管会成员"),
                    ("owner", "业主"),
                ],
                max_length=20,
                verbose_name="角色",
            ),
        ),
        migrations.RunPython(attach, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role__in", ["bureau_admin", "task_force"]), _negated=True),
                    ("county__isnull", False),
                    _connector="OR",
                ),
                name="user_bureau_has_county",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("role", "city_viewer"), _negated=True), ("city__isnull", False), _connector="OR"
                ),
                name="user_city_viewer_has_city",
            ),
        ),
    ]
