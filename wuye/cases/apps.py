from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "wuye.cases"
    label = "cases"
    verbose_name = "整治台账"

    def ready(self) -> None:
        from wuye.intake.ports import CaseSide, register_case_side

        from .intake_side import case_of_estate, join_case, public_timeline, reopen_not_fixed
        from .selectors import cases_visible_to

        register_case_side(
            CaseSide(
                case_of_estate=case_of_estate,
                join=join_case,
                public_timeline=public_timeline,
                cases_visible_to=cases_visible_to,
                reopen_not_fixed=reopen_not_fixed,
            )
        )
