from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "wuye.credit"
    label = "credit"
    verbose_name = "企业信用"
