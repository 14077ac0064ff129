from django.apps import AppConfig


class RevenueConfig(AppConfig):
    name = "wuye.revenue"
    label = "revenue"
    verbose_name = "公共收益与维修资金"
