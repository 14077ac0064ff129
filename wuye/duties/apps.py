from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "wuye.duties"
    label = "duties"
    verbose_name = "物业企业履约台账"
