from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("estates/", views.estates, name="estates"),
    path("estates/<slug:code>/", views.estate, name="estate"),
    path("favicon.ico", views.favicon, name="favicon"),
]
