from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "wuye.intake"
    label = "intake"
    verbose_name = "问题线索"
