from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("checkpoints/", views.checkpoints, name="checkpoints"),
    path("checkpoints.json", views.checkpoints_json, name="checkpoints_json"),
]
