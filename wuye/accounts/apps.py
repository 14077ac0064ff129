from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wuye.accounts"
    label = "accounts"
    verbose_name = "用户与角色"
