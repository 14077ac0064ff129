from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from wuye.common.health import health

admin.site.site_header = "物业服务监管平台 · 管理后台"
admin.site.site_title = "物业服务监管平台"
admin.site.index_title = "数据管理"

handler500 = "wuye.common.middleware.server_error"

urlpatterns = [
    path("", include("wuye.portal.urls")),
    path("accounts/", include("wuye.accounts.urls")),
    path("registry/", include("wuye.registry.urls")),
    path("cases/", include("wuye.cases.urls")),
    path("", include("wuye.intake.urls")),
    path("triage/", include("wuye.triage.urls")),
    path("", include("wuye.revenue.urls")),
    path("voting/", include("wuye.voting.urls")),
    path("", include("wuye.credit.urls")),
    path("assets/", include("wuye.assets.urls")),
    path("duties/", include("wuye.duties.urls")),
    path("", include("wuye.oversight.urls")),
    path("audit/", include("wuye.audit.urls")),
    path("notifications/", include("wuye.notify.urls")),
    path("api/v1/", include("wuye.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI (staff documentation) sets inline styles from its script: only this page allows them
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("healthz/", health, name="health"),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
