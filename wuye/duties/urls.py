from django.urls import path

from . import views

app_name = "duties"
urlpatterns = [
    path("", views.home, name="home"),
    path("companies/<int:pk>/", views.company, name="company"),
    path("import/", views.supplies_import, name="import"),
    path("estates/<slug:code>/", views.estate, name="estate"),
    path("estates/<slug:code>/new/<slug:kind>/", views.record_create, name="record_create"),
    path("estates/<slug:code>/<slug:kind>/<int:pk>/", views.record_resolve, name="record_resolve"),
]
