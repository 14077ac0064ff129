from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "wuye.common"
    label = "common"
    verbose_name = "通用"
