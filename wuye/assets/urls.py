from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("elevators/", views.elevator_county, name="elevator_county"),
    path("elevators/import/", views.elevator_import, name="elevator_import"),
    path("elevators/<int:pk>/", views.elevator, name="elevator"),
    path("estates/<slug:code>/", views.estate, name="estate"),
    path("estates/<slug:code>/fund-uses/new/", views.fund_use_create, name="fund_use_create"),
    path("estates/<slug:code>/parking/", views.parking, name="parking"),
    path("estates/<slug:code>/parking/spaces/", views.parking_space, name="parking_space"),
    path("estates/<slug:code>/parking/import/", views.parking_import, name="parking_import"),
    path("fund-uses/<int:pk>/", views.fund_use, name="fund_use"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/<int:pk>/", views.handover, name="handover"),
]
