from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "wuye.common"
    label = "common"
    verbose_name = "通用"

    def ready(self) -> None:
        from wuye.kernel.conf import check_county_settings, county_setting

        check_county_settings()  # an undeclared or ill-typed settings.WUYE key stops the start-up

        from PIL import Image

        from . import checks, text  # noqa: F401 - registers the deploy checks

        text.install()
        # Pillow's own bomb guard at our cap too (it raises at twice the value), for any image opened anywhere
        Image.MAX_IMAGE_PIXELS = int(county_setting("UPLOAD_MAX_PIXELS"))
