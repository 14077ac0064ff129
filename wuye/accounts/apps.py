from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wuye.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI authentication schemes)
