from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "wuye.duties"
    label = "duties"
    verbose_name = "物业企业履约台账"

    def ready(self) -> None:
        from wuye.intake.ports import register_standard_clauses

        from .selectors import clauses_for_item

        register_standard_clauses(clauses_for_item)
