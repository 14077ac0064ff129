from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "wuye.assets"
    label = "assets"
    verbose_name = "电梯、移交、维修资金使用与停车"
