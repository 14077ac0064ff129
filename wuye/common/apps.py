from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "wuye.common"
    label = "common"
    verbose_name = "通用"

    def ready(self) -> None:
        from wuye.kernel.conf import check_county_settings

        check_county_settings()  # an undeclared or ill-typed settings.WUYE key stops the start-up
