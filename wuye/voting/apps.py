from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "wuye.voting"
    label = "voting"
    verbose_name = "业主大会电子投票"
