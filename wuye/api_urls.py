"""/api/v1/: each app keeps its routes in its own `api.py`."""

from django.urls import include, path

urlpatterns = [
    path("registry/", include("wuye.registry.api")),
    path("cases/", include("wuye.cases.api")),
    path("intake/", include("wuye.intake.api")),
    path("triage/", include("wuye.triage.api")),
    path("revenue/", include("wuye.revenue.api")),
    path("voting/", include("wuye.voting.api")),
    path("assets/", include("wuye.assets.api")),
    path("duties/", include("wuye.duties.api")),
]
