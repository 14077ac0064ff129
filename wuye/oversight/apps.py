from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "wuye.oversight"
    label = "oversight"
    verbose_name = "月报、统计与进度公开"
