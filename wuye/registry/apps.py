from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "wuye.registry"
    label = "registry"
    verbose_name = "基础档案"
