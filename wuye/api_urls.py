"""/api/v1/: each app adds its routes to its own `api.py` and lists them here."""

from django.urls import include, path

urlpatterns = [
    path("registry/", include("wuye.registry.api")),
]
