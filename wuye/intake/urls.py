from django.urls import include, path

from . import views

app_name = "intake"
urlpatterns = [
    path("q/<slug:code>/", views.qr_form, name="qr_form"),
    path("q/<slug:code>/join/", views.qr_join, name="qr_join"),
    path("q/<slug:code>/poster.pdf", views.qr_poster, name="qr_poster"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_code, name="track_code"),
    path("track/<str:code>/rate/", views.track_rate, name="track_rate"),
    path("track/<str:code>/not-fixed/", views.track_not_fixed, name="track_not_fixed"),
    path("intake/desk/", views.desk, name="desk"),
    path("intake/12345/", views.import_12345, name="import_12345"),
    path("intake/confirm-estates/", views.confirm_estates, name="confirm_estates"),
    path("intake/posters/", views.posters, name="posters"),
    path("intake/posters/<str:town_code>.zip", views.town_posters, name="town_posters"),
    path("q/<slug:code>/survey/", views.survey, name="survey"),
    path("intake/inspections/", views.inspections, name="inspections"),
    path("intake/inspections/new/<slug:code>/", views.inspection_new, name="inspection_new"),
    path("intake/inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("intake/questionnaires/", views.questionnaire_results, name="questionnaire_results"),
    path("intake/photos/<int:pk>/", views.lead_photo, name="lead_photo"),
    path("open311/v2/", include("wuye.intake.open311_urls")),
]
