from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "wuye.triage"
    label = "triage"
    verbose_name = "智能分拣"

    def ready(self) -> None:
        from wuye.intake.hooks import register_on_lead_created
        from wuye.intake.ports import register_similar_cases

        from .duplicates import similar_open_cases
        from .services import on_lead_created

        register_on_lead_created(on_lead_created)
        # the QR form's look-alike open cases (intake asks through its port, importing no triage code)
        register_similar_cases(similar_open_cases)
