from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wuye.cases"
    label = "cases"
    verbose_name = "整治台账"
